"""A flood of commands during a delivery run (issue 23, item 8), against the fake Bot API with
its flood limits on, in real time: the run loses no reader and keeps its share of Telegram's
30 messages a second, nothing is answered 429, and each flooding user gets their quota of
answers and one notice. Assertions are on what the fake received: who got what, and how the
slots of the run were shared (counts, not seconds)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.infra.pacing import ANSWER_SHARE
from bot.store.backend import TinyBackend
from tests.support.telegram import Harness, command, open_harness

READERS = 100  # 300 messages, packed: about 10 s at 29.1 a second
FLOODERS, COMMANDS, QUOTA = 20, 30, 2
FIRST_READER, FIRST_FLOODER = 7_000_000, 8_000_000
ISSUE_1 = 11  # messages of an `/issue 1` answer (one per section, as a group gets it)


async def subscribe(h: Harness, readers: int) -> list[int]:
    assert isinstance(h.app.store, TinyBackend)
    table = h.app.store.store.table("subscriptions")
    since = datetime(2024, 1, 1, tzinfo=UTC)
    chats = [FIRST_READER + n for n in range(readers)]
    for n, user in enumerate(chats):
        h.fake.add_chat(user, "private")
        table.put(f"telegram:{user}", {"platform": "telegram", "user": str(user), "chat": str(user),
                                        "since": (since + timedelta(minutes=n)).isoformat()})  # fmt: skip
    await h.app.store.store.commit()
    return chats


def flood(h: Harness) -> list[int]:
    """FLOODERS users, each sending `/issue 1` COMMANDS times at once in their private chat."""
    users = [FIRST_FLOODER + n for n in range(FLOODERS)]
    now = int(time.time())
    for user in users:
        chat = {"id": user, "first_name": "Flood", "type": "private"}
        for n in range(COMMANDS):
            h.fake.push_update(command(chat, 1 + n, "/issue 1", user=user, date=now))
    return users


async def settled(h: Harness, users: list[int], expected: int) -> None:
    """Until every flooding user has `expected` messages and no update is left to handle."""
    processor = h.platform.application.update_processor
    async with asyncio.timeout(120):
        while any(len(h.fake.messages(user)) < expected for user in users):
            await h.fake.wait_for_calls("sendMessage", len(h.fake.calls_to("sendMessage")) + 1, 30)
        while h.fake.pending_updates() or processor.current_concurrent_updates:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # PTB offers nothing to wait on


async def test_a_flood_of_commands_neither_drops_readers_nor_provokes_429s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {"bot": {"commands_per_minute": QUOTA}, "within": 180, "scale": 1}
    async with open_harness(tmp_path, monkeypatch, **options) as h:
        readers = await subscribe(h, READERS)
        run = asyncio.create_task(h.app.engine.deliver(1))
        await h.fake.wait_for_calls("sendMessage", 1, 10)  # the run has begun
        users = flood(h)
        report = await run
        per_user = QUOTA * ISSUE_1 + 1
        await settled(h, users, per_user)

        assert h.fake.stats()["rate_limited"] == 0, h.fake.stats()["flood"]  # no send met a 429
        assert (report.failed, report.unsubscribed) == (0, 0), report.failures
        assert all(len(h.fake.messages(chat)) == 3 for chat in readers)  # every reader, whole
        for user in users:
            got = h.fake.messages(user)
            assert len(got) == per_user  # the quota's answers, one notice, then silence
            assert "다시 해 주세요" in got[-1].plain_text, got[-1].plain_text
            assert all("다시 해 주세요" not in m.plain_text for m in got[:-1])

        # While the run went, answers had no more than their share of its slots.
        delivered = sorted(m.at for chat in readers for m in h.fake.messages(chat))
        first, last = delivered[0], delivered[-1]
        answered = [m.at for u in users for m in h.fake.messages(u) if first <= m.at <= last]
        share = len(answered) / (len(answered) + len(delivered))
        assert len(answered) > 0  # answers still went first, within their share
        assert share <= ANSWER_SHARE + 0.05, share  # the run kept ≥ 0.85 of the slots
