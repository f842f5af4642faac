"""The Slack fake, driven by the real slack_sdk clients."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageElement,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_blocks import block_errors


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as fake:
        fake.add_channel("C1")
        fake.add_user("U1")
        yield fake


@pytest.fixture
def client(slack: FakeSlackAPI) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def slack_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value


async def test_auth_test_reports_the_bot_identity(
    slack: FakeSlackAPI, client: AsyncWebClient
) -> None:
    response = await client.auth_test()

    assert response["user_id"] == "UBOT"
    assert response["team_id"] == "T0001"
    assert response["bot_id"] == "B0001"
    assert slack.calls_to("auth.test")[0].headers["Authorization"] == "Bearer xoxb-test-token"


async def test_wrong_tokens_are_rejected(slack: FakeSlackAPI) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=slack.base_url)
    app_level = AsyncWebClient(token=slack.app_token, base_url=slack.base_url)

    assert (await slack_error(wrong.auth_test())).response["error"] == "invalid_auth"
    assert (await slack_error(app_level.auth_test())).response["error"] == "not_allowed_token_type"


async def test_reply_is_threaded_under_the_parent(
    slack: FakeSlackAPI, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(
        channel="C1", text="issue #1", blocks=[section("*issue #1*")], unfurl_links=False
    )
    reply = await client.chat_postMessage(channel="C1", text="term", thread_ts=parent["ts"])

    posted = slack.messages("C1")
    assert [p.ts for p in posted] == [parent["ts"], reply["ts"]]
    assert parent["ts"] < reply["ts"]
    assert posted[0].blocks == [section("*issue #1*")]
    assert posted[0].unfurl_links is False
    assert posted[1].thread_ts == parent["ts"]
    assert reply["message"]["thread_ts"] == parent["ts"]


async def test_unknown_thread_ts_is_rejected(client: AsyncWebClient) -> None:
    error = await slack_error(
        client.chat_postMessage(channel="C1", text="x", thread_ts="1600000000.000001")
    )

    assert error.response["error"] == "thread_not_found"


async def test_more_than_50_blocks_are_invalid(slack: FakeSlackAPI, client: AsyncWebClient) -> None:
    blocks = [section(f"line {i}") for i in range(51)]

    error = await slack_error(client.chat_postMessage(channel="C1", text="x", blocks=blocks))

    assert error.response["error"] == "invalid_blocks"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    assert slack.messages("C1") == []


async def test_section_text_over_3000_characters_is_invalid(client: AsyncWebClient) -> None:
    blocks = [{"type": "divider"}, section("x" * 3001)]

    error = await slack_error(client.chat_postMessage(channel="C1", text="x", blocks=blocks))

    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/1/text/text]"
    ]


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def button(text: str, action_id: str = "a") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id}


@pytest.mark.parametrize(
    ("block", "error"),
    [
        ({"type": "header", "text": plain("h" * 151)}, "must be less than 151 characters"),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "h"}}, "must be a valid enum value"),
        ({"type": "section", "text": {"type": "mrkdwn", "text": ""}}, "must be more than 0"),
        ({"type": "section", "fields": [plain("f")] * 11}, "no more than 10 items allowed"),
        ({"type": "context", "elements": [plain("c")] * 11}, "no more than 10 items allowed"),
        ({"type": "actions", "elements": [button("b")] * 26}, "no more than 25 items allowed"),
        ({"type": "actions", "elements": [button("b" * 76)]}, "must be less than 76 characters"),
        ({"type": "actions", "elements": [button("b", "a" * 256)]}, "less than 256 characters"),
        ({"type": "divider", "block_id": "x" * 256}, "must be less than 256 characters"),
        ({"type": "divider", "text": plain("t")}, "invalid additional property: text"),
        ({"type": "table"}, "unsupported block type: 'table'"),
        ({"type": "markdown", "text": "m" * 12_001}, "must be less than 12001 characters"),
        ({"type": "image", "image_url": "https://x/y.png"}, "missing required field"),
    ],
)
def test_block_limits(block: dict[str, Any], error: str) -> None:
    errors = block_errors([block])

    assert len(errors) == 1
    assert error in errors[0]
    assert errors[0].endswith("]") and "[json-pointer:/blocks/0" in errors[0]


def test_duplicate_block_ids_are_invalid() -> None:
    blocks = [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}]

    assert block_errors(blocks) == ["duplicate block_id [json-pointer:/blocks/1/block_id]"]


async def test_blocks_built_with_sdk_models_are_valid(
    slack: FakeSlackAPI, client: AsyncWebClient
) -> None:
    blocks: list[Block | dict[str, Any]] = [
        HeaderBlock(text="뉴랄브리핑 #1", block_id="head"),
        SectionBlock(text=MarkdownTextObject(text="*NP-hard*"), fields=["a", "b"]),
        ContextBlock(
            elements=[
                ImageElement(image_url="https://x/i.png", alt_text="i"),
                MarkdownTextObject(text="c"),
            ]
        ),
        DividerBlock(),
        ActionsBlock(elements=[ButtonElement(text="More", action_id="more", value="1")]),
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
        {"type": "markdown", "text": "**bold**"},
    ]

    await client.chat_postMessage(channel="C1", text="issue", blocks=blocks)

    assert len(slack.messages("C1")[0].blocks or []) == 7


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({}, "channel_not_found"),
        ({"archived": True}, "is_archived"),
        ({"members_include_bot": False}, "not_in_channel"),
        ({"members_include_bot": False, "is_private": True}, "channel_not_found"),
    ],
)
async def test_channel_errors(
    slack: FakeSlackAPI, client: AsyncWebClient, setup: dict[str, bool], expected: str
) -> None:
    if setup:
        slack.add_channel("C2", **setup)

    error = await slack_error(client.chat_postMessage(channel="C2", text="x"))

    assert error.response.status_code == 200
    assert error.response["error"] == expected


async def test_rate_limit_is_retried_by_the_sdk_handler(
    slack: FakeSlackAPI, client: AsyncWebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.0)  # the handler's jitter
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail_next("C1", "ratelimited", retry_after=1)

    started = time.monotonic()
    response = await client.chat_postMessage(channel="C1", text="hello")

    assert time.monotonic() - started >= 1.0  # waited for Retry-After
    assert response["ts"] == slack.messages("C1")[0].ts
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_rate_limit_without_handler_raises_429(
    client: AsyncWebClient, slack: FakeSlackAPI
) -> None:
    slack.fail_next(None, "ratelimited", retry_after=7, method="chat.postMessage")

    error = await slack_error(client.chat_postMessage(channel="C1", text="hello"))

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response.data == {"ok": False, "error": "ratelimited"}


async def test_enforced_limit_allows_a_burst_of_three_per_channel() -> None:
    now = [0.0]  # the fake's clock: the test moves time, so no window can be missed
    async with FakeSlackAPI(enforce_limits=True, time_scale=4, clock=lambda: now[0]) as slack:
        slack.add_channel("C1")
        slack.add_channel("C2")
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
        for _ in range(3):
            await client.chat_postMessage(channel="C1", text="x")
        await client.chat_postMessage(channel="C2", text="x")

        error = await slack_error(client.chat_postMessage(channel="C1", text="x"))
        assert error.response.status_code == 429
        assert error.response.headers["Retry-After"] == "1"

        now[0] += 0.24  # not yet one scaled second (1/4 s)
        error = await slack_error(client.chat_postMessage(channel="C1", text="x"))
        assert error.response.headers["Retry-After"] == "1"
        now[0] += 0.01
        await client.chat_postMessage(channel="C1", text="x")
        assert len(slack.messages("C1")) == 4


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_raise_slack_api_error(
    client: AsyncWebClient, slack: FakeSlackAPI, status: int
) -> None:
    slack.fail_next(None, str(status))

    error = await slack_error(client.auth_test())

    assert error.response.status_code == status


async def test_malformed_body_raises_slack_api_error(
    client: AsyncWebClient, slack: FakeSlackAPI
) -> None:
    slack.fail_next(None, "malformed")

    error = await slack_error(client.auth_test())

    assert "non-JSON" in str(error)


async def test_form_bodies_are_accepted(slack: FakeSlackAPI, client: AsyncWebClient) -> None:
    form = {"channel": "C1", "blocks": json.dumps([section("hi")]), "unfurl_media": "false"}

    await client.api_call("chat.postMessage", data=form)

    assert slack.messages("C1")[0].blocks == [section("hi")]
    assert slack.messages("C1")[0].unfurl_media is False


async def test_hung_request_times_out_and_reset_is_retried(
    slack: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.0)  # the retry handler's jitter
    impatient = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url, timeout=1)
    slack.fail_next(None, "timeout")
    slack.fail_next(None, "reset")  # the default retry handler retries one reset

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(impatient.auth_test(), 0.2)
    assert slack.hung_requests == 1
    slack.release_hung()
    response = await impatient.auth_test()

    assert response["ok"] is True
    assert len(slack.calls_to("auth.test")) == 3


async def test_conversations_open_returns_a_stable_dm(
    slack: FakeSlackAPI, client: AsyncWebClient
) -> None:
    slack.add_user("UGONE", deleted=True)

    first = await client.conversations_open(users="U1")
    again = await client.conversations_open(users=["U1"])
    await client.chat_postMessage(channel=first["channel"]["id"], text="welcome")

    assert first["channel"]["id"] == again["channel"]["id"] == slack.dm_channel("U1")
    assert slack.messages(first["channel"]["id"])[0].text == "welcome"
    assert (await slack_error(client.conversations_open(users="UX"))).response[
        "error"
    ] == "user_not_found"
    assert (await slack_error(client.conversations_open(users="UGONE"))).response[
        "error"
    ] == "user_disabled"


async def test_post_ephemeral_is_recorded(slack: FakeSlackAPI, client: AsyncWebClient) -> None:
    response = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")

    assert slack.ephemerals("C1")[0].message_ts == response["message_ts"]
    assert slack.ephemerals("C1")[0].text == "only you"


async def test_views_publish_records_the_home_tab(
    slack: FakeSlackAPI, client: AsyncWebClient
) -> None:
    view = {
        "type": "home",
        "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Hi"}}],
    }

    response = await client.views_publish(user_id="U1", view=view)

    assert response["view"]["type"] == "home"
    assert slack.views("U1")[0]["blocks"] == view["blocks"]
    modal = await slack_error(
        client.views_publish(user_id="U1", view={"type": "modal", "blocks": []})
    )
    assert modal.response["error"] == "invalid_arguments"
    stranger = await slack_error(client.views_publish(user_id="UX", view=view))
    assert stranger.response["error"] == "invalid_arguments"


async def test_response_url_posts_are_recorded(slack: FakeSlackAPI) -> None:
    url = slack.response_url()

    response = await AsyncWebhookClient(url).send(text="Looking up", response_type="in_channel")

    assert (response.status_code, response.body) == (200, "ok")
    assert slack.responses(url) == [{"text": "Looking up", "response_type": "in_channel"}]


async def test_unknown_method(client: AsyncWebClient) -> None:
    error = await slack_error(client.api_call("chat.fly"))

    assert error.response["error"] == "unknown_method"


async def test_socket_mode_round_trip(slack: FakeSlackAPI) -> None:
    web_client = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
    socket_client = SocketModeClient(app_token=slack.app_token, web_client=web_client)

    async def ack(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        response = SocketModeResponse(request.envelope_id, payload={"text": "Looking up"})
        await client.send_socket_mode_response(response)

    socket_client.socket_mode_request_listeners.append(ack)
    try:
        await socket_client.connect()  # type: ignore[no-untyped-call]
        await slack.wait_socket_connected()
        command = {"command": "/term", "text": "NP-hard", "response_url": slack.response_url()}

        acked = await slack.push_envelope("slash_commands", command)

        assert acked is not None
        assert acked["envelope_id"] == slack.envelopes[0]["envelope_id"]
        assert acked["payload"] == {"text": "Looking up"}
        assert slack.calls_to("apps.connections.open")[0].headers["Authorization"] == (
            "Bearer xapp-test-token"
        )
    finally:
        await socket_client.close()  # type: ignore[no-untyped-call]


async def test_a_response_url_takes_five_posts_then_answers_used_url(slack: FakeSlackAPI) -> None:
    url = slack.response_url()
    webhook = AsyncWebhookClient(url)

    answers = [await webhook.send(text=f"part {n}") for n in range(6)]

    assert [(a.status_code, a.body) for a in answers] == [(200, "ok")] * 5 + [(404, "used_url")]
    assert [r["text"] for r in slack.responses(url)] == [f"part {n}" for n in range(5)]


async def test_a_response_url_checks_block_kit(slack: FakeSlackAPI) -> None:
    url = slack.response_url()
    webhook = AsyncWebhookClient(url)

    too_long = await webhook.send(text="x", blocks=[section("x" * 3001)])
    fine = await webhook.send(text="x", blocks=[section("x")])

    assert (too_long.status_code, too_long.body) == (400, "invalid_blocks")
    assert fine.status_code == 200
    assert len(slack.responses(url)) == 1


@pytest.mark.parametrize(
    ("method", "target", "call"),
    [
        ("conversations.open", "U1", lambda c: c.conversations_open(users="U1")),
        (
            "views.publish",
            "U1",
            lambda c: c.views_publish(user_id="U1", view={"type": "home", "blocks": []}),
        ),
    ],
)
async def test_dm_and_home_calls_can_be_rate_limited_for_one_user(
    slack: FakeSlackAPI, client: AsyncWebClient, method: str, target: str, call: Any
) -> None:
    slack.add_user("U2")
    slack.fail_next(target, "ratelimited", retry_after=9, method=method)

    limited = await slack_error(call(client))
    other = await client.conversations_open(users="U2")
    again = await call(client)

    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "9"
    assert limited.response.data == {"ok": False, "error": "ratelimited"}
    assert other["ok"] and again["ok"]
    assert len(slack.calls_to(method)) == 2 + (method == "conversations.open")


async def test_update_and_delete_answer_as_slack(
    slack: FakeSlackAPI, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="first")
    await client.chat_update(channel="C1", ts=posted["ts"], text="fixed", blocks=[])
    [message] = slack.messages("C1")
    assert (message.text, message.history) == ("fixed", ("first",))
    too_long = await slack_error(client.chat_update(channel="C1", ts=posted["ts"], text="x" * 4001))
    assert too_long.response["error"] == "msg_too_long"
    unknown = await slack_error(client.chat_update(channel="C1", ts="1.000001", text="x"))
    assert unknown.response["error"] == "message_not_found"
    slack.protect("C1", posted["ts"])
    refused = await slack_error(client.chat_delete(channel="C1", ts=posted["ts"]))
    assert refused.response["error"] == "cant_delete_message"
    other = await client.chat_postMessage(channel="C1", text="surplus")
    await client.chat_delete(channel="C1", ts=other["ts"])
    assert slack.deleted == [("C1", other["ts"])] and len(slack.messages("C1")) == 1
    slack.delete_by_user("C1", posted["ts"])
    gone = await slack_error(client.chat_update(channel="C1", ts=posted["ts"], text="x"))
    assert gone.response["error"] == "message_not_found"
