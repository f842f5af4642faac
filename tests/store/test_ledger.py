"""The ledger: every state change survives a restart once committed, and nothing before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tinydb import TinyDB

from bot.core.model.messages import MessageRef
from bot.store import Ledger, RunLog, Store

DEST = "telegram:dm:42"
PARENT = MessageRef("telegram", "42", "7")


def reopen(path: Path) -> Ledger:
    return Ledger(Store.open(path))


async def test_each_state_is_durable_once_committed(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    ledger = reopen(path)
    ledger.mark_pending(1, DEST, 0)
    assert reopen(path).parts(1, DEST) == {}  # not committed: not there after a crash
    await ledger.commit()
    assert reopen(path).parts(1, DEST)[0].state == "pending"
    assert reopen(path).started(DEST) == [1]
    ledger.mark_sent(1, DEST, 0, PARENT)
    ledger.mark_pending(1, DEST, 1)
    await ledger.commit()
    parts = reopen(path).parts(1, DEST)
    assert parts[0].state == "sent" and parts[0].ref == PARENT
    assert parts[1].state == "pending" and parts[1].ref is None


async def test_done_replaces_the_parts_with_one_marker(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    ledger = reopen(path)
    ledger.mark_sent(1, DEST, 0, PARENT)
    ledger.mark_sent(1, DEST, 1, MessageRef("telegram", "42", "8", "7"))
    ledger.mark_done(1, DEST, 2)
    await ledger.commit()
    again = reopen(path)
    assert again.is_done(1, DEST) and not again.is_done(2, DEST)
    assert again.parts(1, DEST) == {} and again.started(DEST) == []
    with TinyDB(path) as db:
        docs = db.table("deliveries").all()
    assert len(docs) == 1 and docs[0]["parent"] == "7" and docs[0]["parts"] == 2


async def test_the_first_release_time_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    first, later = datetime(2024, 5, 1, 8, 30, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)
    ledger = reopen(path)
    assert ledger.released_at(1) is None
    assert ledger.release(1, first) == first
    await ledger.commit()
    again = reopen(path)
    assert again.release(1, later) == first and again.released_at(1) == first


async def test_the_last_scheduled_run_is_remembered(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    due = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert RunLog(Store.open(path)).last_run() is None
    await RunLog(Store.open(path)).record(due)
    assert RunLog(Store.open(path)).last_run() == due
