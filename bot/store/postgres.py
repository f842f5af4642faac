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
one durable statement).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool

from bot.core.ports import Subscriber
from bot.store.backend import StoreUnavailable
from bot.store.pg_installations import PgInstallations
from bot.store.pg_ledger import PgLedger
from bot.store.pg_schema import SchemaTooNew, migrate
from bot.store.subscriptions import utcnow

CONNECT: dict[str, Any] = {"prepare_threshold": None, "autocommit": True}
SUBSCRIBE = """INSERT INTO subscriptions (platform, user_id, chat, since)
    VALUES (%s, %s, %s, %s)
    ON CONFLICT (platform, user_id) DO UPDATE SET chat = EXCLUDED.chat
    WHERE subscriptions.chat IS DISTINCT FROM EXCLUDED.chat
    RETURNING (xmax = 0)"""
SUBSCRIBERS = """SELECT platform, user_id, chat, since FROM subscriptions
    WHERE %(platform)s::text IS NULL OR platform = %(platform)s"""
RECORD_RUN = """INSERT INTO schedule_runs (name, due) VALUES ('last_run', %s)
    ON CONFLICT (name) DO UPDATE SET due = EXCLUDED.due"""


def where(url: str) -> str:
    """`database "briefing" on db.example.com:5432`: enough to find it, no secret."""
    info = conninfo_to_dict(url)
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f'database "{info.get("dbname") or info.get("user") or "?"}" on {host}{port}'


class Pool:
    """The asynchronous connection pool, opened on first use (inside the event loop)."""

    def __init__(self, url: str, max_size: int = 10) -> None:
        self.url, self.max_size = url, max_size
        self._pool: AsyncConnectionPool | None = None

    async def __call__(self) -> AsyncConnectionPool:
        if self._pool is None:
            pool = AsyncConnectionPool(
                self.url, kwargs=CONNECT, min_size=1, max_size=self.max_size, open=False
            )
            await pool.open(wait=True, timeout=10)
            self._pool = pool
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class PgSubscriptions:
    """The `SubscriptionStore` port in table `subscriptions`."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        async with (await self.pool()).connection() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall() if cursor.description else []

    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        rows = await self._query(SUBSCRIBE, (platform, user, chat, utcnow()))
        return bool(rows and rows[0][0])

    async def unsubscribe(self, platform: str, user: str) -> bool:
        rows = await self._query(
            "DELETE FROM subscriptions WHERE platform = %s AND user_id = %s RETURNING 1",
            (platform, user),
        )
        return bool(rows)

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
        async with (await self.pool()).connection() as conn:
            await conn.execute(RECORD_RUN, (due,))
        self._last = due


class PgBackend:
    name = "postgres"

    def __init__(self, conn: psycopg.Connection[Any], pool: Pool) -> None:
        self.pool = pool
        self.subscriptions = PgSubscriptions(pool)
        self.installations = PgInstallations(pool)
        self.ledger = PgLedger(conn, pool)
        row = conn.execute("SELECT due FROM schedule_runs WHERE name = 'last_run'").fetchone()
        self.runs = PgRunLog(pool, row[0] if row else None)

    async def close(self) -> None:
        await self.pool.close()


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """One plain connection; an unreachable database is `StoreUnavailable`."""
    try:
        return psycopg.connect(url, connect_timeout=10, **CONNECT, **options)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"cannot reach the {where(url)}: {reason}") from None


def open_postgres(url: str, *, pool_size: int = 10) -> PgBackend:
    """Upgrade the schema and load the ledger; raise `StoreUnavailable` if either fails."""
    with connect(url) as conn:
        try:
            migrate(conn)
        except SchemaTooNew as exc:
            raise StoreUnavailable(f"{where(url)}: {exc}") from None
        return PgBackend(conn, Pool(url, pool_size))
