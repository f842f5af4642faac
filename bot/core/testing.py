"""Fakes of the core's ports, for tests of the core (no SDK, no network, no real waiting):
a recording chat platform, a pacer that admits everything, a clock whose time moves on demand."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.errors import PlatformError, RecipientGone
from bot.core.model.messages import Message, MessageRef
from bot.core.ports import DeliveryReport, DeliveryTime


@dataclass(frozen=True, slots=True)
class Sent:
    chat: str
    message: Message
    ref: MessageRef
    reply_to: MessageRef | None


@dataclass
class RecordingPlatform:
    """Records every message sent; `fail[chat]` holds errors to raise on the next sends there
    (nothing is sent); `fail_after[chat]` holds errors raised after the message *was* sent, as
    when a process dies between the platform's answer and recording it."""

    name: str = "fake"
    sent: list[Sent] = field(default_factory=list)
    fail: dict[str, list[BaseException]] = field(default_factory=dict)
    fail_after: dict[str, list[BaseException]] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)
    admins: set[tuple[str, str]] = field(default_factory=set)  # (chat, user) pairs
    absent: set[str] = field(default_factory=set)  # chats the bot is not a member of
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        errors = self.fail.get(chat)
        if errors:
            raise errors.pop(0)
        ref = MessageRef(self.name, chat, str(next(self._ids)), reply_to.id if reply_to else None)
        self.sent.append(Sent(chat, message, ref, reply_to))
        after = self.fail_after.get(chat)
        if after:
            raise after.pop(0)
        return ref

    async def open_dm(self, user: str) -> str:
        return self.dms.setdefault(user, f"dm-{user}")

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        return (chat, user) in self.admins

    async def can_post(self, chat: str) -> bool:
        return chat not in self.absent

    def to(self, chat: str) -> list[Sent]:
        return [s for s in self.sent if s.chat == chat]


def gone(chat: str = "") -> PlatformError:
    return RecipientGone("Forbidden: bot was blocked by the user", chat=chat)


@dataclass
class OpenPacer:
    """The `Pacer` port admitting every send at once; records the slots asked for, and the
    rank each came with."""

    slots: list[tuple[str, str, str]] = field(default_factory=list)
    ranks: dict[str, list[int]] = field(default_factory=dict)  # chat -> its slots' ranks

    @asynccontextmanager
    async def slot(self, platform: str, chat: str, kind: str, rank: int = 0) -> AsyncIterator[None]:
        self.slots.append((platform, chat, kind))
        self.ranks.setdefault(chat, []).append(rank)
        yield


class FakeClock:
    """The `Clock` port on virtual time. `sleep` waits until `advance` moves time past its end;
    with `auto_advance` every sleep moves time itself and returns at once."""

    def __init__(self, start: datetime | None = None, *, auto_advance: bool = False) -> None:
        self.start = start or datetime(2024, 1, 1, tzinfo=UTC)
        self.elapsed = 0.0
        self.auto_advance = auto_advance
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.auto_advance:
            self.elapsed += max(seconds, 0.0)
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.elapsed + seconds, future))
        await future

    @property
    def sleeping(self) -> int:
        return sum(1 for _, future in self._sleepers if not future.done())

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds
        for due, future in self._sleepers:
            if due <= self.elapsed and not future.done():
                future.set_result(None)
        self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]


Asked = tuple[datetime, frozenset[DeliveryTime | None] | None]  # when, and for which times


@dataclass
class RecordingDeliverer:
    """A `Deliverer` for the scheduler: records when it was asked and for which delivery times
    (None: all), and sets `stop` once `enough(calls)` says so, which ends the scheduler."""

    clock: FakeClock
    stop: asyncio.Event
    enough: Callable[[list[Asked]], bool]
    calls: list[Asked] = field(default_factory=list)

    async def deliver(
        self,
        issue: int | None = None,
        *,
        dry_run: bool = False,
        at: Collection[DeliveryTime | None] | None = None,
        by: str = "",
    ) -> DeliveryReport:
        self.calls.append((self.clock.now(), frozenset(at) if at is not None else None))
        if self.enough(self.calls):
            self.stop.set()
        return DeliveryReport()
