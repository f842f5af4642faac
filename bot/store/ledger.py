"""The delivery ledger (the core's `Ledger` port) on the tinydb backend."""

from __future__ import annotations

import datetime as dt

from bot.core.messages import MessageRef
from bot.core.ports import PartRecord
from bot.store.subscriptions import utcnow
from bot.store.tinydb import Doc, Store

DELIVERIES = "deliveries"
RELEASES = "releases"


class Ledger:
    """The delivery ledger (the core's `Ledger` port) in table "deliveries" of `Store`.

    While a thread is being delivered there is one document per (issue, destination, part),
    `"1|telegram:dm:42|3"`, in state "pending" or "sent" with the message reference. When the
    whole thread is out, one done marker `"1|telegram:dm:42"` (part count, parent id, time)
    replaces the part documents, so the file grows by one small document per delivered
    (issue, destination). Release times live in table "releases". Changes are durable only
    after `commit()`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table(DELIVERIES)
        self.releases = store.table(RELEASES)
        # destination -> issue -> part -> record, for the threads not yet done
        self._parts: dict[str, dict[int, dict[int, PartRecord]]] = {}
        self._done: set[tuple[int, str]] = set()
        for doc in self.table:
            if doc.get("done"):
                self._done.add((doc["issue"], doc["dest"]))
            else:
                self._issue(doc["issue"], doc["dest"])[doc["part"]] = _record(doc)

    def released_at(self, issue: int) -> dt.datetime | None:
        doc = self.releases.get(str(issue))
        return dt.datetime.fromisoformat(doc["released_at"]) if doc else None

    def release(self, issue: int, at: dt.datetime) -> dt.datetime:
        known = self.released_at(issue)
        if known is not None:
            return known
        self.releases.put(str(issue), {"issue": issue, "released_at": at.isoformat()})
        return at

    def is_done(self, issue: int, destination: str) -> bool:
        return (issue, destination) in self._done

    def started(self, destination: str) -> list[int]:
        return sorted(i for i, parts in self._parts.get(destination, {}).items() if parts)

    def parts(self, issue: int, destination: str) -> dict[int, PartRecord]:
        return dict(self._parts.get(destination, {}).get(issue, {}))

    def mark_pending(self, issue: int, destination: str, part: int) -> None:
        self._put(issue, destination, PartRecord(part, "pending"))

    def mark_sent(self, issue: int, destination: str, part: int, ref: MessageRef) -> None:
        self._put(issue, destination, PartRecord(part, "sent", ref))

    def mark_done(self, issue: int, destination: str, parts: int) -> None:
        records = self._parts.get(destination, {}).pop(issue, {})
        for part in records:
            self.table.delete(f"{issue}|{destination}|{part}")
        parent = records.get(0)
        self.table.put(
            f"{issue}|{destination}",
            {"issue": issue, "dest": destination, "done": True, "parts": parts,
             "parent": parent.ref.id if parent and parent.ref else None,
             "at": utcnow().isoformat()},
        )  # fmt: skip
        self._done.add((issue, destination))

    async def commit(self) -> None:
        await self.store.commit()

    def _issue(self, issue: int, destination: str) -> dict[int, PartRecord]:
        return self._parts.setdefault(destination, {}).setdefault(issue, {})

    def _put(self, issue: int, destination: str, record: PartRecord) -> None:
        self._issue(issue, destination)[record.part] = record
        ref = record.ref
        self.table.put(
            f"{issue}|{destination}|{record.part}",
            {"issue": issue, "dest": destination, "part": record.part, "state": record.state,
             "platform": ref.platform if ref else None, "chat": ref.chat if ref else None,
             "id": ref.id if ref else None, "thread": ref.thread if ref else None},
        )  # fmt: skip


def _record(doc: Doc) -> PartRecord:
    ref = None
    if doc.get("id") is not None:
        ref = MessageRef(doc["platform"], doc["chat"], doc["id"], doc.get("thread"))
    return PartRecord(doc["part"], doc["state"], ref)
