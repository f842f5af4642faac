"""Delivery to Telegram through the app's engine, pacer and PTB, against the fake Bot API with
its flood limits on and time compressed: packed threads, one notification per issue, readers
completed in turn. Assertions are on what the fake received, never on how long it took."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.infra.pacing import Pacer
from bot.adapters.telegram.limits import LIMITS
from bot.app import PACE_SCALE_ENV, Bot
from bot.store.backend import TinyBackend
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.telegram import TOKEN, make_app, telegram_for

SCALE = 50  # the fake's and the pacer's clocks run 50 times faster than Telegram's
GROUP = -1005550000
FIRST_READER = 7_000_000


async def deliver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readers: int, **telegram: Any
) -> FakeTelegramAPI:
    """Issue 1 to `readers` DM subscribers (the highest user id subscribed first) and GROUP;
    returns the (closed) fake with everything it received."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(PACE_SCALE_ENV, str(SCALE))
    async with FakeTelegramAPI(TOKEN, enforce_limits=True, time_scale=SCALE) as fake:
        fake.add_chat(GROUP, "supergroup")
        # no admins: the run's report (tests/core/conversation/test_reports.py) is not counted
        app = make_app(
            tmp_path, {"api_url": fake.base_url, "chats": [GROUP], **telegram}, admins=[]
        )
        await subscribe(app, fake, readers)
        platform = await telegram_for(app)
        app.platforms.add(platform)
        await platform.start(receive=False)
        try:
            report = await app.engine.deliver(1)
        finally:
            await platform.stop()
            await app.store.close()
        assert (report.failed, report.retried) == (0, 0), report.failures
    return fake


async def subscribe(app: Bot, fake: FakeTelegramAPI, readers: int) -> None:
    assert isinstance(app.store, TinyBackend)
    table = app.store.store.table("subscriptions")
    early = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(readers):
        user = FIRST_READER + readers - 1 - n  # ids in the reverse of subscription order
        fake.add_chat(user, "private")
        since = (early + timedelta(minutes=n)).isoformat()
        table.put(f"telegram:{user}", {"platform": "telegram", "user": str(user),
                                        "chat": str(user), "since": since})  # fmt: skip
    await app.store.store.commit()


@pytest.fixture(autouse=True)
async def no_task_left() -> AsyncIterator[None]:
    yield
    await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert left == []


def threads(fake: FakeTelegramAPI, chats: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per chat, the sendMessage calls that reached it, in arrival order."""
    calls = [c.params for c in fake.calls_to("sendMessage")]
    ids = {m.text: m for chat in chats for m in fake.messages(chat)}
    return {chat: [p for p in calls if p["chat_id"] == chat and p["text"] in ids] for chat in chats}


async def test_dms_get_packed_threads_and_groups_one_reply_per_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = await deliver(tmp_path, monkeypatch, readers=3)
    readers = [FIRST_READER + n for n in range(3)]
    assert [len(fake.messages(chat)) for chat in readers] == [3, 3, 3]
    assert len(fake.messages(GROUP)) == 11
    for chat in [*readers, GROUP]:
        parent, *replies = fake.messages(chat)
        assert parent.reply_to is None
        assert [m.reply_to for m in replies] == [parent.message_id] * len(replies)
    dm, group = fake.messages(readers[0]), fake.messages(GROUP)
    assert dm[0].plain_text == group[0].plain_text
    body = "\n\n".join(m.plain_text for m in dm[1:])
    assert body == "\n\n".join(m.plain_text for m in group[1:])  # nothing lost, nothing doubled


@pytest.mark.parametrize(("packed", "dm", "group"), [("all", 3, 3), ("none", 11, 11)])
async def test_packed_threads_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packed: str, dm: int, group: int
) -> None:
    fake = await deliver(tmp_path, monkeypatch, readers=1, packed_threads=packed)
    assert (len(fake.messages(FIRST_READER)), len(fake.messages(GROUP))) == (dm, group)


async def test_only_the_parent_notifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = await deliver(tmp_path, monkeypatch, readers=2)
    for chat, thread in threads(fake, [FIRST_READER, FIRST_READER + 1, GROUP]).items():
        silent = [bool(params.get("disable_notification")) for params in thread]
        assert silent == [False] + [True] * (len(thread) - 1), chat


@pytest.mark.parametrize("paid", [False, True])
async def test_allow_paid_broadcast_goes_on_every_message_only_when_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paid: bool
) -> None:
    fake = await deliver(tmp_path, monkeypatch, readers=2, paid_broadcast=paid)
    calls = fake.calls_to("sendMessage")
    assert len(calls) == 3 + 3 + 11  # two packed DMs and the group
    assert [c.params.get("allow_paid_broadcast") for c in calls] == [True if paid else None] * 17
    sent = [m for chat in (FIRST_READER, FIRST_READER + 1, GROUP) for m in fake.messages(chat)]
    assert {m.paid_broadcast for m in sent} == {paid}


@pytest.mark.parametrize(("paid", "overall"), [(False, 30.0), (True, 1000.0)])
def test_paid_broadcast_paces_telegram_to_its_own_overall_limit(
    tmp_path: Path, paid: bool, overall: float
) -> None:
    app = make_app(tmp_path, {"paid_broadcast": paid})
    pacer = app.engine.pacer
    assert isinstance(pacer, Pacer)
    telegram = pacer.limits["telegram"]
    assert telegram.overall is not None and telegram.overall.rate == overall
    assert (telegram.dm, telegram.group) == (LIMITS.dm, LIMITS.group)  # each chat's own holds
