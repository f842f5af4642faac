"""Slack channels that opt in themselves, end to end: signed slash commands and events into the
real bolt app; the fake Slack API answers users.info and conversations.info as Slack does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Bot
from bot.core.ports import OptedIn
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import Harness, make_app, open_slack
from tests.support.wait import until


@pytest.fixture
async def slack(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    fake.add_channel("C2")
    fake.add_channel("C3", members_include_bot=False)
    fake.add_user("UADMIN", admin=True)
    fake.add_user("UEN", locale="en-US")
    async with open_slack(make_app(tmp_path, fake, "http"), fake) as h:
        yield h


async def opted(app: Bot) -> list[OptedIn]:
    return await app.store.destinations.opted_in()


async def answer(slack: Harness, text: str, **fields: str) -> dict[str, object]:
    url = await slack.command("/briefing", text, **fields)
    await until(lambda: slack.fake.responses(url))
    [said] = slack.fake.responses(url)
    return said


async def test_a_workspace_admin_opts_a_channel_in_and_a_member_is_refused(
    slack: Harness,
) -> None:
    refused = await answer(slack, "here", channel_id="C2", user_id="U1")
    assert "관리자만 /briefing here" in str(refused["text"])
    assert refused["response_type"] == "ephemeral" and await opted(slack.app) == []
    done = await answer(slack, "here", channel_id="C2", user_id="UADMIN")
    assert str(done["text"]).startswith("매일 08:30 (Asia/Seoul)에 이 채널로")
    assert done["response_type"] == "in_channel"
    [channel] = await opted(slack.app)
    assert (channel.chat, channel.by) == ("C2", "UADMIN")
    asked = [c.params["user"] for c in slack.fake.calls_to("users.info")]
    assert asked == ["U1", "UADMIN"]  # once per user: remembered after


async def test_the_next_delivery_reaches_the_opted_in_channel_and_not_a_stopped_one(
    slack: Harness,
) -> None:
    await answer(slack, "here", channel_id="C2", user_id="UADMIN")
    report = await slack.app.engine.deliver()
    assert report.failed == 0
    parent, *replies = slack.fake.messages("C2")
    assert parent.thread_ts is None and replies
    assert all(r.thread_ts == parent.ts for r in replies)
    stopped = await answer(slack, "stop", channel_id="C2", user_id="UADMIN")
    assert "더 보내지 않습니다" in str(stopped["text"]) and await opted(slack.app) == []
    pinned = await answer(slack, "stop", channel_id="C1", user_id="UADMIN")
    assert "운영자가 설정에 고정" in str(pinned["text"])


async def test_a_channel_without_the_app_is_told_how_to_invite_it(slack: Harness) -> None:
    said = await answer(slack, "here", channel_id="C3", user_id="UADMIN")
    assert "/invite" in str(said["text"]) and await opted(slack.app) == []


async def test_not_in_channel_at_delivery_ends_the_opt_in(slack: Harness) -> None:
    await answer(slack, "here", channel_id="C2", user_id="UADMIN")
    slack.fake.add_channel("C2", members_include_bot=False)  # removed while the bot was down
    report = await slack.app.engine.deliver()
    assert any("slack:C2" in f and "opt-in ended" in f for f in report.failures)
    assert await opted(slack.app) == []


async def test_joining_says_how_to_opt_in_and_leaving_ends_the_destination(
    slack: Harness,
) -> None:
    joined = {"type": "member_joined_channel", "user": "UBOT", "channel": "C2",
              "channel_type": "C", "team": "T0001"}  # fmt: skip
    someone = {**joined, "user": "U1"}
    assert (await slack.event(someone, "Ev1"))[0] == 200
    assert (await slack.event(joined, "Ev2"))[0] == 200
    await until(lambda: slack.fake.messages("C2"))
    [hello] = slack.fake.messages("C2")
    assert "/briefing here" in hello.text
    await answer(slack, "here", channel_id="C2", user_id="UADMIN")
    await slack.event({"type": "channel_left", "channel": "C2", "actor_id": "U1"}, "Ev3")

    async def gone() -> bool:
        return await opted(slack.app) == []

    await until(gone)


async def test_a_reader_whose_locale_is_english_gets_english_and_status(
    slack: Harness,
) -> None:
    url = await slack.command("/briefing", "", user_id="UEN")
    await until(lambda: slack.fake.responses(url))
    help_en = json.dumps(slack.fake.responses(url), ensure_ascii=False)
    assert "(Neural Briefing) commands" in help_en and "/briefing here" in help_en
    await answer(slack, "here", channel_id="C2", user_id="UADMIN")
    status = await answer(slack, "status", channel_id="C2", user_id="UEN")
    assert str(status["text"]).startswith("This channel: opted in by UADMIN on")
    assert "every day at 08:30 (Asia/Seoul)" in str(status["text"])
    info = [c for c in slack.fake.calls_to("users.info") if c.params["user"] == "UEN"]
    assert info and info[0].params.get("include_locale") in (True, "true", "1")


async def test_an_answer_only_the_asker_sees_speaks_theirs_and_one_the_channel_reads_its_own(
    slack: Harness,
) -> None:
    """A slash command's ephemeral answer in a channel is the asker's: their language (their
    locale here) even where the channel chose another; a mention's answer, read by the whole
    channel, speaks the channel's."""
    await answer(slack, "lang ko", channel_id="C2", user_id="UADMIN")  # the channel: Korean
    url = await slack.command("/term", "NP-hard", channel_id="C2", user_id="UEN")
    await until(lambda: slack.fake.responses(url))
    said = json.dumps(slack.fake.responses(url), ensure_ascii=False)
    assert "Also known as:" in said and "다른 이름" not in said

    async with slack.session.post(  # stands in for the user's message, so that the fake knows it
        f"{slack.fake.base_url}chat.postMessage",
        headers={"Authorization": "Bearer xoxb-test-token"},
        json={"channel": "C2", "text": "<@UBOT> term NP-hard"},
    ) as posted:
        ts = (await posted.json())["ts"]
    mention = {"type": "app_mention", "channel": "C2", "user": "UEN",
               "text": "<@UBOT> term NP-hard", "ts": ts}  # fmt: skip
    await slack.event(mention, "EvMention")
    await until(lambda: len(slack.fake.messages("C2")) == 2)
    assert "다른 이름:" in json.dumps(slack.fake.messages("C2")[1].blocks, ensure_ascii=False)
