"""The audit log (the core's `AuditLog` port) on PostgreSQL: table `audit_log` (schema step 6),
one row per entry, every statement autocommitted through the pool. Entries older than `keep`
are deleted as new ones come (every `PRUNE_EVERY` records, by the index on `at`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.core.audit import KEEP_DAYS, AuditEntry
from bot.store.common import PRUNE_EVERY, utcnow

if TYPE_CHECKING:
    from bot.store.postgres.pool import Pool

RECORD = "INSERT INTO audit_log (at, who, place, action, detail) VALUES (%s, %s, %s, %s, %s)"
COLUMNS = "SELECT at, who, place, action, detail FROM audit_log"
RECENT = f"{COLUMNS} ORDER BY at DESC, id DESC LIMIT %s"
SINCE = f"{COLUMNS} WHERE at >= %s ORDER BY at, id"
PRUNE = "DELETE FROM audit_log WHERE at < %s"


class PgAudit:
    def __init__(
        self, pool: Pool, keep_days: int = KEEP_DAYS, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.pool, self.keep, self.clock = pool, dt.timedelta(days=keep_days), clock
        self._records = 0

    async def record(self, who: str, where: str, action: str, detail: str = "") -> None:
        now = self.clock()
        if self._records % PRUNE_EVERY == 0:
            await self.prune(now - self.keep)
        self._records += 1
        await self.pool.query(RECORD, (now, who, where, action, detail))

    async def recent(self, n: int) -> list[AuditEntry]:
        return [_entry(row) for row in await self.pool.query(RECENT, (n,))]

    async def since(self, at: dt.datetime) -> list[AuditEntry]:
        return [_entry(row) for row in await self.pool.query(SINCE, (at,))]

    async def prune(self, before: dt.datetime) -> int:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(PRUNE, (before,))
            return cursor.rowcount


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    at, who, where, action, detail = row
    return AuditEntry(at.astimezone(dt.UTC).isoformat(), who, where, action, detail)
