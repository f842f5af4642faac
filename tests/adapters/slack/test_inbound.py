"""Slack's inbound side end to end, over HTTP: slash commands answered through their
response_url, DMs and mentions answered where they were asked, redelivered events answered once.
Requests are signed and sent to the adapter's aiohttp server (tests/support/slack.py); every
assertion is on what the fake Slack API received.
"""

from __future__ import annotations

import json

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.conversation.service import Reply
from bot.core.ports import Command
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import (
    Harness,
    dm,
)
from tests.support.wait import until

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


async def test_help_spells_each_command_as_slack_has_it_typed(slack: Harness) -> None:
    """The app's own slash commands as they are; the rest under `/briefing` (the spelling is
    the Slack descriptor's: nothing in the core names a platform)."""
    url = await slack.command("/briefing", "help")
    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert "/term" in answer["text"] and "/briefing term" not in answer["text"]
    assert "/briefing lang" in answer["text"]
