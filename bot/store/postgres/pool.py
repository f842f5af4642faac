"""The bottom of the PostgreSQL backend: how every module of it reaches the database.

Driver: psycopg 3, asynchronous, with psycopg_pool. Every connection is opened with
`prepare_threshold=None`, so psycopg never creates server-side prepared statements and the
bot works behind PgBouncer in transaction mode; every statement is parameterised. `Pool` lends
connections inside the event loop (a database that cannot be reached is `StoreUnreachable`, in
at most `Pool.WAIT` seconds); `connect` opens one plain connection before the loop runs (an
unreachable database is `StoreUnavailable`). Errors name host and database, never the password.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.core.errors import StoreUnreachable
from bot.store.common import StoreUnavailable

CONNECT: dict[str, Any] = {"prepare_threshold": None, "autocommit": True}


def where(url: str) -> str:
    """`database "briefing" on db.example.com:5432`: enough to find it, no secret."""
    info = conninfo_to_dict(url)
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f'database "{info.get("dbname") or info.get("user") or "?"}" on {host}{port}'


class Pool:
    """The asynchronous connection pool, opened on first use (inside the event loop).

    `connection()` is how every statement gets one: it waits at most `WAIT` seconds, and a
    database that cannot be reached is `StoreUnreachable` (the core answers "briefly
    unavailable" to a command and the delivery pauses), never a hung command."""

    WAIT = 3.0

    def __init__(self, url: str, max_size: int = 10) -> None:
        self.url, self.max_size = url, max_size
        self._pool: AsyncConnectionPool | None = None

    async def __call__(self) -> AsyncConnectionPool:
        if self._pool is None:
            pool = AsyncConnectionPool(
                self.url, kwargs=CONNECT, min_size=1, max_size=self.max_size, open=False,
                timeout=self.WAIT,
            )  # fmt: skip
            await pool.open(wait=False)
            self._pool = pool
        return self._pool

    async def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """One autocommitted statement; its rows, if it returns any. A pooled connection that a
        restarted server broke fails once and is dropped by the pool: the statement is tried
        again on a fresh one (every statement here may run twice), rather than checking every
        connection before it is lent (a round trip per statement: 4× the subscribe p50)."""
        for attempt in (1, 2):
            try:
                async with self.connection() as conn:
                    cursor = await conn.execute(sql, params)
                    return await cursor.fetchall() if cursor.description else []
            except StoreUnreachable as exc:
                if attempt == 2 or isinstance(exc.__cause__, PoolTimeout):
                    raise
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        try:
            async with (await self()).connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreUnreachable(f"the {where(self.url)} is unreachable: {_first(exc)}") from exc

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """One plain connection; an unreachable database is `StoreUnavailable`."""
    try:
        return psycopg.connect(url, connect_timeout=10, **CONNECT, **options)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"cannot reach the {where(url)}: {_first(exc)}") from None


def _first(exc: Exception) -> str:
    """The first line of a driver error (the rest is libpq's detail)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
