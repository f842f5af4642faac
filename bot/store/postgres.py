"""The PostgreSQL backend, selected by `DATABASE_URL` (`postgresql://user:pass@host/db`).

Driver: psycopg 3, asynchronous, with psycopg_pool. Every connection is opened with
`prepare_threshold=None`, so psycopg never creates server-side prepared statements and the
bot works behind PgBouncer in transaction mode; every statement is parameterised.

`open_postgres` runs before the event loop (the composition root is synchronous): one plain
connection upgrades the schema (`pg_schema`), refuses a schema newer than this bot, and loads
what the synchronous ports answer from memory (the ledger's open threads, the last scheduled
run). It then closes; the asynchronous pool opens on first use, inside the loop. A database
that cannot be reached is `StoreUnavailable`, naming host and database, never the password.
Subscriptions are read and written in the database on every call (autocommit: each change is
one durable statement); one that starts or ends for a reader with a time of their own NOTIFYs
the leader in that statement (`pg_times.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.core.errors import StoreUnreachable
from bot.core.ports import Subscriber
from bot.store.backend import StoreUnavailable
from bot.store.pg_destinations import PgDestinations
from bot.store.pg_installations import PgInstallations
from bot.store.pg_ledger import PgLedger
from bot.store.pg_schema import SchemaTooNew, migrate
from bot.store.pg_times import listen, notify_if
from bot.store.subscriptions import utcnow

CONNECT: dict[str, Any] = {"prepare_threshold": None, "autocommit": True}
TIMED = """LEFT JOIN destination_settings d
    ON d.destination = {}.platform || ':dm:' || {}.user_id AND d.time IS NOT NULL"""
SUBSCRIBE = f"""WITH saved AS (INSERT INTO subscriptions (platform, user_id, chat, since)
    VALUES (%s, %s, %s, %s)
    ON CONFLICT (platform, user_id) DO UPDATE SET chat = EXCLUDED.chat
    WHERE subscriptions.chat IS DISTINCT FROM EXCLUDED.chat
    RETURNING platform, user_id, (xmax = 0) AS new)
    SELECT new, {notify_if("new AND d.time IS NOT NULL", "d.destination")}
    FROM saved {TIMED.format("saved", "saved")}"""
UNSUBSCRIBE = f"""WITH gone AS (DELETE FROM subscriptions WHERE platform = %s AND user_id = %s
    RETURNING platform, user_id)
    SELECT true, {notify_if("d.time IS NOT NULL", "d.destination")}
    FROM gone {TIMED.format("gone", "gone")}"""
SUBSCRIBERS = """SELECT platform, user_id, chat, since FROM subscriptions
    WHERE %(platform)s::text IS NULL OR platform = %(platform)s"""
LAST_RUN = "SELECT due FROM schedule_runs WHERE name = 'last_run'"
RECORD_RUN = """INSERT INTO schedule_runs (name, due) VALUES ('last_run', %s)
    ON CONFLICT (name) DO UPDATE SET due = EXCLUDED.due"""


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


class PgSubscriptions:
    """The `SubscriptionStore` port in table `subscriptions`."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        return await self.pool.query(sql, params)

    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        rows = await self._query(SUBSCRIBE, (platform, user, chat, utcnow()))
        return bool(rows and rows[0][0])

    async def unsubscribe(self, platform: str, user: str) -> bool:
        return bool(await self._query(UNSUBSCRIBE, (platform, user)))

    async def is_subscribed(self, platform: str, user: str) -> bool:
        rows = await self._query(
            "SELECT 1 FROM subscriptions WHERE platform = %s AND user_id = %s", (platform, user)
        )
        return bool(rows)

    async def subscribers(self, platform: str | None = None) -> list[Subscriber]:
        rows = await self._query(SUBSCRIBERS, {"platform": platform})
        return [Subscriber(p, u, c, _iso(since)) for p, u, c, since in rows]

    async def count(self) -> int:
        rows = await self._query("SELECT count(*) FROM subscriptions")
        return int(rows[0][0])


def _iso(at: dt.datetime | None) -> str:
    return at.astimezone(dt.UTC).isoformat() if at else ""


class PgRunLog:
    """The `RunRecord` port in table `schedule_runs`."""

    def __init__(self, pool: Pool, last: dt.datetime | None) -> None:
        self.pool, self._last = pool, last

    def last_run(self) -> dt.datetime | None:
        return self._last

    async def record(self, due: dt.datetime) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(RECORD_RUN, (due,))
        self._last = due

    async def reload(self) -> None:
        async with self.pool.connection() as conn:
            row = await (await conn.execute(LAST_RUN)).fetchone()
        self._last = row[0] if row else None


class PgBackend:
    name = "postgres"

    def __init__(self, conn: psycopg.Connection[Any], pool: Pool) -> None:
        from bot.store.pg_replicas import PgClaims, PgPostRequests

        self.pool = pool
        self.subscriptions = PgSubscriptions(pool)
        self.destinations = PgDestinations(pool)
        self.installations = PgInstallations(pool)
        self.ledger = PgLedger(conn, pool)
        row = conn.execute(LAST_RUN).fetchone()
        self.runs = PgRunLog(pool, row[0] if row else None)
        self.claims = PgClaims(pool)
        self.post_requests: PgPostRequests | None = PgPostRequests(pool)

    async def refresh(self) -> None:
        """What the ports answer from memory (the ledger, the last run), read again: the
        first step of a replica that becomes the leader."""
        await self.ledger.reload()
        await self.runs.reload()

    async def watch_times(self, changed: Callable[[], None]) -> None:
        """`changed()` after any replica's change of the delivery times (this one's too),
        through LISTEN on a connection of its own (`pg_times.py`), until cancelled."""
        from bot.store.pg_lock import KEEPALIVES

        url = self.pool.url
        options: dict[str, Any] = {"connect_timeout": 10, **CONNECT, **KEEPALIVES}

        async def connect() -> psycopg.AsyncConnection[Any]:
            return await psycopg.AsyncConnection.connect(url, **options)

        await listen(connect, changed, where(url))

    async def close(self) -> None:
        await self.pool.close()


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """One plain connection; an unreachable database is `StoreUnavailable`."""
    try:
        return psycopg.connect(url, connect_timeout=10, **CONNECT, **options)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"cannot reach the {where(url)}: {_first(exc)}") from None


def _first(exc: Exception) -> str:
    """The first line of a driver error (the rest is libpq's detail)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def open_postgres(url: str, *, pool_size: int = 10) -> PgBackend:
    """Upgrade the schema and load the ledger; raise `StoreUnavailable` if either fails."""
    with connect(url) as conn:
        try:
            migrate(conn)
        except SchemaTooNew as exc:
            raise StoreUnavailable(f"{where(url)}: {exc}") from None
        return PgBackend(conn, Pool(url, pool_size))
