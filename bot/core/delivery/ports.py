"""The ports of delivery: the clock, the pacer, the right to deliver (leadership), the
schedule's run record and the `/post` requests a standby hands to the leader. The ports that
the conversation shares with delivery (the stores, the ledger, the deliverer) are in
`bot/core/ports.py`."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.core.model.messages import MessageRef


class Clock(Protocol):
    """Wall time (aware, UTC) for records, a monotonic clock and sleep for waits; fakes in tests."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class Pacer(Protocol):
    """Admission to send one message: `async with pacer.slot("telegram", "-100123", "channel")`.

    `kind` is "channel" (a configured channel or group), "dm" (a subscriber's private chat) or
    "answer" (a command's answer; the platform's chat string says which it is).
    `rank` is the destination's place in the delivery run (0 first): where sends wait for a
    limit they share (Telegram's overall 30/s), the lowest rank goes first, so each reader's
    thread is finished before readers further down start theirs. It never changes the rate.
    `ANSWER` (-1) is a command's answer: ahead of every delivery, within a bounded share.
    """

    def slot(
        self, platform: str, chat: str, kind: str, rank: int = 0
    ) -> AbstractAsyncContextManager[None]: ...


ANSWER = -1  # the `Pacer` rank of a command's answer (see bot/adapters/infra/priority.py)


class Leadership(Protocol):
    """The right to deliver: the store's lock, which a database can take away (a lost session)."""

    async def holds(self) -> bool:
        """True while this process may still deliver; checked before every part is sent."""
        ...


@dataclass(frozen=True, slots=True)
class PostRequest:
    """A queued `/post`: which issue (None: the newest) and who asked ("slack:U1"; "" if no one
    a message can reach, e.g. an old row)."""

    id: int
    issue: int | None
    by: str = ""


class PostRequests(Protocol):
    """`/post` on a replica that is not the leader, handed to the leader through the store."""

    async def request(self, issue: int | None, by: str = "") -> None:
        """Queue a delivery of `issue` (None: the newest) for the leader, asked by `by`."""
        ...

    async def pending(self) -> list[PostRequest]:
        """The requests not yet delivered, oldest first."""
        ...

    async def done(self, request: int) -> None: ...


class RunRecord(Protocol):
    """When the last scheduled delivery run was due, so a missed run is caught up once."""

    def last_run(self) -> datetime | None: ...

    async def record(self, due: datetime) -> None: ...


CORRECTION = 1 << 40  # the `Pacer` rank of a correction's edits: after every delivery waiting


@dataclass(frozen=True, slots=True)
class Copy:
    """One sent part of a thread as the ledger keeps it for corrections (`[delivery]
    correction_days`): where it is (`ref`, with every platform message it was split into; None
    while a part added by a correction is on its way), a digest of the text it shows and the
    variant it was rendered for ("packed|ko": packed or not, the bot's language).

    `editing` is the digest an edit in progress goes to (marked before the edit, as deliveries
    mark a part pending), "" when none; `gone` says why the copy can no longer be changed
    ("deleted" for a surplus part the correction removed, "message_not_found", …), "" if it can.
    """

    issue: int
    destination: str
    part: int
    ref: MessageRef | None
    digest: str
    variant: str
    sent_at: datetime
    editing: str = ""
    gone: str = ""


@dataclass(frozen=True, slots=True)
class Revision:
    """The revision of an issue that its copies show (or are being corrected to: not `done`):
    a digest of the issue's source and the glossary, since when, and when a correction of it
    last finished (None: never corrected)."""

    digest: str
    since: datetime
    done: bool = True
    corrected_at: datetime | None = None


@runtime_checkable
class KeepsCopies(Protocol):
    """A ledger that keeps each sent part's copy for corrections. Mutations share the ledger's
    `commit()`, so a copy is durable together with the "sent" of its part."""

    def keep_copy(self, copy: Copy) -> None: ...

    async def copies(self, issue: int) -> list[Copy]:
        """Every copy kept of `issue`, by destination then part."""
        ...

    async def prune_copies(self, before: datetime) -> int:
        """Forget the copies sent before `before` (older than `correction_days`); how many."""
        ...

    def revision(self, issue: int) -> Revision | None: ...

    def set_revision(self, issue: int, revision: Revision) -> None: ...

    def revised_issues(self) -> dict[int, Revision]: ...

    async def commit(self) -> None: ...
