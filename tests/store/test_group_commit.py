"""Group commit (#27): concurrent commits share one write (one journal line + fsync on tinydb,
one transaction on PostgreSQL), and no caller returns before a write that includes its own
changes has ended."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from bot.core.ports import Ledger as LedgerPort
from bot.store import Ledger, Store
from bot.store.group_commit import GroupCommit
from bot.store.postgres.backend import PgBackend
from tests.support.wait import until

WORKERS, EACH = 50, 10  # workers marking at once, each one destination after another
MARKS = WORKERS * EACH


def dest(n: int) -> str:
    return f"telegram:dm:{1000 + n}"


async def mark_all(ledger: LedgerPort) -> None:
    """As the delivery workers do: mark a part pending, commit, then the next destination."""

    async def worker(w: int) -> None:
        for k in range(w, MARKS, WORKERS):
            ledger.mark_pending(1, dest(k), 0)
            await ledger.commit()

    await asyncio.gather(*(worker(w) for w in range(WORKERS)))


async def test_tinydb_writes_concurrent_marks_as_few_journal_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    store = Store.open(path)
    await mark_all(Ledger(store))
    lines = path.with_name("d.json.journal").read_bytes().splitlines()
    assert len(lines) <= 2 * EACH, f"{MARKS} marks by {WORKERS} workers took {len(lines)} writes"
    reopened = Ledger(Store.open(path, fold=False))  # what a crash now would leave
    assert all(reopened.parts(1, dest(k))[0].state == "pending" for k in range(MARKS))


async def test_postgres_writes_concurrent_marks_in_few_transactions(
    replica: Callable[[], PgBackend], database_url: str
) -> None:
    backend = replica()
    await mark_all(backend.ledger)
    with psycopg.connect(database_url) as conn:  # a row's xmin: the transaction that wrote it
        row = conn.execute(
            "SELECT count(*), count(DISTINCT xmin::text) FROM delivery_parts"
            " WHERE state = 'pending'"
        ).fetchone()
    assert row is not None
    marks, transactions = row
    assert marks == MARKS
    assert transactions <= 2 * EACH, f"{MARKS} marks took {transactions} transactions"


async def test_a_commit_waits_for_a_write_that_includes_it() -> None:
    """B commits while A's write is in flight: A's write may not cover B's change, so B returns
    only after a second write; both writes together serve any number of callers."""
    started: list[asyncio.Event] = []
    finish: list[asyncio.Event] = []

    async def write() -> None:
        started.append(asyncio.Event())
        finish.append(asyncio.Event())
        started[-1].set()
        await finish[-1].wait()

    group = GroupCommit(write)
    a = asyncio.ensure_future(group())
    await until(lambda: len(started) == 1, "the first write")
    b = [asyncio.ensure_future(group()) for _ in range(10)]
    finish[0].set()
    await a
    await until(lambda: len(started) == 2, "the second write")
    assert not any(task.done() for task in b), "returned on a write begun before its commit"
    finish[1].set()
    await asyncio.gather(*b)
    assert len(started) == 2


async def test_a_failed_write_fails_its_callers_and_the_next_commit_writes_again() -> None:
    attempts = 0

    async def write() -> None:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0)
        if attempts == 1:
            raise OSError("disk full")

    group = GroupCommit(write)
    results = await asyncio.gather(group(), group(), return_exceptions=True)
    assert any(isinstance(r, OSError) for r in results)
    await group()
    assert attempts >= 2


async def test_a_cancelled_caller_leaves_the_write_going() -> None:
    done = asyncio.Event()
    release = asyncio.Event()

    async def write() -> None:
        await release.wait()
        done.set()

    group = GroupCommit(write)
    caller = asyncio.ensure_future(group())
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    release.set()
    await asyncio.wait_for(done.wait(), 5)
