"""The delivery ledger (the core's `Ledger` port) on the tinydb backend."""

from __future__ import annotations

import datetime as dt

from bot.core.delivery.ports import Copy, Revision
from bot.core.model.messages import MessageRef
from bot.core.ports import PartRecord
from bot.store.common import utcnow
from bot.store.copy_records import copy_fields, copy_of, revision_fields, revision_of
from bot.store.memory_ledger import MemoryLedger, parent_id
from bot.store.tinydb.snapshot import Doc, Store

DELIVERIES = "deliveries"
RELEASES = "releases"
COPIES = "copies"  # sent parts kept for corrections, "1|telegram:dm:42|3"
REVISIONS = "revisions"  # each delivered issue's revision, by issue number


class Ledger(MemoryLedger):
    """The delivery ledger (the core's `Ledger` port) in table "deliveries" of `Store`.

    While a thread is being delivered there is one document per (issue, destination, part),
    `"1|telegram:dm:42|3"`, in state "pending" or "sent" with the message reference. When the
    whole thread is out, one done marker `"1|telegram:dm:42"` (part count, parent id, time)
    replaces the part documents, so the file grows by one small document per delivered
    (issue, destination). Release times live in table "releases". Changes are durable only
    after `commit()`.
    """

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.table = store.table(DELIVERIES)
        self.releases = store.table(RELEASES)
        for doc in self.table:
            if doc.get("done"):
                self._done.add((doc["issue"], doc["dest"]))
            else:
                self._loaded(doc["issue"], doc["dest"], _record(doc))
        for doc in self.releases:
            self._releases[doc["issue"]] = dt.datetime.fromisoformat(doc["released_at"])
        self.copy_table, self.revision_table = store.table(COPIES), store.table(REVISIONS)
        for doc in self.revision_table:
            self._revisions[doc["issue"]] = revision_of(doc)

    async def copies(self, issue: int) -> list[Copy]:
        found = [copy_of(doc) for doc in self.copy_table if doc["issue"] == issue]
        return sorted(found, key=lambda c: (c.destination, c.part))

    async def prune_copies(self, before: dt.datetime) -> int:
        old = [f"{d['issue']}|{d['dest']}|{d['part']}" for d in self.copy_table
               if dt.datetime.fromisoformat(d["sent_at"]) < before]  # fmt: skip
        for key in old:
            self.copy_table.delete(key)
        if old:
            await self.store.commit()
        return len(old)

    def _write_copy(self, copy: Copy) -> None:
        doc = copy_fields(copy) | {"sent_at": copy.sent_at.isoformat()}
        self.copy_table.put(f"{copy.issue}|{copy.destination}|{copy.part}", doc)

    def _write_revision(self, issue: int, revision: Revision) -> None:
        doc = revision_fields(revision)
        doc["since"] = revision.since.isoformat()
        doc["corrected_at"] = revision.corrected_at.isoformat() if revision.corrected_at else None
        self.revision_table.put(str(issue), {"issue": issue, **doc})

    async def commit(self) -> None:
        await self.store.commit()

    def _write_release(self, issue: int, at: dt.datetime) -> None:
        self.releases.put(str(issue), {"issue": issue, "released_at": at.isoformat()})

    def _write_done(
        self, issue: int, destination: str, parts: int, records: dict[int, PartRecord]
    ) -> None:
        for part in records:
            self.table.delete(f"{issue}|{destination}|{part}")
        self.table.put(
            f"{issue}|{destination}",
            {"issue": issue, "dest": destination, "done": True, "parts": parts,
             "parent": parent_id(records), "at": utcnow().isoformat()},
        )  # fmt: skip

    def _write_part(self, issue: int, destination: str, record: PartRecord) -> None:
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
