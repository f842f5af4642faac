"""Slack's send side: a thread posted exactly as the preview shows it, and every Slack error
translated once at the boundary into the core's errors (the core's retry layer is the only
one), against the fake Slack API."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack.render import preview_json
from bot.adapters.slack.send import SDK_LOG, translate
from bot.core.delivery.retry import Retrier, RetryingPlatform, RetryPolicy
from bot.core.errors import (
    MessageRejected,
    PlatformError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.core.model.messages import simple
from bot.core.model.render import issue_thread
from bot.core.model.threads import send_thread
from bot.core.testing import FakeClock
from tests.support.slack import (
    Harness,
    JsonDict,
)
from tests.support.wait import until


async def test_preview_shows_exactly_what_send_thread_posts(slack: Harness) -> None:
    issue = slack.app.content.archive.get(1)
    assert issue is not None
    thread = issue_thread(issue, "ko")

    refs = await send_thread(slack.platform, "C1", thread)

    sent = [dict(call.params) for call in slack.fake.calls_to("chat.postMessage")]
    for params in sent:
        assert params.pop("channel") == "C1"
        assert params.pop("thread_ts", refs[0].id) == refs[0].id
    previewed = json.loads(preview_json(thread))
    for payload in previewed:
        payload.pop("channel")
        payload.pop("thread_ts", None)
    assert sent == previewed


# send(): errors at the boundary ------------------------------------------------------------


async def test_send_to_a_channel_without_the_app_is_recipient_gone(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(RecipientGone) as gone:
        await slack.platform.send("CMISSING", simple("hello"))

    assert gone.value.chat == "CMISSING"
    assert "CMISSING" in caplog.text and "/invite" in caplog.text
    assert "xoxb-" not in caplog.text


def retrying(slack: Harness, clock: FakeClock, attempts: int = 3) -> RetryingPlatform:
    """The adapter behind the core's retry layer (the only one), on a fake clock."""
    policy = RetryPolicy(attempts=attempts, base_delay=0.5, rate_limited_attempts=attempts)
    return RetryingPlatform(slack.platform, Retrier(policy, clock))


async def test_a_429_is_translated_once_and_never_retried_here(slack: Harness) -> None:
    slack.fake.fail_next("C1", "ratelimited", retry_after=7)

    with pytest.raises(RateLimited) as limited:
        await slack.platform.send("C1", simple("hello"))

    assert limited.value.retry_after == 7
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_a_rate_limited_send_waits_retry_after_in_the_core_and_is_delivered(
    slack: Harness,
) -> None:
    slack.fake.fail_next("C1", "ratelimited", retry_after=1)
    clock = FakeClock(auto_advance=True)

    ref = await retrying(slack, clock).send("C1", simple("hello"))

    assert clock.sleeps == [1.0]  # waited for Retry-After
    assert ref.id == slack.fake.messages("C1")[0].ts
    assert len(slack.fake.calls_to("chat.postMessage")) == 2


async def test_a_rate_limit_that_outlasts_the_retries_is_rate_limited(slack: Harness) -> None:
    slack.fake.fail_next("C1", "ratelimited", count=4, retry_after=0)

    with pytest.raises(RateLimited) as limited:
        await retrying(slack, FakeClock(auto_advance=True)).send("C1", simple("hello"))

    assert limited.value.retry_after == 0
    assert len(slack.fake.calls_to("chat.postMessage")) == 3


async def test_a_5xx_is_retried_by_the_core_and_the_bot_keeps_serving(slack: Harness) -> None:
    slack.fake.fail_next("C1", "503")

    ref = await retrying(slack, FakeClock(auto_advance=True)).send("C1", simple("hello"))

    assert ref.id == slack.fake.messages("C1")[0].ts
    assert len(slack.fake.calls_to("chat.postMessage")) == 2
    url = await slack.command("/term", "NP-hard")
    await until(lambda: slack.fake.responses(url))


async def test_a_5xx_burst_that_outlasts_the_retries_is_transient(slack: Harness) -> None:
    slack.fake.fail_next("C1", "500", count=3)

    with pytest.raises(TransientError):
        await retrying(slack, FakeClock(auto_advance=True)).send("C1", simple("hello"))

    assert len(slack.fake.calls_to("chat.postMessage")) == 3


async def test_rejected_blocks_are_message_rejected(slack: Harness) -> None:
    slack.fake.fail_next("C1", "invalid_blocks")

    with pytest.raises(MessageRejected):
        await slack.platform.send("C1", simple("hello"))


async def test_a_malformed_answer_is_transient(slack: Harness) -> None:
    slack.fake.fail_next("C1", "malformed")

    with pytest.raises(TransientError):
        await slack.platform.send("C1", simple("hello"))


async def test_replies_go_into_the_parents_thread(slack: Harness) -> None:
    parent = await slack.platform.send("C1", simple("parent", title="T"))
    reply = await slack.platform.send("C1", simple("reply"), reply_to=parent)

    assert parent.thread is None
    assert reply.thread == parent.id
    assert slack.fake.messages("C1")[1].thread_ts == parent.id


def api_error(status: int, data: JsonDict, headers: dict[str, str] | None = None) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=data,
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (api_error(429, {"ok": False, "error": "ratelimited"}, {"retry-after": "7"}), RateLimited),
        (api_error(200, {"ok": False, "error": "channel_not_found"}), RecipientGone),
        (api_error(200, {"ok": False, "error": "not_in_channel"}), RecipientGone),
        (api_error(200, {"ok": False, "error": "is_archived"}), RecipientGone),
        (api_error(200, {"ok": False, "error": "account_inactive"}), RecipientGone),
        (api_error(200, {"ok": False, "error": "user_disabled"}), RecipientGone),
        (api_error(200, {"ok": False, "error": "msg_blocks_too_long"}), MessageRejected),
        (api_error(200, {"ok": False, "error": "no_text"}), MessageRejected),
        (api_error(500, {}), TransientError),
        (api_error(503, {}), TransientError),
        (aiohttp.ServerDisconnectedError(), TransientError),
        (TimeoutError(), TransientError),
        (api_error(200, {"ok": False, "error": "missing_scope"}), PlatformError),
    ],
)
def test_translate(error: Exception, expected: type[PlatformError]) -> None:
    translated = translate(error, "C1", {"text": "x"})

    assert type(translated) is expected
    assert translated.chat == "C1"
    if isinstance(translated, RateLimited):
        assert translated.retry_after == 7


def test_the_sdk_builds_its_debug_lines_only_at_the_level_in_effect(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """slack_sdk formats a debug line of every request when its logger's `level` is DEBUG or
    lower; the client's logger says the level in effect, which follows later changes."""
    caplog.set_level(logging.WARNING, logger="slack_sdk")
    assert SDK_LOG.level == logging.WARNING
    caplog.set_level(logging.DEBUG, logger="slack_sdk")
    assert SDK_LOG.level == logging.DEBUG
