"""The delivery ledger (the core's `Ledger` port) on PostgreSQL.

The port is synchronous with an asynchronous `commit()`: the engine asks "what was sent
here?" (`parts`, `started`, `is_done`) many times per run, in plain loops, and makes its
progress durable at the points that matter (a part pending before it is sent, sent with its
platform id after). So this ledger reads the open parts, the done markers and the release times
once, when the store opens, answers from memory (`MemoryLedger`, shared with tinydb), queues
each mutation as one parameterised statement, and `commit()` writes the queue in one
transaction. A mutation not yet committed is therefore not in the database, exactly as with
the tinydb journal. Group commit (`bot/store/group_commit.py`): the commits that arrive while one
is in flight are written together by the next one, every mark queued meanwhile in one
transaction sent as one pipeline (runs of the same statement as one `executemany`).

Every write is an `INSERT … ON CONFLICT`, so a commit written again after a failure never
doubles a row. Only the leader replica writes (it holds the delivery lock); a replica that
becomes leader `reload()`s the view first, so it resumes from what the old leader recorded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import psycopg

from bot.core.model.messages import MessageRef
from bot.core.ports import PartRecord
from bot.store.group_commit import GroupCommit
from bot.store.memory_ledger import MemoryLedger, parent_id

if TYPE_CHECKING:
    from bot.store.postgres.pool import Pool

Statement = tuple[str, tuple[Any, ...]]

UPSERT_PART = """INSERT INTO delivery_parts
    (issue, destination, part, state, platform, chat, message_id, thread)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (issue, destination, part) DO UPDATE SET state = EXCLUDED.state,
    platform = EXCLUDED.platform, chat = EXCLUDED.chat, message_id = EXCLUDED.message_id,
    thread = EXCLUDED.thread"""
DONE = """INSERT INTO deliveries_done (issue, destination, parts, parent, done_at)
    VALUES (%s, %s, %s, %s, %s) ON CONFLICT (issue, destination) DO NOTHING"""
CLEAR_PARTS = "DELETE FROM delivery_parts WHERE issue = %s AND destination = %s"
RELEASE = """INSERT INTO releases (issue, released_at) VALUES (%s, %s)
    ON CONFLICT (issue) DO NOTHING"""
RELEASES = "SELECT issue, released_at FROM releases"
DONE_ROWS = "SELECT issue, destination FROM deliveries_done"
PARTS = """SELECT issue, destination, part, state, platform, chat, message_id, thread
    FROM delivery_parts"""


class PgLedger(MemoryLedger):
    def __init__(self, conn: psycopg.Connection[Any], pool: Pool) -> None:
        super().__init__()
        self._pool = pool
        self._queue: list[Statement] = []
        self._lock = asyncio.Lock()
        self._group = GroupCommit(self._write_queue)
        self._load(
            conn.execute(RELEASES).fetchall(),
            conn.execute(DONE_ROWS).fetchall(),
            conn.execute(PARTS).fetchall(),
        )

    def _load(self, releases: list[Any], done: list[Any], parts: list[Any]) -> None:
        self._parts, self._done, self._releases = {}, set(), dict(releases)
        for issue, dest in done:
            self._done.add((issue, dest))
        for issue, dest, part, state, platform, chat, message_id, thread in parts:
            ref = MessageRef(platform, chat, message_id, thread) if message_id else None
            self._loaded(issue, dest, PartRecord(part, state, ref))

    async def reload(self) -> None:
        """Read the ledger again from the database: what another replica (the leader this
        one takes over from) wrote since the store opened. What this process recorded but could
        not write yet (the database was unreachable) is written first, so a part it sent is
        never sent again."""
        async with self._lock:
            async with self._pool.connection() as conn:
                await write(conn, self._queue)  # what this process recorded but had not written
                self._queue = []
                fetched = [
                    await (await conn.execute(sql)).fetchall()
                    for sql in (RELEASES, DONE_ROWS, PARTS)
                ]
            self._load(*fetched)

    async def commit(self) -> None:
        await self._group()

    async def _write_queue(self) -> None:
        """Every mutation queued before the call, in one transaction."""
        async with self._lock:
            batch, self._queue = self._queue, []
            if not batch:
                return
            try:
                async with self._pool.connection() as conn:
                    await write(conn, batch)
            except BaseException:
                self._queue[:0] = batch  # not durable: the next commit writes it again
                raise

    def _write_release(self, issue: int, at: dt.datetime) -> None:
        self._queue.append((RELEASE, (issue, at)))

    def _write_part(self, issue: int, destination: str, record: PartRecord) -> None:
        ref = record.ref
        params = (issue, destination, record.part, record.state,
                  ref.platform if ref else None, ref.chat if ref else None,
                  ref.id if ref else None, ref.thread if ref else None)  # fmt: skip
        self._queue.append((UPSERT_PART, params))

    def _write_done(
        self, issue: int, destination: str, parts: int, records: dict[int, PartRecord]
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        self._queue.append((CLEAR_PARTS, (issue, destination)))
        self._queue.append((DONE, (issue, destination, parts, parent_id(records), now)))


async def write(conn: psycopg.AsyncConnection[Any], batch: list[Statement]) -> None:
    """`batch` in one transaction and one pipeline (one round trip, not one a statement); each
    run of the same statement is one `executemany`, so the order of the marks is kept."""
    if not batch:
        return
    async with conn.transaction(), conn.pipeline(), conn.cursor() as cur:
        for statement, run in groupby(batch, key=itemgetter(0)):
            await cur.executemany(statement, [params for _, params in run])
