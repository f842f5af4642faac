"""The delivery history (`DeliveryHistory`: table "history", one document per (issue,
destination), `"3|telegram:dm:42"`) and who turned the run reports off (`ReportChoices`: table
"report_choices", keyed "slack:U1") on the tinydb backend."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.core.runs import Attempt
from bot.store.common import utcnow
from bot.store.history import from_doc, merge, to_doc
from bot.store.tinydb.snapshot import Store

HISTORY = "history"
REPORT_CHOICES = "report_choices"


class History:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table(HISTORY)

    async def record(self, attempts: Sequence[Attempt]) -> None:
        for attempt in attempts:
            key = f"{attempt.issue}|{attempt.destination}"
            doc = self.table.get(key)
            self.table.put(key, to_doc(merge(from_doc(doc) if doc else None, attempt)))
        if attempts:
            await self.store.commit()

    async def recent(self, destination: str, issues: Collection[int]) -> dict[int, Attempt]:
        found = {}
        for issue in issues:
            doc = self.table.get(f"{issue}|{destination}")
            if doc is not None:
                found[issue] = from_doc(doc)
        return found


class ReportChoices:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table(REPORT_CHOICES)

    async def set_reports(self, who: str, on: bool) -> bool:
        if on:
            changed = self.table.delete(who)
        elif changed := self.table.get(who) is None:
            self.table.put(who, {"who": who, "since": utcnow().isoformat()})
        if changed:
            await self.store.commit()
        return changed

    async def reports_off(self) -> set[str]:
        return {doc["who"] for doc in self.table}
