"""The Slack adapter end to end: the real bolt and slack_sdk against the local fake Slack API.

HTTP-mode tests send signed requests to the adapter's aiohttp server; Socket Mode tests push
envelopes over the fake's websocket. Every assertion is on what the fake received.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack.platform import SlackConfigError, SlackPlatform, build_slack
from bot.adapters.slack.render import preview_json
from bot.adapters.slack.send import translate
from bot.adapters.slack.settings import SlackSecrets
from bot.app import Bot
from bot.config import ConfigError
from bot.core.conversation.service import Reply
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
from bot.core.ports import Command
from bot.core.testing import FakeClock
from tests.adapters.slack.support import SECRET, make_app, until
from tests.fakes.slack_api import FakeSlackAPI

JsonDict = dict[str, Any]


def slack_for(app: Bot, **options: Any) -> Any:
    """The Slack platform built from `app`, as the composition root builds it."""
    return build_slack(app.settings.slack, SlackSecrets(), app.service, **options)


@dataclass
class Harness:
    app: Bot
    platform: SlackPlatform
    fake: FakeSlackAPI
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.platform.port}/slack/events"

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def command(self, command: str, text: str = "", **fields: str) -> str:
        """Send a slash command; return its response_url (the answer lands there)."""
        body, url = slash_body(self.fake, command, text, **fields)
        status, answer = await self.post(body)
        assert (status, answer) == (200, "")  # acked at once, with an empty body
        return url

    async def event(
        self, event: JsonDict, event_id: str, *, delay: int = 0, **headers: str
    ) -> tuple[int, str]:
        """Deliver an event; `delay` seconds later than now, as Slack re-signs a redelivery."""
        body = json.dumps(event_body(event, event_id))
        stamp = int(time.time()) + delay
        return await self.post(
            body, content_type="application/json", timestamp=stamp, headers=headers
        )


def slash_body(fake: FakeSlackAPI, command: str, text: str, **fields: str) -> tuple[str, str]:
    url = fake.response_url()
    form = {
        "token": "legacy-verification-token",
        "team_id": fake.team_id,
        "team_domain": "fake",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "reader",
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": url,
        "trigger_id": "1.2.3",
        **fields,
    }
    return urlencode(form), url


def event_body(event: JsonDict, event_id: str) -> JsonDict:
    return {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": event,
    }


def dm(text: str, *, ts: str = "1700000100.000100", **extra: Any) -> JsonDict:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "DU1",
        "user": "U1",
        "text": text,
        "ts": ts,
        **extra,
    }


@asynccontextmanager
async def open_slack(app: Bot, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    """The app's Slack platform started in HTTP mode on a free port, stopped on exit."""
    platform = await slack_for(app, host="127.0.0.1", port=0)
    app.platforms.add(platform)  # as the composition root does
    await platform.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Harness(app, platform, fake, session)
    finally:
        await platform.stop()


@pytest.fixture
async def slack(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    async with open_slack(make_app(tmp_path, fake, "http", admins=("slack:U2",)), fake) as h:
        yield h


# slash commands over HTTP ------------------------------------------------------------------


async def test_term_is_answered_ephemerally_with_the_definition(slack: Harness) -> None:
    url = await slack.command("/term", "NP-hard")

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "NP-hard", "emoji": True},
    }
    assert "NP-Hard 문제란" in answer["text"]
    assert slack.fake.messages("C1") == []


async def test_user_text_comes_back_escaped(slack: Harness) -> None:
    url = await slack.command("/term", "<!channel> <@U2>")

    await until(lambda: slack.fake.responses(url))
    answer = json.dumps(slack.fake.responses(url), ensure_ascii=False)
    assert "&lt;!channel&gt; &lt;@U2&gt;" in answer
    assert "<!channel>" not in answer and "<@U2>" not in answer


async def test_issue_public_posts_the_thread_in_the_channel(slack: Harness) -> None:
    url = await slack.command("/issue", "1 public")

    await until(lambda: len(slack.fake.messages("C1")) == 11)
    parent, *replies = slack.fake.messages("C1")
    assert parent.thread_ts is None
    assert parent.blocks is not None and parent.blocks[0]["type"] == "header"
    assert [r.thread_ts for r in replies] == [parent.ts] * 10  # 9 sections + useful links
    assert all(r.unfurl_links is False and r.unfurl_media is False for r in replies)
    assert slack.fake.responses(url) == []


