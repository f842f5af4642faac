"""The `DestinationStore` port on PostgreSQL: tables `channels` and `destination_settings`
(migration step in `schema.py`), read and written on every call. A write that changes a
delivery time NOTIFYs the leader (`times.py`).

A reader's time is in use while they are subscribed (table `subscriptions`, keyed by platform
and user; their destination is "platform:dm:user"); a channel's settings go with its opt-out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.ports import DestinationSettings, OptedIn
from bot.store.common import utcnow
from bot.store.postgres.pool import Pool
from bot.store.postgres.times import notify_if

OPT_IN = """INSERT INTO channels (platform, chat, opted_by, since) VALUES (%s, %s, %s, %s)
    ON CONFLICT (platform, chat) DO NOTHING RETURNING 1"""
OPTED = "SELECT platform, chat, opted_by, since FROM channels"
OPTED_IN = (
    OPTED
    + """
    WHERE %(platform)s::text IS NULL OR platform = %(platform)s ORDER BY since, platform, chat"""
)
TIME_CHANGED = """(saved.time, saved.zone, saved.weekly)
        IS DISTINCT FROM (prior.time, prior.zone, prior.weekly)
    AND coalesce(saved.time, prior.time) IS NOT NULL"""
SET_SETTINGS = f"""WITH prior AS (SELECT time, zone, weekly FROM destination_settings
        WHERE destination = %(key)s),
    saved AS (INSERT INTO destination_settings (destination, time, zone, language, muted, weekly)
        VALUES (%(key)s, %(time)s, %(zone)s, %(language)s, %(muted)s, %(weekly)s)
        ON CONFLICT (destination) DO UPDATE
        SET time = EXCLUDED.time, zone = EXCLUDED.zone, language = EXCLUDED.language,
            muted = EXCLUDED.muted, weekly = EXCLUDED.weekly
        RETURNING time, zone, weekly)
    SELECT {notify_if(TIME_CHANGED, "%(key)s")} FROM saved LEFT JOIN prior ON true"""
FORGET = f"""WITH gone AS (DELETE FROM destination_settings WHERE destination = %s
    RETURNING destination, time) SELECT {notify_if("time IS NOT NULL", "destination")} FROM gone"""
IN_USE = """SELECT DISTINCT time, coalesce(zone, ''), weekly FROM destination_settings d
    WHERE time IS NOT NULL AND (position(':dm:' IN destination) = 0 OR EXISTS (
        SELECT 1 FROM subscriptions s WHERE d.destination = s.platform || ':dm:' || s.user_id))"""


class PgDestinations:
    """Every statement through the `Pool`: an unreachable database is `StoreUnreachable` (a
    command answers "briefly unavailable"), a connection a restarted server broke is retried."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        return await self.pool.query(sql, params)

    async def opt_in(self, platform: str, chat: str, by: str) -> bool:
        return bool(await self._query(OPT_IN, (platform, chat, by, utcnow())))

    async def opt_out(self, platform: str, chat: str) -> bool:
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(FORGET, (f"{platform}:{chat}",))
            cursor = await conn.execute(
                "DELETE FROM channels WHERE platform = %s AND chat = %s RETURNING 1",
                (platform, chat),
            )
            return bool(await cursor.fetchall())

    async def opted_in(self, platform: str | None = None) -> list[OptedIn]:
        rows = await self._query(OPTED_IN, {"platform": platform})
        return [OptedIn(p, c, by, _iso(since)) for p, c, by, since in rows]

    async def channel(self, platform: str, chat: str) -> OptedIn | None:
        rows = await self._query(f"{OPTED} WHERE platform = %s AND chat = %s", (platform, chat))
        if not rows:
            return None
        platform, chat, by, since = rows[0]
        return OptedIn(platform, chat, by, _iso(since))

    async def settings(self, key: str) -> DestinationSettings:
        rows = await self._query(f"SELECT {SETTINGS} FROM destination_settings "
                                 "WHERE destination = %s", (key,))  # fmt: skip
        return _settings(*rows[0]) if rows else DestinationSettings()

    async def set_settings(self, key: str, settings: DestinationSettings) -> None:
        if settings == DestinationSettings():
            await self._query(FORGET, (key,))
        else:
            chosen = {"key": key, "time": settings.time, "zone": settings.zone,
                      "language": settings.language, "muted": list(settings.muted),
                      "weekly": settings.weekly}  # fmt: skip
            await self._query(SET_SETTINGS, chosen)

    async def delivery_times(self) -> set[tuple[str, ...]]:
        return {
            (time, zone, weekly) if weekly else (time, zone)
            for time, zone, weekly in await self._query(IN_USE)
        }

    async def all_settings(self) -> dict[str, DestinationSettings]:
        rows = await self._query(f"SELECT destination, {SETTINGS} FROM destination_settings")
        return {key: _settings(*chosen) for key, *chosen in rows}


SETTINGS = "time, zone, language, muted, weekly"  # a row's columns, in `_settings`' order


def _settings(
    time: str | None, zone: str | None, language: str | None, muted: list[str], weekly: str | None
) -> DestinationSettings:
    return DestinationSettings(time, zone, language, tuple(muted or ()), weekly)


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()
