"""`briefing-bot store dump|load|copy`: every record of either backend as JSON lines, and back
into an empty store of either backend.

A dump's first line is its header (`{"kind": "header", "format": …, "schema": N, …}`, N the
store schema of the bot that wrote it: `SCHEMA_VERSION`); every other line is one record tagged
with its kind, `{"kind": "subscriptions", "record": {...}}`, kind after kind in the order of
`KINDS` (bot/store/kinds.py: a new kind is one entry there). A load refuses a dump of a newer
schema and a store that already holds records (naming both), then writes everything in one
transaction: PostgreSQL `COPY`s each kind inside one transaction that commits at the end; the
tinydb file gets every document in one commit (one journal line: a load killed before it is
whole leaves the file empty, a torn line being dropped when the file is next opened). A killed
load therefore leaves the target empty, and the same command simply runs again. `store copy`
is a dump into a temporary file and a load of it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import IO, Any, Protocol

import orjson
import psycopg

from bot.store.kinds import BY_NAME, KINDS, Kind, Row, normal
from bot.store.lock import DataLock, LockHeld
from bot.store.postgres.pool import connect, where
from bot.store.postgres.schema import SCHEMA_VERSION, SchemaTooNew, migrate
from bot.store.tinydb.snapshot import Store

FORMAT = "briefing-bot store dump"
LOAD_LOCK = 0x6E62_4350  # "nbCP": two loads into one database run one after the other
Progress = Callable[[str], None]
Counts = dict[str, int]


class TransferRefused(Exception):
    pass


def is_database(spec: str) -> bool:
    return spec.startswith(("postgresql://", "postgres://"))


def describe(spec: str) -> str:
    return f"the {where(spec)}" if is_database(spec) else spec


# ---- dump ----------------------------------------------------------------------------------


def dump(source: str, out: IO[str]) -> Counts:
    """Every record of the store at `source` (a tinydb file or a PostgreSQL URL) into `out`;
    the records of each kind."""
    counts = {kind.name: 0 for kind in KINDS}
    with _reading(source) as records:
        header = {"kind": "header", "format": FORMAT, "schema": SCHEMA_VERSION,
                  "from": "postgres" if is_database(source) else "tinydb",
                  "at": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
        out.write(json.dumps(header) + "\n")
        for kind in KINDS:
            for record in records(kind):
                # orjson writes a datetime as isoformat() does: "2024-05-01T00:00:00+00:00"
                out.write(orjson.dumps({"kind": kind.name, "record": record}).decode() + "\n")
                counts[kind.name] += 1
    out.flush()
    return counts


@contextmanager
def _reading(source: str) -> Iterator[Callable[[Kind], Iterator[Row]]]:
    if is_database(source):
        with connect(source) as conn:
            _migrate(conn, source)
            conn.autocommit = False
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot
            with conn.transaction():
                conn.execute("SET LOCAL TIME ZONE 'UTC'")  # times come as a record holds them
                yield lambda kind: _pg_records(conn, kind)
        return
    path = Path(source)
    if not path.exists():
        raise TransferRefused(f"{source}: no such data file")
    store = Store.open(path, fold=False)  # read only: a running bot may hold the file
    yield lambda kind: _tiny_records(store, kind)


def _pg_records(conn: psycopg.Connection[Any], kind: Kind) -> Iterator[Row]:
    """The records of `kind`, in its column order, times in UTC (the session's zone)."""
    columns = ", ".join(kind.columns)
    for row in conn.execute(f"SELECT {columns} FROM {kind.table} ORDER BY {columns}"):
        yield dict(zip(kind.columns, row, strict=True))


def _tiny_records(store: Store, kind: Kind) -> Iterator[Row]:
    for doc in store.table(kind.tiny):
        row = kind.row(doc)
        if row is not None:
            yield normal(kind, row)


def _migrate(conn: psycopg.Connection[Any], url: str) -> None:
    try:
        migrate(conn)
    except SchemaTooNew as exc:
        raise TransferRefused(f"the {where(url)}: {exc}") from None


# ---- load ----------------------------------------------------------------------------------


class Sink(Protocol):
    def counts(self) -> Counts: ...

    def write(self, kind: Kind, rows: list[Row]) -> None: ...


def load(
    lines: Iterable[str], name: str, target: str, progress: Progress = print
) -> tuple[Counts, Counts]:
    """The dump `lines` (read from `name`) into the empty store at `target`; the records of each
    kind in the dump and then in the store. Raises `TransferRefused` (nothing written) for a
    dump of a newer schema, a malformed line or a store that is not empty."""
    numbered = enumerate(lines, 1)
    _check_header(next(numbered, (1, "")), name)
    counts = {kind.name: 0 for kind in KINDS}
    with _writing(target) as sink:
        found = {kind: n for kind, n in sink.counts().items() if n}
        if found:
            held = ", ".join(f"{n} {kind}" for kind, n in found.items())
            raise TransferRefused(
                f"{describe(target)} is not empty ({held}); nothing loaded from {name}"
            )
        for kind, group in groupby(_records(numbered, name), key=lambda pair: pair[0]):
            rows = [row for _, row in group]
            sink.write(kind, rows)
            counts[kind.name] += len(rows)
            progress(f"loaded {len(rows)} {kind.name}")
    with _writing(target, check_only=True) as written:
        return counts, written.counts()


def _check_header(first: tuple[int, str], name: str) -> None:
    try:
        header = json.loads(first[1])
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TransferRefused(f"{name}: not a dump of briefing-bot (its first line is no header)")
    schema = header.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise TransferRefused(
            f"{name}: the dump's schema is version {schema}, newer than this bot's "
            f"{SCHEMA_VERSION}: load it with the bot that wrote it (or a newer one)"
        )


def _records(numbered: Iterable[tuple[int, str]], name: str) -> Iterator[tuple[Kind, Row]]:
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            entry = orjson.loads(line)
            kind = BY_NAME[entry["kind"]]
            record = entry["record"]
            assert isinstance(record, dict)
        except (orjson.JSONDecodeError, KeyError, TypeError, AssertionError):
            raise TransferRefused(
                f"{name}:{number}: not a record of a kind this bot knows; nothing loaded"
            ) from None
        yield kind, normal(kind, record)


@contextmanager
def _writing(target: str, *, check_only: bool = False) -> Iterator[Sink]:
    if is_database(target):
        with connect(target) as conn:
            _migrate(conn, target)
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOAD_LOCK,))
                yield PgSink(conn)
        return
    path = Path(target)
    lock = DataLock(path)
    try:
        lock.acquire(wait=False)
    except LockHeld as exc:
        raise TransferRefused(f"{exc}; stop it first, nothing loaded") from None
    try:
        sink = TinySink(Store.open(path))
        yield sink
        if not check_only:
            asyncio.run(sink.store.close())  # one journal line, then folded into the file
    finally:
        lock.release()