async def test_issue_public_where_the_app_is_not_a_member_answers_in_channel(
    slack: Harness,
) -> None:
    url = await slack.command("/issue", "1 public", channel_id="G0PRIVATE")

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert answer["response_type"] == "in_channel"
    assert answer["text"].startswith("제 0001호 뉴랄브리핑")
    assert slack.fake.messages("G0PRIVATE") == []


async def test_subscribe_opens_the_dm_and_subscribes_once(slack: Harness) -> None:
    first = await slack.command("/subscribe")
    await until(lambda: slack.fake.responses(first))
    again = await slack.command("/subscribe")
    await until(lambda: slack.fake.responses(again))

    assert len(slack.fake.calls_to("conversations.open")) == 2
    subscribers = await slack.app.store.subscriptions.subscribers("slack")
    assert [(s.user, s.chat) for s in subscribers] == [("U1", "DU1")]
    assert "구독했습니다" in slack.fake.responses(first)[0]["text"]
    assert "이미 구독 중" in slack.fake.responses(again)[0]["text"]


async def test_subscribe_from_a_dm_between_people_goes_to_the_apps_dm(slack: Harness) -> None:
    url = await slack.command("/subscribe", channel_id="D0PEOPLE", channel_name="directmessage")

    await until(lambda: slack.fake.responses(url))
    subscribers = await slack.app.store.subscriptions.subscribers("slack")
    assert [(s.user, s.chat) for s in subscribers] == [("U1", "DU1")]


async def test_subscribe_by_dm_uses_that_dm(slack: Harness) -> None:
    await slack.platform.open_dm("U1")

    await slack.event(dm("subscribe"), "Ev1")

    await until(lambda: slack.fake.messages("DU1"))
    subscribers = await slack.app.store.subscriptions.subscribers("slack")
    assert [(s.user, s.chat) for s in subscribers] == [("U1", "DU1")]
    assert len(slack.fake.calls_to("conversations.open")) == 1  # the test's own


async def test_subscribe_says_so_when_the_dm_cannot_be_opened(slack: Harness) -> None:
    url = await slack.command("/subscribe", user_id="UGONE")

    await until(lambda: slack.fake.responses(url))
    assert "DM을 열 수 없어" in slack.fake.responses(url)[0]["text"]
    assert await slack.app.store.subscriptions.count() == 0


async def test_subscribe_while_slack_rate_limits_the_dm_says_when_to_try_again(
    slack: Harness,
) -> None:
    slack.fake.fail_next("U1", "ratelimited", retry_after=30, method="conversations.open")

    url = await slack.command("/subscribe")

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert "30초 뒤에 다시" in answer["text"] and "메시지 탭" not in answer["text"]
    assert await slack.app.store.subscriptions.count() == 0


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/search", "EfficientNet", "EfficientNet"),
        ("/latest", "", "제 0001호 뉴랄브리핑"),
        ("/issue", "1", "제 0001호 뉴랄브리핑"),
        ("/issue", "999", "제 999호는 없습니다"),
        ("/unsubscribe", "", "구독 중이 아닙니다"),
        ("/term", "", "찾을 용어를 적어 주세요"),
    ],
)
async def test_lookups_are_answered_only_to_the_asker(
    slack: Harness, command: str, text: str, expected: str
) -> None:
    url = await slack.command(command, text)

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert answer["response_type"] == "ephemeral"
    assert expected in answer["text"]
    assert slack.fake.messages("C1") == []


async def test_briefing_is_help_and_admin_commands_check_admins(slack: Harness) -> None:
    help_url = await slack.command("/briefing")
    denied = await slack.command("/briefing", "stats")
    stats = await slack.command("/briefing", "stats", user_id="U2")

    await until(lambda: all(slack.fake.responses(u) for u in (help_url, denied, stats)))
    assert "/term" in slack.fake.responses(help_url)[0]["text"]
    assert "관리자만" in slack.fake.responses(denied)[0]["text"]
    assert "구독자 0명" in slack.fake.responses(stats)[0]["text"]


