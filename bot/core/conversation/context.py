"""What a handler gets: the ports it may use, and one request's context (who asked, where, and
the language the answer is in). Handlers are functions `(Context, <parsed command>) -> Reply`;
the table in `commands.py` says which one answers which command object."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.content.loader import Content
from bot.core.approvals import Approvals
from bot.core.audit import AuditLog
from bot.core.conversation.access import REFUSAL, Who, is_admin, is_editor, may
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.inbound import Reply
from bot.core.feedback import FeedbackStore
from bot.core.i18n import Language, t
from bot.core.live_content import LiveContent
from bot.core.model.messages import simple
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command, Deliverer, DeliveryTime, SubscriptionStore, TestSender
from bot.core.privacy import ReaderData
from bot.core.runs import DeliveryHistory, ReportChoices

log = logging.getLogger(__name__)


class Listed(Protocol):
    """A command as /help lists it (a row of the table in `commands.py`)."""

    @property
    def name(self) -> str: ...
    @property
    def help(self) -> str | None: ...  # its line's catalogue key; None: not listed
    @property
    def who(self) -> str: ...  # "everyone", "editors" or "admins"
    @property
    def slash(self) -> bool: ...  # a Slack slash command of its own


# How a platform has its users type a command: (name, has a slash command of its own) →
# "/term"; Slack's others are "/briefing <name>". From each platform's descriptor.
Spelling = Callable[[str, bool], str]


@dataclass(frozen=True, slots=True)
class Ports:
    """What the conversation reads and changes; the optional ones are None where not wired (a
    test, a read-only command): the commands that need them say so."""

    live: LiveContent
    subscriptions: SubscriptionStore
    platforms: PlatformRegistry
    admins: frozenset[str] = frozenset()  # `[bot] admins`: "slack:U1"
    deliverer: Deliverer | None = None  # /post
    web: WebLinks | None = None  # the web archive's pages, linked from answers
    policy: DestinationPolicy | None = None  # opted-in channels, times and languages
    commands: Sequence[Listed] = ()  # the command table, for /help
    spellings: Mapping[str, Spelling] | None = None  # per platform, how a command is typed
    editors: frozenset[str] = frozenset()  # `[bot] editors`: "telegram:42"
    approvals: Approvals | None = None  # approval before release (bot/core/approvals.py)
    tester: TestSender | None = None  # /briefing test: an issue to one person's DM
    # the content on disk, taken as /reload would, refusals and withdrawn approvals told
    refresh: Callable[[], Awaitable[bool]] | None = None
    feedback: FeedbackStore | None = None  # votes and reactions ([bot] feedback)
    editing: Editing | None = None  # the editors' tools: reports, the delivery history
    audit: AuditLog | None = None  # who did what: every admin and editor action (`ctx.audit`)
    readers: ReaderData | None = None  # a reader's own data: /mydata, /forget


@dataclass(frozen=True, slots=True)
class Editing:
    """What `/briefing why` and `/briefing reports` read and change: the delivery history, who
    turned the reports off, and when a delivery time is next due (the timetable's schedules)."""

    history: DeliveryHistory
    reports: ReportChoices
    next_due: Callable[[DeliveryTime | None], datetime]  # next due after now (None: edition's)
    recipients: frozenset[str] = frozenset()  # who gets the reports: editors and admins


@dataclass(frozen=True, slots=True)
class Context:
    """One request: the `Command` (or the reader of a button press, an inline query, a home
    screen), the language its answer is in, and the ports."""

    command: Command
    language: Language
    ports: Ports

    @property
    def content(self) -> Content:
        return self.ports.live.current

    @property
    def by_admin(self) -> bool:
        return is_admin(self.command, self.ports.admins)

    @property
    def by_editor(self) -> bool:
        """An editor or an admin."""
        return is_editor(self.command, self.ports.editors, self.ports.admins)

    def may(self, who: Who) -> bool:
        return may(who, self.command, self.ports.editors, self.ports.admins)

    def refuse(self, who: Who) -> Reply:
        """The answer to someone without role `who`: who may."""
        return self.say(REFUSAL.get(who, "admin_only"))

    @property
    def who(self) -> str:
        """The asker as the admins' list names them: "slack:U1"."""
        return f"{self.command.platform}:{self.command.user}"

    async def audit(
        self, action: str, detail: str = "", *, who: str | None = None, where: str | None = None
    ) -> None:
        """Record this request's `action` in the audit log: by the asker (or `who`), where it
        was asked ("slack:C1"; or `where`), with a `detail` that holds no reader's content.
        Every admin and editor action calls this once it has happened."""
        where = where or f"{self.command.platform}:{self.command.chat}"
        by = self.who if who is None else who
        log.info("audit: %s %s in %s: %s", by, action, where, detail)
        if self.ports.audit is not None:
            await self.ports.audit.record(by, where, action, detail)

    def say(self, key: str, **values: object) -> Reply:
        """The catalogue's `key`, in this request's language, as the whole answer."""
        return Reply(simple(t(self.language, key, **values)))

    def notice(self, key: str, **values: object) -> Reply:
        """The catalogue's `key` as a short word about a button press (a toast)."""
        return Reply(simple(t(self.language, key, **values)), notice=True)


# A handler: the context and the parsed command (of the class the table maps to it).
Handler = Callable[[Context, Any], Awaitable[Reply]]