class PgSink:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def counts(self) -> Counts:
        counts = {}
        for kind in KINDS:
            row = self.conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()
            counts[kind.name] = int(row[0]) if row else 0
        return counts

    def write(self, kind: Kind, rows: list[Row]) -> None:
        sql = f"COPY {kind.table} ({', '.join(kind.columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(sql) as pipe:
            for row in rows:
                pipe.write_row([_column(kind, c, row[c]) for c in kind.columns])


def _column(kind: Kind, column: str, value: Any) -> Any:
    return json.dumps(value) if column in kind.jsons and value is not None else value


class TinySink:
    def __init__(self, store: Store) -> None:
        self.store = store

    def counts(self) -> Counts:
        table = self.store.table
        return {k.name: sum(k.row(d) is not None for d in table(k.tiny)) for k in KINDS}

    def write(self, kind: Kind, rows: list[Row]) -> None:
        table = self.store.table(kind.tiny)
        for row in rows:
            table.put(*kind.doc(row))


# ---- copy ----------------------------------------------------------------------------------


def copy(source: str, target: str, progress: Progress = print) -> tuple[Counts, Counts]:
    """`store copy`: a dump of `source` into a temporary file, loaded into `target`."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        dump(source, spool)
        spool.seek(0)
        return load(spool, describe(source), target, progress)