async def test_a_failing_handler_gets_a_short_answer_and_the_bot_goes_on(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(command: Command) -> Reply:
        raise RuntimeError("boom <!channel>")

    monkeypatch.setattr(slack.app.service, "handle", broken)
    url = await slack.command("/term", "NP-hard")

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("⚠️") and "boom" not in answer["text"]
    monkeypatch.undo()
    again = await slack.command("/term", "NP-hard")
    await until(lambda: slack.fake.responses(again))


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


# request verification ----------------------------------------------------------------------


async def test_a_forged_signature_gets_401_and_does_nothing(slack: Harness) -> None:
    calls = len(slack.fake.calls)
    body, url = slash_body(slack.fake, "/term", "NP-hard")

    status, _ = await slack.post(body, secret="not-the-secret")

    assert status == 401
    assert len(slack.fake.calls) == calls
    assert slack.fake.responses(url) == []


async def test_a_stale_timestamp_gets_401(slack: Harness) -> None:
    body, url = slash_body(slack.fake, "/term", "NP-hard")

    status, _ = await slack.post(body, timestamp=int(time.time()) - 301)

    assert status == 401
    assert slack.fake.responses(url) == []


async def test_no_signature_gets_401_and_does_nothing(slack: Harness) -> None:
    calls = api_calls(slack.fake)
    body, url = slash_body(slack.fake, "/term", "NP-hard")
    async with slack.session.post(
        slack.url, data=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    ) as response:
        assert response.status == 401
    assert api_calls(slack.fake) == calls and slack.fake.responses(url) == []


async def test_a_replayed_request_is_refused_and_answered_once(slack: Harness) -> None:
    body, url = slash_body(slack.fake, "/term", "NP-hard")
    stamp = int(time.time())
    assert (await slack.post(body, timestamp=stamp))[0] == 200
    assert (await slack.post(body, timestamp=stamp))[0] == 401
    await until(lambda: slack.fake.responses(url))
    assert len(slack.fake.responses(url)) == 1


def api_calls(fake: FakeSlackAPI) -> list[str]:
    """What the bot asked of Slack, less bolt's lazy auth.test on the first request."""
    return [call.method for call in fake.calls if call.method != "auth.test"]


async def test_a_huge_body_is_refused_before_anything_runs(slack: Harness) -> None:
    calls = api_calls(slack.fake)
    body, url = slash_body(slack.fake, "/term", "x" * 2_000_000)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
    }
    async with slack.session.post(
        slack.url, data=io.BytesIO(body.encode()), headers=headers
    ) as response:
        assert response.status == 413
    assert api_calls(slack.fake) == calls and slack.fake.responses(url) == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ("payload=%7Bnot%20json", "application/x-www-form-urlencoded"),
     ("\x00\xff", "application/octet-stream"), ("", "application/json")],
)  # fmt: skip
async def test_malformed_signed_payloads_get_an_error_and_no_side_effect(
    slack: Harness, body: str, content_type: str
) -> None:
    calls = api_calls(slack.fake)
    status, _ = await slack.post(body, content_type=content_type)
    assert status in {400, 401, 404}
    assert api_calls(slack.fake) == calls
    assert (await slack.command("/term", "NP-hard")) is not None  # and the bot keeps serving


DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = 1531420618
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmib"
    "IGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class PinnedClock(Clock):
    def now(self) -> float:
        return float(DOC_TIMESTAMP)


def test_slacks_documented_example_signature_verifies() -> None:
    verifier = SignatureVerifier(DOC_SECRET, clock=PinnedClock())
    headers = {"x-slack-request-timestamp": str(DOC_TIMESTAMP), "x-slack-signature": DOC_SIGNATURE}

    assert verifier.generate_signature(timestamp=str(DOC_TIMESTAMP), body=DOC_BODY) == DOC_SIGNATURE
    assert verifier.is_valid_request(DOC_BODY, headers)
    assert not verifier.is_valid_request(DOC_BODY.replace("text=", "text=x"), headers)


async def test_healthz(slack: Harness) -> None:
    async with slack.session.get(slack.url.replace("/slack/events", "/healthz")) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True, "platform": "slack", "mode": "http"}


# events: DMs, mentions, redeliveries -------------------------------------------------------


async def test_a_dm_is_answered_in_the_dm(slack: Harness) -> None:
    await slack.platform.open_dm("U1")

    await slack.event(dm("term NP-hard"), "Ev1")

    await until(lambda: slack.fake.messages("DU1"))
    (answer,) = slack.fake.messages("DU1")
    assert answer.thread_ts is None
    assert answer.text is not None and "NP-Hard 문제란" in answer.text


async def test_an_issue_asked_by_dm_comes_as_a_thread_in_the_dm(slack: Harness) -> None:
    await slack.platform.open_dm("U1")

    await slack.event(dm("issue 1"), "Ev1")

    await until(lambda: len(slack.fake.messages("DU1")) == 11)
    parent, *replies = slack.fake.messages("DU1")
    assert {r.thread_ts for r in replies} == {parent.ts}


