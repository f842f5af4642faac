"""The `ApprovalStore` port on the tinydb backend: table "approvals" (one document per issue:
who, when, the content's digest) and table "notices" (the editors' notices already given)."""

from __future__ import annotations

import datetime as dt

from bot.core.approvals import Approval
from bot.store.common import utcnow
from bot.store.tinydb.snapshot import Store

APPROVALS = "approvals"
NOTICES = "notices"
REQUIRED = "approval-required"  # the notice whose time is when approval was first required


class Approvals:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table(APPROVALS)
        self.notices = store.table(NOTICES)

    def approvals(self) -> dict[int, Approval]:
        return {
            int(doc["issue"]): Approval(
                int(doc["issue"]), doc["by"], dt.datetime.fromisoformat(doc["at"]), doc["digest"]
            )
            for doc in self.table
        }

    async def reload(self) -> None:
        pass  # one process owns the file: memory is the truth

    async def approve(self, approval: Approval) -> None:
        self.table.put(
            str(approval.issue),
            {"issue": approval.issue, "by": approval.by, "at": approval.at.isoformat(),
             "digest": approval.digest},
        )  # fmt: skip
        await self.store.commit()

    async def withdraw(self, issue: int, digest: str) -> bool:
        doc = self.table.get(str(issue))
        if doc is None or doc["digest"] != digest:
            return False
        self.table.delete(str(issue))
        await self.store.commit()
        return True

    def required_since(self) -> dt.datetime | None:
        doc = self.notices.get(REQUIRED)
        return dt.datetime.fromisoformat(doc["at"]) if doc else None

    async def require_since(self, at: dt.datetime) -> dt.datetime:
        kept = self.required_since()
        if kept is not None:
            return kept
        self.notices.put(REQUIRED, {"at": at.isoformat()})
        await self.store.commit()
        return at

    async def first_notice(self, key: str) -> bool:
        if self.notices.get(key) is not None:
            return False
        self.notices.put(key, {"at": utcnow().isoformat()})
        await self.store.commit()
        return True
