"""The audit log through the commands, on both store backends: each admin action (`/post`,
`/reload`, a channel's opt-in, opt-out, time and language, `/forget`) is recorded once, with who
and where; `/briefing audit [N]` shows the newest to admins only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.content.loader import Content
from tests.support.stores import Opener
from tests.support.world import World


@pytest.fixture
def world(reopen: Opener, content: Content) -> World:
    return World(reopen(), content)


async def test_each_admin_action_is_recorded_once_with_who_and_where(world: World) -> None:
    await world.ask("/subscribe", chat="dm-r1", user="r1")
    for line in ("/briefing here", "/briefing here", "/briefing time 07:30 Europe/Berlin",
                 "/briefing time 07:30 Europe/Berlin", "/briefing lang en", "/briefing stop",
                 "/briefing stop"):  # fmt: skip
        await world.ask(line)
    await world.ask("/post 1", chat="OPS", user="operator")
    await world.ask("/reload", chat="OPS", user="operator")
    await world.ask("/lang en", chat="dm-r1", user="r1")  # a reader's own choice: not audited
    await world.ask("/forget confirm", chat="dm-r1", user="r1")
    entries = await world.store.audit.since(datetime(2000, 1, 1, tzinfo=UTC))
    seen = [(e.who, e.where, e.action) for e in entries]
    assert seen == [
        ("fake:boss", "fake:G1", "opt-in"),
        ("fake:boss", "fake:G1", "channel-time"),
        ("fake:boss", "fake:G1", "channel-lang"),
        ("fake:boss", "fake:G1", "opt-out"),
        ("fake:operator", "fake:OPS", "post"),
        ("fake:operator", "fake:OPS", "reload"),
        ("fake:(forgotten)", "fake:dm", "forget"),
    ]
    details = {e.action: e.detail for e in entries}
    assert details["channel-time"] == "07:30 Europe/Berlin" and details["channel-lang"] == "en"
    assert details["post"].startswith("issue 1: destinations ")
    assert "r1" not in details["forget"] and "subscriptions" in details["forget"]


async def test_a_refused_change_is_not_recorded(world: World) -> None:
    await world.ask("/briefing here", user="someone")  # not the chat's admin
    await world.ask("/post", user="someone")
    assert await world.store.audit.recent(10) == []


async def test_briefing_audit_shows_the_newest_to_admins_only(world: World) -> None:
    await world.ask("/briefing here")
    await world.ask("/briefing stop")
    shown = await world.ask("/briefing audit 1", chat="OPS", user="operator")
    assert shown.message.title == "감사 기록 (최근 1건)"
    assert "fake:boss opt-out in fake:G1" in shown.message.plain
    assert "opt-in" not in shown.message.plain
    refused = await world.ask("/briefing audit", user="boss")
    assert refused.message.plain == "관리자만 쓸 수 있는 명령입니다. ([bot] admins)"
    too_many = await world.ask("/briefing audit 60", chat="OPS", user="operator")
    assert "최대 50" in too_many.message.plain