async def test_a_redelivered_event_never_gets_a_second_answer(slack: Harness) -> None:
    await slack.platform.open_dm("U1")
    await slack.event(dm("term NP-hard", client_msg_id="m1"), "Ev1")
    await until(lambda: slack.fake.messages("DU1"))

    retried = await slack.event(
        dm("term NP-hard", client_msg_id="m1"),
        "Ev1",
        delay=1,
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    duplicate = await slack.event(dm("term NP-hard", client_msg_id="m1"), "Ev1", delay=2)
    await slack.event(dm("term BERT", ts="1700000200.000200", client_msg_id="m2"), "Ev2")
    await until(lambda: len(slack.fake.messages("DU1")) >= 2)

    assert retried == (200, "") and duplicate == (200, "")
    answers = [m.text or "" for m in slack.fake.messages("DU1")]
    assert len(answers) == 2
    assert "BERT" in answers[1]


async def test_bot_messages_edits_and_channel_messages_are_ignored(slack: Harness) -> None:
    """bolt runs each event's listener as its own task once the event is acked, so the ignored
    events' listeners all started before the final ordinary DM was even sent; waiting for that
    DM's answer (not for the first message) means an event that was wrongly answered has
    been answered too, and it would come first."""
    await slack.platform.open_dm("U1")
    await slack.event(dm("term NP-hard", bot_id="B9"), "Ev1")
    await slack.event(dm("term NP-hard", subtype="message_changed"), "Ev2")
    await slack.event({**dm("term NP-hard"), "channel_type": "channel", "channel": "C1"}, "Ev3")
    await slack.event(dm("help"), "Ev4")

    await until(lambda: any("/term" in (m.text or "") for m in slack.fake.messages("DU1")))
    answers = [m.text or "" for m in slack.fake.messages("DU1")]
    assert len(answers) == 1 and "/term" in answers[0] and "NP-Hard" not in answers[0]
    assert slack.fake.messages("C1") == []


async def test_a_mention_is_answered_in_its_thread(slack: Harness, fake: FakeSlackAPI) -> None:
    user_message = await AsyncWebClient(
        token=fake.bot_token, base_url=fake.base_url
    ).chat_postMessage(
        channel="C1", text="<@UBOT> term NP-hard"
    )  # stands in for the user's message, so that the fake knows its ts
    mention = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U1",
        "text": "<@UBOT> term NP-hard",
        "ts": user_message["ts"],
    }

    await slack.event(mention, "Ev1")

    await until(lambda: len(fake.messages("C1")) == 2)
    answer = fake.messages("C1")[1]
    assert answer.thread_ts == user_message["ts"]
    assert answer.unfurl_links is False
    assert answer.text is not None and "NP-Hard 문제란" in answer.text


# App Home ----------------------------------------------------------------------------------


def button_of(view: JsonDict) -> JsonDict:
    (actions,) = [b for b in view["blocks"] if b.get("block_id") == "subscription"]
    element: JsonDict = actions["elements"][0]
    return element


async def test_home_tab_shows_the_latest_issue_and_a_subscribe_button(slack: Harness) -> None:
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, "Ev1")

    await until(lambda: slack.fake.views("U1"))
    view = slack.fake.views("U1")[0]
    assert view["blocks"][0]["text"]["text"] == "제 0001호 뉴랄브리핑(2019년 5월 30일)"
    assert any("구글블로그" in b.get("text", {}).get("text", "") for b in view["blocks"])
    assert button_of(view)["action_id"] == "home_subscribe"


async def test_a_rate_limited_home_tab_is_published_on_the_next_visit(slack: Harness) -> None:
    slack.fake.fail_next("U1", "ratelimited", retry_after=30, method="views.publish")
    opened = {"type": "app_home_opened", "user": "U1", "tab": "home"}

    first = await slack.event(opened, "Ev1")
    await until(lambda: slack.fake.calls_to("views.publish"))
    second = await slack.event(opened, "Ev2")

    await until(lambda: slack.fake.views("U1"))
    assert first == second == (200, "")
    assert len(slack.fake.calls_to("views.publish")) == 2  # the 429 was not retried here
    assert button_of(slack.fake.views("U1")[0])["action_id"] == "home_subscribe"


