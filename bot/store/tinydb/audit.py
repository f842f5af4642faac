"""The audit log (the core's `AuditLog` port) on the tinydb backend: table "audit", one document
per entry, keyed by its time and a random suffix (so two entries of one microsecond both stay).
Entries older than `keep` are dropped as new ones come (every `PRUNE_EVERY` records)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from bot.core.audit import KEEP_DAYS, AuditEntry
from bot.store.common import PRUNE_EVERY, utcnow
from bot.store.tinydb.snapshot import Doc, Store

AUDIT = "audit"


def audit_key(at: str) -> str:
    return f"{at}|{uuid.uuid4().hex[:8]}"


class Audit:
    def __init__(
        self,
        store: Store,
        keep_days: int = KEEP_DAYS,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.store, self.table = store, store.table(AUDIT)
        self.keep, self.clock = dt.timedelta(days=keep_days), clock
        self._records = 0

    async def record(self, who: str, where: str, action: str, detail: str = "") -> None:
        now = self.clock()
        if self._records % PRUNE_EVERY == 0:
            self._drop(now - self.keep)
        self._records += 1
        at = now.isoformat()
        self.table.put(
            audit_key(at),
            {"at": at, "who": who, "where": where, "action": action, "detail": detail},
        )
        await self.store.commit()

    async def recent(self, n: int) -> list[AuditEntry]:
        return sorted(self._entries(), key=_when, reverse=True)[:n]

    async def since(self, at: dt.datetime) -> list[AuditEntry]:
        return sorted((e for e in self._entries() if _when(e) >= at), key=_when)

    async def prune(self, before: dt.datetime) -> int:
        dropped = self._drop(before)
        if dropped:
            await self.store.commit()
        return dropped

    def _drop(self, before: dt.datetime) -> int:
        old = [doc["key"] for doc in self.table if dt.datetime.fromisoformat(doc["at"]) < before]
        for key in old:
            self.table.delete(key)
        return len(old)

    def _entries(self) -> list[AuditEntry]:
        return [_entry(doc) for doc in self.table]


def _entry(doc: Doc) -> AuditEntry:
    return AuditEntry(doc["at"], doc["who"], doc["where"], doc["action"], doc.get("detail", ""))


def _when(entry: AuditEntry) -> dt.datetime:
    return dt.datetime.fromisoformat(entry.at)
