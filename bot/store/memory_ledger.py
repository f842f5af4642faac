"""What both ledgers share: the core's `Ledger` port answered from memory, each mutation handed
to the backend's writer (`_write_*`) and made durable by its `commit()`."""

from __future__ import annotations

import datetime as dt

from bot.core.delivery.ports import Copy, Revision
from bot.core.model.messages import MessageRef
from bot.core.ports import PartRecord


class MemoryLedger:
    """The open parts by destination, the done markers and the release times, in memory."""

    def __init__(self) -> None:
        # destination -> issue -> part -> record, for the threads not yet done
        self._parts: dict[str, dict[int, dict[int, PartRecord]]] = {}
        self._done: set[tuple[int, str]] = set()
        self._releases: dict[int, dt.datetime] = {}
        self._revisions: dict[int, Revision] = {}  # the `KeepsCopies` half: issues' revisions

    def released_at(self, issue: int) -> dt.datetime | None:
        return self._releases.get(issue)

    def release(self, issue: int, at: dt.datetime) -> dt.datetime:
        if issue not in self._releases:
            self._releases[issue] = at
            self._write_release(issue, at)
        return self._releases[issue]

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
        self._write_done(issue, destination, parts, records)
        self._done.add((issue, destination))

    def drop(self, destination: str) -> None:
        """Forget, in memory, everything delivered to `destination` (its rows are deleted by the
        backend's `/forget`)."""
        self._parts.pop(destination, None)
        self._done = {(issue, dest) for issue, dest in self._done if dest != destination}

    # the `KeepsCopies` port (corrections): the revisions in memory, the copies in the backend

    def revision(self, issue: int) -> Revision | None:
        return self._revisions.get(issue)

    def set_revision(self, issue: int, revision: Revision) -> None:
        self._revisions[issue] = revision
        self._write_revision(issue, revision)

    def revised_issues(self) -> dict[int, Revision]:
        return dict(self._revisions)

    def keep_copy(self, copy: Copy) -> None:
        self._write_copy(copy)

    def _write_revision(self, issue: int, revision: Revision) -> None:
        raise NotImplementedError

    def _write_copy(self, copy: Copy) -> None:
        raise NotImplementedError

    def _loaded(self, issue: int, destination: str, record: PartRecord) -> None:
        self._issue(issue, destination)[record.part] = record

    def _issue(self, issue: int, destination: str) -> dict[int, PartRecord]:
        return self._parts.setdefault(destination, {}).setdefault(issue, {})

    def _put(self, issue: int, destination: str, record: PartRecord) -> None:
        self._loaded(issue, destination, record)
        self._write_part(issue, destination, record)

    def _write_release(self, issue: int, at: dt.datetime) -> None:
        raise NotImplementedError

    def _write_part(self, issue: int, destination: str, record: PartRecord) -> None:
        raise NotImplementedError

    def _write_done(
        self, issue: int, destination: str, parts: int, records: dict[int, PartRecord]
    ) -> None:
        raise NotImplementedError


def parent_id(records: dict[int, PartRecord]) -> str | None:
    """The platform id of a thread's parent message, if it was sent."""
    parent = records.get(0)
    return parent.ref.id if parent and parent.ref else None
