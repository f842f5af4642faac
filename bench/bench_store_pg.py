"""The PostgreSQL backend at 100,000 subscribers beside tinydb: durable subscribe and
unsubscribe p50/p99, listing every subscriber (what planning a delivery reads) and start-up
(schema check and ledger load), each with the tinydb figure as its baseline. The server is a
temporary one started as the tests start theirs (tests/pg.py), with fsync on."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.bench_store import _ours, measure, seed_file
from bench.common import report, summary
from bot.store.postgres.backend import open_postgres
from tests.pg import PostgresServer

N = 100_000
OPS = ("subscribe", "unsubscribe", "list")


def _seed_database(server: PostgresServer, url: str, n: int) -> None:
    open_postgres(url)  # creates the schema
    server.sql(
        "INSERT INTO subscriptions (platform, user_id, chat, since) SELECT 'telegram', i::text,"
        f" i::text, now() FROM generate_series(0, {n - 1}) AS i",
        "bench",
    )


async def _postgres(url: str, n: int) -> dict[str, list[float]]:
    start = time.perf_counter()
    backend = open_postgres(url)
    opened = (time.perf_counter() - start) * 1e6
    try:
        await backend.subscriptions.count()  # the pool opens on first use, not in the figures
        return {"open": [opened], **await measure(backend.subscriptions, n)}
    finally:
        await backend.close()


def main() -> list[str]:
    server = PostgresServer(durable=True).start()
    try:
        url = server.create_database("bench")
        _seed_database(server, url, N)
        postgres = asyncio.run(_postgres(url, N))
    finally:
        server.stop()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.json"
        seed_file(path, N)
        tiny = asyncio.run(_ours(path, N))
    lines = []
    for op in OPS:
        for q, (ours, theirs) in (
            ("p50", (summary(postgres[op])[0], summary(tiny[op])[0])),
            ("p99", (summary(postgres[op])[1], summary(tiny[op])[1])),
        ):
            goal = "p99 < 10,000 µs" if op == "subscribe" and q == "p99" else ""
            name = f"postgres {N:,} subscribers: {op} {q}"
            lines.append(report(name, ours, "µs", theirs, goal))
    lines.append(report(f"postgres {N:,} subscribers: open", postgres["open"][0], "µs",
                        tiny["open"][0]))  # fmt: skip
    concurrent = postgres["200 concurrent subscribes"][0]
    lines.append(report(f"postgres {N:,} subscribers: 200 concurrent subscribes, total",
                        concurrent, "µs", tiny["200 concurrent subscribes"][0]))  # fmt: skip
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
