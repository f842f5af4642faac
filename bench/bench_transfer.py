"""`store dump` and `store load` at 100,000 readers (300,000 records: their subscriptions, their
settings and a delivered issue each), on PostgreSQL with fsync on, against PostgreSQL's own
tools in the same run: `pg_dump --data-only` of the same tables (the baseline of the dump) and
`psql` restoring that file into an empty database with the schema made (the baseline of the
load). Also the tinydb side: the same dump loaded into a tinydb file, then dumped from it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import report
from bot.store.kinds import KINDS
from bot.store.postgres.backend import open_postgres
from bot.store.transfer import dump, load
from tests.pg import PostgresServer, pg_bin

N = 100_000
SEED = (
    "INSERT INTO subscriptions (platform, user_id, chat, since) SELECT 'telegram', i::text,"
    " i::text, now() FROM generate_series(1, {n}) AS i",
    "INSERT INTO destination_settings (destination, time, zone, language) SELECT"
    " 'telegram:dm:' || i, '07:30', 'Europe/Berlin', 'en' FROM generate_series(1, {n}) AS i",
    "INSERT INTO deliveries_done (issue, destination, parts, parent, done_at) SELECT 1,"
    " 'telegram:dm:' || i, 11, i::text, now() FROM generate_series(1, {n}) AS i",
)


def _timed(work: object) -> float:
    start = time.perf_counter()
    assert callable(work)
    work()
    return time.perf_counter() - start


def main() -> list[str]:
    server = PostgresServer(durable=True).start()
    lines = []
    try:
        source = server.create_database("source")
        open_postgres(source)  # the schema
        for statement in SEED:
            server.sql(statement.format(n=N), "source")
        records = 3 * N
        with tempfile.TemporaryDirectory() as tmp:
            ours, theirs = Path(tmp) / "dump.jsonl", server.root / "pg_dump.sql"  # its user writes
            tables = [arg for kind in KINDS for arg in ("-t", kind.table)]

            def ours_dump() -> None:
                with ours.open("w", encoding="utf-8") as out:
                    dump(source, out)

            dumped = _timed(ours_dump)
            pg_dumped = _timed(lambda: server._run(
                pg_bin() / "pg_dump", "--data-only", "-h", server.host, "-p", str(server.port),
                "-U", "postgres", "-d", "source", "-f", str(theirs), *tables))  # fmt: skip
            target, baseline = server.create_database("target"), server.create_database("base")
            open_postgres(baseline)

            def ours_load() -> None:
                with ours.open(encoding="utf-8") as lines_in:
                    load(lines_in, str(ours), target, progress=lambda _: None)

            loaded = _timed(ours_load)
            restored = _timed(lambda: server._run(
                pg_bin() / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-h",
                server.host, "-p", str(server.port), "-U", "postgres", "-d", "base",
                "-f", str(theirs)))  # fmt: skip
            tiny = Path(tmp) / "tiny" / "briefing.json"

            def tiny_load() -> None:
                with ours.open(encoding="utf-8") as lines_in:
                    load(lines_in, str(ours), str(tiny), progress=lambda _: None)

            tiny_loaded = _timed(tiny_load)
            again = Path(tmp) / "again.jsonl"

            def tiny_dump() -> None:
                with again.open("w", encoding="utf-8") as out:
                    dump(str(tiny), out)

            tiny_dumped = _timed(tiny_dump)
    finally:
        server.stop()
    name = f"store transfer, {records:,} records"
    lines.append(report(f"{name}: dump from postgres", dumped, "s", pg_dumped))
    lines.append(report(f"{name}: load into postgres (one transaction)", loaded, "s", restored))
    lines.append(report(f"{name}: load into tinydb", tiny_loaded, "s", loaded))
    lines.append(report(f"{name}: dump from tinydb", tiny_dumped, "s", dumped))
    lines.append(report(f"{name}: postgres dump rate", records / dumped, "records/s"))
    lines.append(report(f"{name}: postgres load rate", records / loaded, "records/s"))
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
