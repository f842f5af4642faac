"""What adapters ask of the conversation, and what they get back: the inbound side.

An adapter turns its platform's traffic into a `Command` (or a button press, an inline query, a
home screen opened, a chat left) and calls a `Conversation`; it sends back the `Reply` or shows
the `HomeState`. Adapters depend on this Protocol, not on the class that implements it
(`bot/core/conversation/service.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.content.archive import Entry
from bot.content.loader import Content
from bot.content.models import Issue
from bot.core.conversation.finder import Page
from bot.core.destination import DeliveryTime
from bot.core.i18n import Language
from bot.core.model.messages import Message, Thread
from bot.core.ports import Command


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer: always a message; for issues also the thread, for platforms that can thread.

    `public` asks for an answer everyone in the chat sees (Slack in-channel); lookups default
    to private where the platform has that notion (Slack ephemeral). The answer to a button
    press is one of three: a `notice`, a short word (a toast, not a new answer: "vote recorded",
    a stale press); `in_place`, the pressed message replaced (◀ ▶); else a new answer in the
    presser's DM (an issue to read now). `silent`: say nothing at all (a command over the quota
    whose sender was told already).
    """

    message: Message
    thread: Thread | None = None
    public: bool = False
    notice: bool = False
    silent: bool = False
    in_place: bool = False


SILENCE = Reply(Message(()), silent=True)


@dataclass(frozen=True, slots=True)
class Reaction:
    """Reactions on message `message` in `chat`: `who`'s ("slack:U1"; a channel's anonymous
    totals: "count:<chat>:<message>") count of each (emoji name → count, 0: taken back).
    `replace`: this is the whole list, every other reaction of `who` there goes (Telegram)."""

    platform: str
    chat: str
    message: str
    who: str
    reactions: Mapping[str, int] = field(hash=False)
    replace: bool = False


@dataclass(frozen=True, slots=True)
class HomeState:
    """What a platform's home screen (Slack's App Home) shows one user."""

    latest: Issue | None
    subscribed: bool
    language: Language  # the reader's: the one their commands are answered in
    recent: tuple[Entry, ...] = ()  # the last issues, newest first
    timing: DeliveryTime | None = None  # their delivery time and zone (None: no per-reader times)
    notice: str = ""  # what the last change on the screen did ("It comes every day at …")


class Conversation(Protocol):
    """Everything an adapter asks of the core outside delivery."""

    language: Language  # `[bot] language`: what the bot speaks when nothing says otherwise

    @property
    def content(self) -> Content:
        """The content being served."""
        ...

    async def handle(self, command: Command) -> Reply:
        """The answer to `command`; never raises (a failure is answered as one)."""
        ...

    def issue(self, number: int, public: bool = False, platform: str = "") -> Reply:
        """Issue `number` as `/issue` answers it, in `language` (the console's opening)."""
        ...

    async def press(self, data: object, reader: Command) -> Reply:
        """A button press by `reader` with the button's (untrusted) `data`; never raises."""
        ...

    async def find(self, query: str, offset: str, reader: Command) -> Page:
        """What a query typed in any chat finds (Telegram inline mode), a page at a time."""
        ...

    async def react(self, reaction: Reaction) -> bool:
        """A reaction on a message; True if it counted (the message is one of a delivered
        thread, and feedback is on)."""
        ...

    async def home(self, reader: Command, notice: str = "") -> HomeState:
        """What `reader`'s home screen shows."""
        ...

    async def recipient_gone(self, platform: str, user: str, why: str) -> bool:
        """A user's DM is gone: their subscription ends. True if there was one."""
        ...

    async def channel_gone(self, platform: str, chat: str, why: str) -> bool:
        """The bot was removed from a channel: its opt-in ends. True if there was one."""
        ...

    async def channel_joined(self, platform: str, chat: str) -> None:
        """The bot was added to a channel: it says once how to opt in."""
        ...
