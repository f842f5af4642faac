"""The store at 1,000 / 10,000 / 100,000 subscribers: durable (fsynced) subscribe, unsubscribe
and list-all, ours beside plain TinyDB (default JSON storage, a linear query per upsert) in the
same run."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import orjson
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

from bench.common import report, summary
from bot.core.ports import SubscriptionStore
from bot.store import Store, Subscriptions

SIZES = (1_000, 10_000, 100_000)
OPS = 40
TINYDB_OPS = {1_000: 40, 10_000: 10, 100_000: 3}  # plain TinyDB is too slow for more at 100k


def seed_file(path: Path, n: int) -> None:
    docs = {
        str(i + 1): {"platform": "telegram", "user": str(i), "chat": str(i), "key": f"telegram:{i}"}
        for i in range(n)
    }
    path.write_bytes(orjson.dumps({"subscriptions": docs}))


class _FsyncJSONStorage(JSONStorage):  # type: ignore[misc]
    """Plain TinyDB JSON storage, plus the fsync that durability needs (same rule for both)."""

    def write(self, data: dict[str, object]) -> None:
        super().write(data)
        self._handle.flush()
        os.fsync(self._handle.fileno())


async def _ours(path: Path, n: int) -> dict[str, list[float]]:
    start = time.perf_counter()
    subs = Subscriptions(Store.open(path))
    opened = (time.perf_counter() - start) * 1e6
    return {"open": [opened], **await measure(subs, n)}


async def measure(subs: SubscriptionStore, n: int) -> dict[str, list[float]]:
    """Durable subscribe, unsubscribe, list-all and 200 concurrent subscribes on a store that
    holds `n` subscribers "telegram:0" … (any backend)."""
    times: dict[str, list[float]] = {
        "subscribe": [],
        "unsubscribe": [],
        "list": [],
    }
    for i in range(OPS):
        start = time.perf_counter()
        await subs.subscribe("telegram", f"new{i}", f"new{i}")
        times["subscribe"].append((time.perf_counter() - start) * 1e6)
    for i in range(OPS):
        start = time.perf_counter()
        await subs.unsubscribe("telegram", str(i))
        times["unsubscribe"].append((time.perf_counter() - start) * 1e6)
    for _ in range(5):
        start = time.perf_counter()
        await subs.subscribers()
        times["list"].append((time.perf_counter() - start) * 1e6)
    start = time.perf_counter()
    await asyncio.gather(*(subs.subscribe("slack", f"c{i}", f"D{i}") for i in range(200)))
    times["200 concurrent subscribes"] = [(time.perf_counter() - start) * 1e6]
    assert await subs.count() == n + 200, "concurrent subscribes must lose nothing"
    return times


def _plain(path: Path, ops: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"subscribe": [], "unsubscribe": [], "list": []}
    with TinyDB(path, storage=_FsyncJSONStorage) as db:
        table, q = db.table("subscriptions"), Query()
        for i in range(ops):
            start = time.perf_counter()
            table.upsert(
                {"platform": "telegram", "user": f"new{i}", "chat": f"new{i}"}, q.user == f"new{i}"
            )
            times["subscribe"].append((time.perf_counter() - start) * 1e6)
        for i in range(ops):
            start = time.perf_counter()
            table.remove(q.user == str(i))
            times["unsubscribe"].append((time.perf_counter() - start) * 1e6)
        for _ in range(3):
            start = time.perf_counter()
            table.all()
            times["list"].append((time.perf_counter() - start) * 1e6)
    return times


def main() -> list[str]:
    lines = []
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            ours_path, plain_path = Path(tmp) / "ours.json", Path(tmp) / "plain.json"
            seed_file(ours_path, n)
            seed_file(plain_path, n)
            ours = asyncio.run(_ours(ours_path, n))
            plain = _plain(plain_path, TINYDB_OPS[n])
        for op in ("subscribe", "unsubscribe", "list"):
            p50, p99, _ = summary(ours[op])
            base = summary(plain[op])[1]
            goal = "p99 < 50,000 µs" if n == 100_000 and op != "list" else ""
            lines.append(report(f"store {n:,} subscribers: {op} p50", p50, "µs"))
            lines.append(report(f"store {n:,} subscribers: {op} p99", p99, "µs", base, goal))
        lines.append(report(f"store {n:,} subscribers: open", ours["open"][0], "µs"))
        concurrent = ours["200 concurrent subscribes"][0]
        lines.append(
            report(f"store {n:,} subscribers: 200 concurrent subscribes, total", concurrent, "µs")
        )
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
