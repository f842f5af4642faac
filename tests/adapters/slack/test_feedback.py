"""Readers' feedback on Slack, end to end against the fake Slack API: reactions on a delivered
thread's messages count for the section the message carried (`reaction_removed` takes one
back, an event delivered twice counts once), and `/stats` shows only the totals."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from bot.core.feedback import IssueFeedback
from tests.fakes.slack_api import block_actions, reaction_event
from tests.support.slack import Harness, buttons
from tests.support.wait import until


async def stats(slack: Harness) -> str:
    url = await slack.command("/briefing", "stats", user_id="U2")  # U2 is the admin
    await until(lambda: slack.fake.responses(url))
    return json.dumps(slack.fake.responses(url), ensure_ascii=False)


async def delivered(slack: Harness) -> list[str]:
    """Issue 1 delivered to C1: the ts of its parent and of each reply."""
    report = await slack.app.engine.deliver()
    assert report.sent == 11
    return [m.ts for m in slack.fake.messages("C1")]


async def top(slack: Harness) -> tuple[tuple[str, int], ...]:
    [one] = await slack.app.store.feedback.totals([1])
    return one.top


def counted(slack: Harness, want: tuple[tuple[str, int], ...]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await top(slack) == want

    return check


async def test_reactions_count_for_the_section_of_their_message(slack: Harness) -> None:
    ts = await delivered(slack)
    parent, google, reddit = ts[0], ts[1], ts[6]  # the parent, 구글블로그 and 레딧
    events = [
        ("reaction_added", "U1", reddit, "Ev1"),
        ("reaction_added", "U2", reddit, "Ev2"),
        ("reaction_added", "U1", google, "Ev3"),
        ("reaction_added", "U1", parent, "Ev4"),  # the issue's, no section's
    ]
    for kind, user, ts, event_id in events:
        assert (await slack.event(reaction_event(kind, user, "C1", ts), event_id))[0] == 200
    await until(counted(slack, (("레딧", 2), ("구글블로그", 1))), "the reactions counted")
    assert "반응 많은 섹션: 레딧 2, 구글블로그 1" in await stats(slack)
    await slack.event(reaction_event("reaction_removed", "U2", "C1", reddit), "Ev5")
    await until(counted(slack, (("구글블로그", 1), ("레딧", 1))), "the removal counted")
    [one] = await slack.app.store.feedback.totals([1])
    assert (one.up, one.down) == (0, 0)  # a reaction is not a vote


async def test_the_same_event_twice_counts_once(slack: Harness) -> None:
    ts = await delivered(slack)
    google, reddit = ts[1], ts[6]
    added = reaction_event("reaction_added", "U1", "C1", google, "tada")
    await slack.event(added, "EvAdd")
    await until(counted(slack, (("구글블로그", 1),)), "the reaction counted")
    await slack.event(reaction_event("reaction_removed", "U1", "C1", google, "tada"), "EvDel")
    await until(counted(slack, ()), "the removal counted")
    await slack.event(added, "EvAdd", **{"X-Slack-Retry-Num": "1"})  # Slack's retry
    await slack.event(added, "EvAdd")  # the same event again, as to another replica
    await slack.event(reaction_event("reaction_added", "U2", "C1", reddit), "EvMarker")
    await until(counted(slack, (("레딧", 1),)), "the event after the repeats")
    assert await top(slack) == (("레딧", 1),)  # the repeated add did not bring it back


async def test_a_reaction_on_another_message_counts_nothing(slack: Harness) -> None:
    _, google, *_ = await delivered(slack)
    await slack.event(reaction_event("reaction_added", "U1", "C1", "1.000"), "EvElse")
    await slack.event(reaction_event("reaction_added", "U1", "C1", google), "EvMarker")
    await until(counted(slack, (("구글블로그", 1),)), "the marker counted")
    assert "반응 많은 섹션: 구글블로그 1" in await stats(slack)


async def press(slack: Harness, button: dict[str, Any], user: str) -> str:
    """`user` presses `button` of a message in C1; the text of the one answer they see."""
    url = slack.fake.response_url()
    body = urlencode({"payload": json.dumps(block_actions(button, url, user=user))})
    assert (await slack.post(body))[0] == 200
    await until(lambda: slack.fake.responses(url))
    [answer] = slack.fake.responses(url)
    assert answer["response_type"] == "ephemeral" and not answer["replace_original"]
    return str(answer["text"])


async def test_a_delivered_parent_carries_both_buttons_and_only_it(slack: Harness) -> None:
    await delivered(slack)
    parent, *replies = slack.fake.messages("C1")
    votes = buttons({"blocks": parent.blocks}, "vote")
    assert [(b["text"]["text"], b["value"]) for b in votes] == [
        ("👍", "vote:1:up"),
        ("👎", "vote:1:down"),
    ]
    assert not any(buttons({"blocks": r.blocks}, "vote") for r in replies)


async def test_two_readers_vote_and_one_changes_and_withdraws(slack: Harness) -> None:
    await delivered(slack)
    up, down = buttons({"blocks": slack.fake.messages("C1")[0].blocks}, "vote")
    assert "👍 의견을 남겼습니다" in await press(slack, up, "U1")
    assert "👎 의견을 남겼습니다" in await press(slack, down, "U2")
    assert "바꿨습니다" in await press(slack, down, "U1")  # U1 changes to 👎
    assert "👍 0 · 👎 2" in await stats(slack)
    assert "거둬들였습니다" in await press(slack, down, "U2")  # the same button again
    assert await slack.app.store.feedback.totals([1]) == [IssueFeedback(1, up=0, down=1)]
    url = await slack.command("/briefing", "stats 1", user_id="U2")
    await until(lambda: slack.fake.responses(url))
    assert "제 0001호: 👍 0 · 👎 1" in slack.fake.responses(url)[0]["text"]


async def test_a_forged_or_stale_press_is_answered_and_counts_nothing(slack: Harness) -> None:
    await delivered(slack)
    up, _ = buttons({"blocks": slack.fake.messages("C1")[0].blocks}, "vote")
    for value, said in [
        ("vote:1:sideways", "알 수 없는 버튼"),
        ("vote:U1:up", "알 수 없는 버튼"),
        ("vote:999:up", "더 이상 쓸 수 없습니다"),
        ("vote:1", "알 수 없는 버튼"),
    ]:
        assert said in await press(slack, {**up, "value": value}, "U1")
    assert await slack.app.store.feedback.totals([1, 999]) == [IssueFeedback(1), IssueFeedback(999)]
