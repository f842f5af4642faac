"""One process delivers per database: a PostgreSQL advisory lock, the data lock of the
PostgreSQL backend (`DataLock` is the tinydb one; both are used the same way by the CLI).

The lock is a session-level `pg_try_advisory_lock` on a dedicated connection of its own (never
from the pool: a pooled connection is shared, and the lock lives as long as its session). The
server drops it when that session ends, however the process ends (SIGKILL, a lost network), so
a waiting `run` takes over within one poll. The connection's `application_name` says who holds
it (pid and host), for the message the next process prints.

The delivery engine re-checks it before every part it sends (`holds`): a lock whose session was
lost (a restarted server, a network cut, `pg_terminate_backend`) means another process may be
delivering now, so this one stops sending at once. The lock needs a real session: behind
PgBouncer, point DATABASE_URL at a session-mode pool or at the server itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any

import psycopg

from bot.store.lock import WaitingLock
from bot.store.postgres.pool import connect, where

log = logging.getLogger(__name__)
KEY = 0x6E62_4C44  # "nbLD": the delivery lock of a briefing-bot database
# A leader whose host vanishes (no FIN, no RST) must lose the lock within seconds, not after
# the kernel's two-hour keepalive: both ends of the lock's session probe it every few seconds.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
              "keepalives_count": 2}  # fmt: skip
SERVER_KEEPALIVES = (("tcp_keepalives_idle", "5"), ("tcp_keepalives_interval", "2"),
                     ("tcp_keepalives_count", "2"))  # fmt: skip
HELD = """SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
    AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = %s AND objsubid = 1)"""
HOLDER = """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
    WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid::bigint = %s"""


class PgLock(WaitingLock):
    def __init__(self, url: str) -> None:
        self.url, self.where = url, where(url)
        self._conn: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return True
        conn = connect(
            self.url,
            application_name=f"briefing-bot {os.getpid()}@{socket.gethostname()}",
            **KEEPALIVES,
        )
        for setting, value in SERVER_KEEPALIVES:
            conn.execute("SELECT set_config(%s, %s, false)", (setting, value))
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (KEY,)).fetchone()
        if not (row and row[0]):
            conn.close()
            return False
        self._conn = conn
        return True

    def holder(self) -> str:
        with connect(self.url) as conn:
            row = conn.execute(HOLDER, (KEY,)).fetchone()
        return str(row[0]).removeprefix("briefing-bot ") if row else ""

    async def holds(self) -> bool:
        """True while this process's session still holds the lock."""
        conn = self._conn
        if conn is None:
            return False
        try:
            row = await asyncio.to_thread(lambda: conn.execute(HELD, (KEY,)).fetchone())
        except psycopg.Error as exc:
            log.error("the delivery lock's connection to the %s is lost: %s", self.where, exc)
            return False
        return bool(row and row[0])

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(psycopg.Error):
                conn.close()  # ending the session releases the lock
