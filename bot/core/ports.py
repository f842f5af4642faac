"""The ports the core needs: a chat platform to send through, and a subscription store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import Message, MessageRef


@dataclass(frozen=True, slots=True)
class Command:
    """One incoming command, whatever the platform: `/term NP-hard` from user U1 in chat C1."""

    platform: str
    chat: str
    user: str
    name: str
    text: str = ""
    is_dm: bool = False
    dm_chat: str | None = None  # where a DM to this user goes, when the adapter knows it


class ChatPlatform(Protocol):
    """What a platform adapter offers the core."""

    name: str

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        """Post `message` (split to the platform's limits if needed) and return the first part's
        reference; with `reply_to`, every part goes into that message's thread."""
        ...

    async def open_dm(self, user: str) -> str:
        """The chat id of a direct conversation with `user`."""
        ...


@dataclass(frozen=True, slots=True)
class Subscriber:
    platform: str
    user: str
    chat: str
    since: str = ""


class SubscriptionStore(Protocol):
    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        """True if this created the subscription, False if it already existed."""
        ...

    async def unsubscribe(self, platform: str, user: str) -> bool:
        """True if a subscription was removed."""
        ...

    async def is_subscribed(self, platform: str, user: str) -> bool: ...

    async def subscribers(self, platform: str | None = None) -> list[Subscriber]: ...

    async def count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    destinations: int = 0
    sent: int = 0
    retried: int = 0
    skipped: int = 0
    failed: int = 0
    nothing_new: int = 0


class Deliverer(Protocol):
    async def deliver(
        self, issue: int | None = None, *, dry_run: bool = False
    ) -> DeliveryReport: ...
