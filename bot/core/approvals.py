"""Approval before release (`[bot] require_approval`): the port that keeps approvals, and the
one rule that decides whether an issue may be released.

An approval records who approved issue N, when, and the SHA-256 of the issue's file as they
approved it (`digest`). It counts only while the file is unchanged: a change after approval
withdraws it (`Approvals.stale`, where content changes are noticed). With approval required, an
issue whose release time has passed is released only if approved; otherwise it is *held* and the
editors are told once (`Approvals.held` and `ApprovalStore.first_notice`). What was out before
stays out: an issue a run already started delivering, and every issue whose release time came
before approval was first required (`required_since`, recorded once in the store: switching it
on does not hide the archive).

The store answers `approvals()` from memory (`reload()` reads it again, as another replica may
have approved); writes are durable when they return.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.content.archive import Archive, Entry
from bot.content.release import Release


@dataclass(frozen=True, slots=True)
class Approval:
    issue: int
    by: str  # "slack:U1"
    at: dt.datetime
    digest: str  # SHA-256 (hex) of the issue's file as it was approved


class ApprovalStore(Protocol):
    def approvals(self) -> dict[int, Approval]:
        """Every approval, by issue (from memory)."""
        ...

    async def reload(self) -> None:
        """Read the approvals again (another replica may have written)."""
        ...

    async def approve(self, approval: Approval) -> None:
        """Record `approval`, replacing any earlier approval of its issue."""
        ...

    async def withdraw(self, issue: int, digest: str) -> bool:
        """Remove the approval of `issue` made for `digest`; True if this removed it (of two
        replicas withdrawing the same approval, exactly one gets True)."""
        ...

    def required_since(self) -> dt.datetime | None:
        """When approval was first required here (from memory); None: never yet."""
        ...

    async def require_since(self, at: dt.datetime) -> dt.datetime:
        """Record `at` as when approval was first required, unless a time is recorded; the
        one kept."""
        ...

    async def first_notice(self, key: str) -> bool:
        """True the first time `key` ("held:3:ab12…") is noticed, False every later time: a
        notice the editors get once, whichever replica and however often it is seen."""
        ...


def digest(entry: Entry) -> str:
    """The SHA-256 of the issue's file as it was loaded."""
    return hashlib.sha256(zlib.decompress(entry.source)).hexdigest()


class Approvals:
    """Whether each issue may be released, from the store's approvals and the ledger's
    release times. `changed()` is called after an approval is given or withdrawn (the live
    content's released view is worked out again)."""

    def __init__(
        self,
        store: ApprovalStore,
        *,
        required: bool,
        released_at: Callable[[int], dt.datetime | None] = lambda _: None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        read_only: bool = False,
    ) -> None:
        self.store, self.required, self.released_at = store, required, released_at
        self.read_only = read_only  # a store opened to read (a dry run): nothing is written
        self.changed: Callable[[], None] = lambda: None
        # issues due before this were out before approval was required (`start` records it)
        self.since = (store.required_since() or now()) if required else None

    def of(self, entry: Entry) -> Approval | None:
        """The approval of `entry` as it is now (None: none, or given for other content)."""
        found = self.store.approvals().get(entry.number)
        return found if found is not None and found.digest == digest(entry) else None

    async def start(self) -> None:
        """Record when approval was first required (at the first start with it on)."""
        if self.since is not None and not self.read_only:
            self.since = await self.store.require_since(self.since)

    def releasable(self, entry: Entry, at: dt.datetime) -> bool:
        """The release gate for `entry` due at `at`: approval not required, out already (a run
        started it, or due before approval was required), or approved as it is now."""
        return (
            self.since is None
            or at < self.since
            or self.released_at(entry.number) is not None
            or self.of(entry) is not None
        )

    def gate(self, release: Release) -> Release:
        """`release` with this gate when approval is required (as it is otherwise)."""
        return release.gated(self.releasable) if self.required else release

    async def approve(self, entry: Entry, by: str, now: dt.datetime) -> Approval:
        approval = Approval(entry.number, by, now, digest(entry))
        await self.store.approve(approval)
        self.changed()
        return approval

    async def reload(self) -> None:
        await self.store.reload()
        self.changed()

    async def stale(self, archive: Archive) -> list[Approval]:
        """Withdraw every approval given for content that has changed since (or whose issue is
        gone), for issues not yet out; the ones this call withdrew (tell the editors those)."""
        withdrawn = []
        for approval in list(self.store.approvals().values()):
            entry = archive.entry(approval.issue)
            if self.released_at(approval.issue) is not None:
                continue  # out already: a change now is a correction
            if entry is not None and digest(entry) == approval.digest:
                continue
            if await self.store.withdraw(approval.issue, approval.digest):
                withdrawn.append(approval)
        if withdrawn:
            self.changed()
        return withdrawn

    def held(self, archive: Archive, release: Release, now: dt.datetime) -> list[Entry]:
        """The issues whose release time has passed but which wait for approval."""
        if not self.required or self.read_only:
            return []
        return [
            entry
            for entry in archive.entries
            if (at := release.time_of(entry)) is not None
            and at <= now
            and not self.releasable(entry, at)
        ]
