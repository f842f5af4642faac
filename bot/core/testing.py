"""A recording fake of the `ChatPlatform` port, for tests of the core (no SDK, no network)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.core.errors import PlatformError
from bot.core.messages import Message, MessageRef


@dataclass(frozen=True, slots=True)
class Sent:
    chat: str
    message: Message
    ref: MessageRef
    reply_to: MessageRef | None


@dataclass
class RecordingPlatform:
    """Records every message sent; `fail[chat]` holds errors to raise on the next sends there."""

    name: str = "fake"
    sent: list[Sent] = field(default_factory=list)
    fail: dict[str, list[PlatformError]] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        errors = self.fail.get(chat)
        if errors:
            raise errors.pop(0)
        ref = MessageRef(self.name, chat, str(next(self._ids)), reply_to.id if reply_to else None)
        self.sent.append(Sent(chat, message, ref, reply_to))
        return ref

    async def open_dm(self, user: str) -> str:
        return self.dms.setdefault(user, f"dm-{user}")

    def to(self, chat: str) -> list[Sent]:
        return [s for s in self.sent if s.chat == chat]
