"""The PostgreSQL backend, selected by `DATABASE_URL` (`postgresql://user:pass@host/db`).

Connections: `pool.py` (the bottom of this package).

`open_postgres` runs before the event loop (the composition root is synchronous): one plain
connection upgrades the schema (`schema.py`), refuses a schema newer than this bot, and loads
what the synchronous ports answer from memory (the ledger's open threads, the last scheduled
run). It then closes; the asynchronous pool opens on first use, inside the loop. A database
that cannot be reached is `StoreUnavailable`, naming host and database, never the password.
Subscriptions are read and written in the database on every call (autocommit: each change is
one durable statement); one that starts or ends for a reader with a time of their own NOTIFYs
the leader in that statement (`times.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import psycopg

from bot.core.audit import KEEP_DAYS
from bot.core.ports import Subscriber
from bot.store.common import StoreUnavailable, utcnow
from bot.store.group_commit import membership
from bot.store.postgres.approvals import PgApprovals
from bot.store.postgres.audit import PgAudit
from bot.store.postgres.destinations import PgDestinations
from bot.store.postgres.feedback import PgFeedback
from bot.store.postgres.history import PgHistory, PgReportChoices
from bot.store.postgres.installations import PgInstallations
from bot.store.postgres.ledger import PgLedger
from bot.store.postgres.pool import CONNECT, Pool, connect, where
from bot.store.postgres.privacy import PgReaders
from bot.store.postgres.schema import SchemaTooNew, migrate
from bot.store.postgres.times import listen, notify_if

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
SUBSCRIBED_AMONG = """SELECT platform, user_id FROM subscriptions
    WHERE (platform, user_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"""
LAST_RUN = "SELECT due FROM schedule_runs WHERE name = 'last_run'"
RECORD_RUN = """INSERT INTO schedule_runs (name, due) VALUES ('last_run', %s)
    ON CONFLICT (name) DO UPDATE SET due = EXCLUDED.due"""


class PgSubscriptions:
    """The `SubscriptionStore` port in table `subscriptions`."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._subscribed = membership(self._subscribed_among)

    async def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        return await self.pool.query(sql, params)

    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        rows = await self._query(SUBSCRIBE, (platform, user, chat, utcnow()))
        return bool(rows and rows[0][0])

    async def unsubscribe(self, platform: str, user: str) -> bool:
        return bool(await self._query(UNSUBSCRIBE, (platform, user)))

    async def is_subscribed(self, platform: str, user: str) -> bool:
        """Asked before every part a reader is sent: concurrent checks are one query
        (`group_commit.membership`)."""
        return await self._subscribed((platform, user))

    async def _subscribed_among(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        platforms, users = [p for p, _ in keys], [u for _, u in keys]
        rows = await self._query(SUBSCRIBED_AMONG, (platforms, users))
        return {(str(p), str(u)) for p, u in rows}

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

    def __init__(
        self, conn: psycopg.Connection[Any], pool: Pool, audit_days: int = KEEP_DAYS
    ) -> None:
        from bot.store.postgres.replicas import PgClaims, PgPostRequests

        self.pool = pool
        self.subscriptions = PgSubscriptions(pool)
        self.destinations = PgDestinations(pool)
        self.installations = PgInstallations(pool)
        self.ledger = PgLedger(conn, pool)
        row = conn.execute(LAST_RUN).fetchone()
        self.runs = PgRunLog(pool, row[0] if row else None)
        self.claims = PgClaims(pool)
        self.feedback = PgFeedback(pool)
        self.history = PgHistory(pool)
        self.report_choices = PgReportChoices(pool)
        self.post_requests: PgPostRequests | None = PgPostRequests(pool)
        self.audit = PgAudit(pool, audit_days)
        self.readers = PgReaders(pool, self.subscriptions, self.destinations, self.ledger)
        self.approvals = PgApprovals(conn, pool)

    async def refresh(self) -> None:
        """What the ports answer from memory (the ledger, the last run), read again: the
        first step of a replica that becomes the leader."""
        await self.ledger.reload()
        await self.runs.reload()
        await self.approvals.reload()

    async def watch_times(self, changed: Callable[[], None]) -> None:
        """`changed()` after any replica's change of the delivery times (this one's too),
        through LISTEN on a connection of its own (`times.py`), until cancelled."""
        from bot.store.postgres.lock import KEEPALIVES

        url = self.pool.url
        options: dict[str, Any] = {"connect_timeout": 10, **CONNECT, **KEEPALIVES}

        async def connect() -> psycopg.AsyncConnection[Any]:
            return await psycopg.AsyncConnection.connect(url, **options)

        await listen(connect, changed, where(url))

    async def ping(self) -> None:
        """One round trip to the database (`StoreUnreachable` if it cannot be reached)."""
        await self.pool.query("SELECT 1")

    async def close(self) -> None:
        await self.pool.close()


def open_postgres(url: str, *, pool_size: int = 10, audit_days: int = KEEP_DAYS) -> PgBackend:
    """Upgrade the schema and load the ledger; raise `StoreUnavailable` if either fails."""
    with connect(url) as conn:
        try:
            migrate(conn)
        except SchemaTooNew as exc:
            raise StoreUnavailable(f"{where(url)}: {exc}") from None
        return PgBackend(conn, Pool(url, pool_size), audit_days)