def home_button(action_id: str) -> str:
    """The signed form body of a press on the Home tab's button."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "reader", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "team": {"id": "T0001", "domain": "fake"},
        "trigger_id": "1.2.3",
        "container": {"type": "view", "view_id": "VU1"},
        "view": {"id": "VU1", "type": "home"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "subscription",
                "value": action_id.removeprefix("home_"),
                "action_ts": "1700000000.1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def test_pressing_the_home_button_subscribes_and_republishes(slack: Harness) -> None:
    status, _ = await slack.post(home_button("home_subscribe"))

    assert status == 200
    await until(lambda: slack.fake.views("U1"))
    assert await slack.app.store.subscriptions.is_subscribed("slack", "U1")
    assert button_of(slack.fake.views("U1")[-1])["action_id"] == "home_unsubscribe"


async def test_pressing_the_home_unsubscribe_button_unsubscribes_and_republishes(
    slack: Harness,
) -> None:
    await slack.app.store.subscriptions.subscribe("slack", "U1", "DU1")

    status, _ = await slack.post(home_button("home_unsubscribe"))

    assert status == 200
    await until(lambda: slack.fake.views("U1"))
    assert not await slack.app.store.subscriptions.is_subscribed("slack", "U1")
    assert button_of(slack.fake.views("U1")[-1])["action_id"] == "home_subscribe"


async def test_unsubscribe_ends_a_subscription(slack: Harness) -> None:
    await slack.app.store.subscriptions.subscribe("slack", "U1", "DU1")

    url = await slack.command("/unsubscribe")

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert answer["response_type"] == "ephemeral"
    assert "구독을 취소했습니다" in answer["text"]
    assert await slack.app.store.subscriptions.count() == 0


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


# configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "unset", "named"),
    [
        ("socket", "SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        ("http", "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        ("http", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        ("socket", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
    ],
)
async def test_a_missing_token_names_its_variable(
    tmp_path: Path,
    fake: FakeSlackAPI,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    unset: str,
    named: str,
) -> None:
    monkeypatch.delenv(unset)

    with pytest.raises(SlackConfigError, match=named) as error:
        await slack_for(make_app(tmp_path, fake, mode))

    assert isinstance(error.value, ValueError)
    assert "\n" not in str(error.value) and "xoxb-test" not in str(error.value)


async def test_a_refused_bot_token_stops_the_start_with_a_clear_error(
    tmp_path: Path, fake: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    platform = await slack_for(make_app(tmp_path, fake, "http"), host="127.0.0.1", port=0)

    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"):
        await platform.start()
    await platform.stop()


async def test_a_refused_app_token_stops_the_start_with_a_clear_error(
    tmp_path: Path, fake: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-revoked")
    platform = await slack_for(make_app(tmp_path, fake, "socket"))

    with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)"):
        await platform.start()


async def test_oauth_client_variables_are_refused(
    tmp_path: Path, fake: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "s")

    with pytest.raises(SlackConfigError, match="SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"):
        await slack_for(make_app(tmp_path, fake, "socket"))


# Socket Mode -------------------------------------------------------------------------------


@pytest.fixture
async def socket(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    app = make_app(tmp_path, fake, "socket")
    platform = await slack_for(app)
    app.platforms.add(platform)  # as the composition root does
    await platform.start()
    try:
        await fake.wait_socket_connected()
        async with aiohttp.ClientSession() as session:
            yield Harness(app, platform, fake, session)
    finally:
        await platform.stop()


async def test_send_only_start_opens_no_socket(tmp_path: Path, fake: FakeSlackAPI) -> None:
    platform = await slack_for(make_app(tmp_path, fake, "socket"))

    await platform.start(receive=False)
    try:
        await platform.send("C1", simple("briefing"))
    finally:
        await platform.stop()

    assert fake.calls_to("apps.connections.open") == []
    assert [m.text for m in fake.messages("C1")] == ["briefing"]


async def test_socket_mode_slash_command_is_acked_and_answered(socket: Harness) -> None:
    url = socket.fake.response_url()
    command = {
        "command": "/term",
        "text": "NP-hard",
        "channel_id": "C1",
        "user_id": "U1",
        "team_id": "T0001",
        "response_url": url,
    }

    ack = await socket.fake.push_envelope("slash_commands", command)

    assert ack == {"envelope_id": socket.fake.envelopes[-1]["envelope_id"]}  # empty ack
    await until(lambda: socket.fake.responses(url))
    assert "NP-Hard 문제란" in socket.fake.responses(url)[0]["text"]


async def test_socket_mode_retried_event_is_acked_without_an_answer(socket: Harness) -> None:
    await socket.platform.open_dm("U1")

    retried = await socket.fake.push_envelope(
        "events_api", event_body(dm("term NP-hard"), "Ev1"), retry_attempt=1
    )
    fresh = await socket.fake.push_envelope(
        "events_api", event_body(dm("term BERT", ts="1700000200.000200"), "Ev2")
    )

    assert retried is not None and fresh is not None
    await until(lambda: socket.fake.messages("DU1"))
    (answer,) = socket.fake.messages("DU1")
    assert answer.text is not None and "BERT" in answer.text
