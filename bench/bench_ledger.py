"""Ledger bench (#27): durable marks per second, group commit against one commit per mark.

The delivery engine marks a part pending and commits before it sends it (docs: the ledger
protocol in bot/core/delivery/engine.py). With many workers their commits arrive together; the
ledger writes every mark that arrived while a write was in flight in the next one (one journal
line + one fsync on tinydb, one transaction in one pipeline on PostgreSQL, fsync on).

- **group commit**: `BENCH_LEDGER_DESTINATIONS` (100,000; quick 10,000) destinations, `WORKERS`
  (512, paid broadcast's) at once, each `mark_pending` + `commit()` per destination;
- **baseline, one commit per mark**: the same, one worker: every mark waits for its own write
  (measured on the first `SERIAL` destinations: at one fsync each, 100,000 would take minutes).

Both on the tinydb backend (its journal fsynced) and on PostgreSQL (a temporary durable server,
tests/pg.py). Goal: >= 10x on tinydb.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.bench_fanout import line
from bot.core.ports import Ledger
from bot.store.postgres.backend import open_postgres
from bot.store.tinydb.ledger import Ledger as TinyLedger
from bot.store.tinydb.snapshot import Store
from tests.pg import PostgresServer

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DESTINATIONS = int(os.environ.get("BENCH_LEDGER_DESTINATIONS", "10000" if QUICK else "100000"))
SERIAL = 500 if QUICK else 2000
WORKERS = 512


def _keys(n: int, offset: int = 0) -> Iterator[str]:
    return (f"telegram:dm:{10_000_000 + offset + i}" for i in range(n))


async def serial(ledger: Ledger, n: int) -> float:
    """Marks a second, each committed on its own."""
    started = time.perf_counter()
    for key in _keys(n, offset=DESTINATIONS):
        ledger.mark_pending(1, key, 0)
        await ledger.commit()
    return n / (time.perf_counter() - started)


async def grouped(ledger: Ledger, n: int, workers: int = WORKERS) -> float:
    """Marks a second, `workers` marking and committing at once."""
    keys = _keys(n)

    async def worker() -> None:
        for key in keys:
            ledger.mark_pending(1, key, 0)
            await ledger.commit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return n / (time.perf_counter() - started)


async def _tinydb(path: Path) -> tuple[float, float]:
    store = Store.open(path)
    ledger = TinyLedger(store)
    try:
        return await grouped(ledger, DESTINATIONS), await serial(ledger, SERIAL)
    finally:
        await store.close()


async def _postgres(url: str) -> tuple[float, float]:
    backend = open_postgres(url)
    try:
        await backend.subscriptions.count()  # the pool opens before the figures
        return await grouped(backend.ledger, DESTINATIONS), await serial(backend.ledger, SERIAL)
    finally:
        await backend.close()


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        tiny = asyncio.run(_tinydb(Path(tmp) / "ledger.json"))
    server = PostgresServer(durable=True).start()
    try:
        postgres = asyncio.run(_postgres(server.create_database("ledger")))
    finally:
        server.stop()
    lines = []
    for name, (group, one), goal in (("tinydb", tiny, 10.0), ("postgres", postgres, None)):
        text = line(
            f"ledger {name}, {DESTINATIONS:,} destinations, {WORKERS} workers: marks/s",
            f"{group:,.0f}", f"{one:,.0f} (one commit per mark)", f"{group / one:.1f}x",
        )  # fmt: skip
        if goal is not None:
            text += f" [goal: >= {goal:g}x: {'met' if group / one >= goal else 'NOT met'}]"
        lines.append(text)
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
