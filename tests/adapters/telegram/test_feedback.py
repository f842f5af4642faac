"""Readers' feedback on Telegram, against the fake Bot API: `message_reaction` (a reader's
whole list, in a group where the bot is an administrator) counts for the section of the
message, a changed list replaces the reader's, and `message_reaction_count` (a channel's
anonymous totals) counts too; the polling asks for both in allowed_updates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.core.feedback import IssueFeedback
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage
from tests.support.telegram import ADMIN, FORUM, USER, Harness, command, private
from tests.support.wait import until

GROUP, CHANNEL = -1005550000, -1005550001
PRIVATE_ADMIN = private(ADMIN)


async def top(h: Harness) -> tuple[tuple[str, int], ...]:
    [one] = await h.app.store.feedback.totals([1])
    return one.top


def counted(h: Harness, want: tuple[tuple[str, int], ...]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await top(h) == want

    return check


def prepare(fake: FakeTelegramAPI) -> None:
    fake.add_chat(GROUP, "supergroup")
    fake.add_chat(CHANNEL, "channel")
    fake.set_member(GROUP, fake.bot_id, "administrator")
    fake.set_member(CHANNEL, fake.bot_id, "administrator")


async def deliver(h: Harness) -> tuple[list[SentMessage], list[SentMessage]]:
    prepare(h.fake)
    h.app.engine.planner.channels = {"telegram": [str(GROUP), str(CHANNEL)]}  # [telegram] chats
    report = await h.app.engine.deliver()
    assert report.sent == 22
    return h.fake.messages(GROUP), h.fake.messages(CHANNEL)


async def test_a_readers_reactions_count_for_the_section(harness: Harness) -> None:
    group, _ = await deliver(harness)
    google, reddit = group[1], group[6]
    assert harness.fake.react(reddit, USER, [], ["👍"])
    assert harness.fake.react(reddit, ADMIN, [], ["🔥", "👍"])
    assert harness.fake.react(google, USER, [], ["👍"])
    await until(counted(harness, (("레딧", 3), ("구글블로그", 1))), "the reactions counted")
    harness.fake.react(reddit, ADMIN, ["🔥", "👍"], ["🔥"])  # the whole list again
    harness.fake.react(google, USER, ["👍"], [])
    await until(counted(harness, (("레딧", 2),)), "the changed lists counted")
    calls = harness.fake.calls_to("getUpdates")
    assert any("message_reaction" in str(c.params.get("allowed_updates")) for c in calls)


async def test_a_channels_anonymous_totals_count(harness: Harness) -> None:
    _, channel = await deliver(harness)
    assert harness.fake.reaction_counts(channel[2], {"👍": 4, "❤": 1})
    await until(counted(harness, (("AWS Machine Learning Blog", 5),)), "the totals counted")
    assert harness.fake.reaction_counts(channel[2], {"👍": 2})  # totals replace totals
    await until(counted(harness, (("AWS Machine Learning Blog", 2),)), "the new totals")
    assert await harness.app.store.feedback.totals([1]) == [
        IssueFeedback(1, top=(("AWS Machine Learning Blog", 2),))
    ]


async def press(h: Harness, message: SentMessage, data: str, user: int) -> str:
    """`user` presses a button of `message` with `data`; the answer's text (a toast)."""
    query = h.fake.press(message, data, user=user)
    await until(lambda: query in h.fake.callback_answers, "the press answered")
    return str(h.fake.callback_answers[query].get("text"))


async def test_votes_by_two_readers_in_a_group_and_a_changed_vote(harness: Harness) -> None:
    group, _ = await deliver(harness)
    parent, *replies = group
    assert [b["callback_data"] for b in parent.buttons()] == ["vote:1:up", "vote:1:down"]
    assert [b["text"] for b in parent.buttons()] == ["👍", "👎"]
    assert all(not r.buttons() for r in replies)
    assert "👍 의견을 남겼습니다" in await press(harness, parent, "vote:1:up", USER)
    assert "👍 의견을 남겼습니다" in await press(harness, parent, "vote:1:up", ADMIN)
    assert "바꿨습니다" in await press(harness, parent, "vote:1:down", USER)
    assert await harness.app.store.feedback.totals([1]) == [IssueFeedback(1, up=1, down=1)]
    [report] = await harness.answers(ADMIN)  # the delivery run's report to the admin
    assert report.plain_text.startswith("발송 보고 · 제 1호")
    harness.fake.push_update(command(PRIVATE_ADMIN, 50, "/stats", user=ADMIN))
    answer = (await harness.answers(ADMIN, 2))[1]
    assert "제 0001호: 👍 1 · 👎 1" in answer.plain_text
    harness.fake.push_update(command(PRIVATE_ADMIN, 51, "/briefing stats 1", user=ADMIN))
    assert "제 0001호: 👍 1 · 👎 1" in (await harness.answers(ADMIN, 3))[2].plain_text
    harness.fake.add_chat(USER, "private")
    harness.fake.push_update(command(private(USER), 52, "/briefing stats 1"))
    [refused] = await harness.answers(USER)  # a reader is no editor: only totals, to editors
    assert "편집자와 관리자만" in refused.plain_text
    harness.fake.push_update(command(private(USER), 53, "/briefing stats"))
    assert "관리자만" in (await harness.answers(USER, 2))[1].plain_text  # the admins' /stats


async def test_a_forged_callback_is_answered_and_counts_nothing(harness: Harness) -> None:
    group, _ = await deliver(harness)
    for data in ("vote:1:meh", "vote:-1:up", "vote:2:up", "nav:x", "ballot:1:up"):
        assert await press(harness, group[0], data, USER)  # a short word, never silence
    assert await harness.app.store.feedback.totals([1, 2]) == [IssueFeedback(1), IssueFeedback(2)]


async def test_a_reaction_in_a_forum_topic_counts(harness: Harness) -> None:
    harness.fake.add_chat(FORUM, "supergroup", is_forum=True, topics=[7])
    harness.fake.set_member(FORUM, harness.fake.bot_id, "administrator")
    harness.app.engine.planner.channels = {"telegram": [f"{FORUM}:7"]}  # a topic's address
    assert (await harness.app.engine.deliver()).sent == 11
    arxiv = harness.fake.messages(FORUM)[5]
    assert arxiv.message_thread_id == 7
    assert harness.fake.react(arxiv, USER, [], ["🤯"])  # the update names the chat, no topic
    await until(counted(harness, (("arXiv", 1),)), "the topic's reaction counted")


@pytest.mark.parametrize("harness", [{"bot": {"feedback": False}}], indirect=True)
async def test_feedback_off_means_no_buttons_and_nothing_counted(harness: Harness) -> None:
    group, _ = await deliver(harness)
    assert all(not sent.buttons() for sent in group)
    assert harness.fake.react(group[6], USER, [], ["👍"])
    assert "의견을 받지 않습니다" in await press(harness, group[0], "vote:1:up", USER)
    harness.fake.push_update(command(PRIVATE_ADMIN, 50, "/stats", user=ADMIN))
    [answer] = await harness.answers(ADMIN)
    assert "👍" not in answer.plain_text
    assert await harness.app.store.feedback.totals([1]) == [IssueFeedback(1)]
