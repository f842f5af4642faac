"""The ports of delivery: the clock, the pacer, the right to deliver (leadership), the
schedule's run record and the `/post` requests a standby hands to the leader. The ports that
the conversation shares with delivery (the stores, the ledger, the deliverer) are in
`bot/core/ports.py`."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
