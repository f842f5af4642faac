"""When the last scheduled run was due, on the tinydb backend (the core's `RunRecord` port)."""

from __future__ import annotations

import datetime as dt

from bot.store.tinydb.snapshot import Store

SCHEDULE = "schedule"


class RunLog:
    """When the last scheduled delivery run was due (table "schedule"), so a missed run is
    caught up once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table(SCHEDULE)

    def last_run(self) -> dt.datetime | None:
        doc = self.table.get("last_run")
        return dt.datetime.fromisoformat(doc["at"]) if doc else None

    async def record(self, due: dt.datetime) -> None:
        self.table.put("last_run", {"at": due.isoformat()})
        await self.store.commit()
