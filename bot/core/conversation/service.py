"""The conversation's front door: the `Conversation` adapters call, and the dispatcher.

A command is parsed (`commands.parse`), checked against the quota and the role its row (or,
for a `/briefing` subcommand, what it parsed to) asks for (`access.py`); its answer's language
is decided (`DestinationPolicy.language_for`); the handler the table names for what it parsed
to answers it, with a `Context` of that request. A button press goes the same way through the
buttons' table (`buttons.py`). A store that is unreachable is answered "briefly unavailable",
any other failure "internal error".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from bot.content.loader import Content
from bot.core.approvals import Approvals
from bot.core.audit import AuditLog
from bot.core.conversation import access, buttons, commands
from bot.core.conversation.access import is_admin, strictest
from bot.core.conversation.context import Context, Editing, Ports, Spelling
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.finder import Page
from bot.core.conversation.handlers import channels, editors, feedback, home, lookups
from bot.core.conversation.handlers.admin import AdminNotices, reload_content
from bot.core.conversation.inbound import SILENCE, HomeState, Reaction, Reply
from bot.core.conversation.quota import CommandQuota, Verdict
from bot.core.departures import Departures
from bot.core.errors import StoreUnreachable
from bot.core.feedback import FeedbackStore
from bot.core.i18n import Language
from bot.core.live_content import LiveContent
from bot.core.logfields import PLATFORM
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import (
    Command,
    CommandObserver,
    Deliverer,
    DeliveryReport,
    SubscriptionStore,
    TestSender,
)
from bot.core.privacy import ReaderData

log = logging.getLogger(__name__)


class CommandService:
    """Answers every `Command`; also what adapters ask of the core outside a command (the
    Home tab's state, a recipient who left). Implements `inbound.Conversation`."""

    def __init__(
        self,
        content: LiveContent,
        subscriptions: SubscriptionStore,
        platforms: PlatformRegistry,
        *,
        language: Language = "ko",
        admins: frozenset[str] = frozenset(),
        editors: frozenset[str] = frozenset(),
        deliverer: Deliverer | None = None,
        web: WebLinks | None = None,
        policy: DestinationPolicy | None = None,
        quota: CommandQuota | None = None,
        departures: Departures | None = None,
        notices: AdminNotices | None = None,
        spellings: Mapping[str, Spelling] | None = None,
        approvals: Approvals | None = None,
        tester: TestSender | None = None,
        feedback: FeedbackStore | None = None,
        editing: Editing | None = None,
        audit: AuditLog | None = None,
        readers: ReaderData | None = None,
        observer: CommandObserver | None = None,
    ) -> None:
        self.editing = editing  # the editors' tools (reports, /briefing why)
        self.live, self.subscriptions, self.platforms = content, subscriptions, platforms
        self.language: Language = language
        self.admins, self.deliverer, self.web = admins, deliverer, web
        self.editors = editors
        self.policy = policy  # opted-in channels, times and languages (destinations.py)
        self.quota = quota  # [bot] commands_per_minute, per user and per chat (admins exempt)
        self.notices = notices or AdminNotices(content, platforms)  # the root's, shared
        self.departures = departures or Departures(subscriptions)  # the one rule for the gone
        self.spellings = spellings  # per platform, how its users type a command (/help)
        self.approvals, self.tester = approvals, tester  # the editors' (handlers/editors.py)
        self.feedback = feedback  # votes and reactions; None: `[bot] feedback = false`
        self.audit, self.readers = audit, readers  # the audit log; a reader's own data
        self.observer = observer  # each command's outcome and time (the operator's metrics)

    @property
    def content(self) -> Content:
        return self.live.current

    @property
    def ports(self) -> Ports:
        return Ports(self.live, self.subscriptions, self.platforms, self.admins, self.deliverer,
                     self.web, self.policy, commands.COMMANDS, self.spellings,
                     feedback=self.feedback, editors=self.editors, approvals=self.approvals,
                     tester=self.tester, refresh=self.notices.refresh, editing=self.editing,
                     audit=self.audit, readers=self.readers)  # fmt: skip

    async def handle(self, command: Command) -> Reply:
        platform = PLATFORM.set(command.platform)  # on its log lines (logfields.py)
        try:
            if self.observer is None:
                return (await self._handle(command))[0]
            started = time.perf_counter()
            reply, outcome, name = await self._handle(command)
            self.observer.handled(name, outcome, time.perf_counter() - started)
            return reply
        finally:
            PLATFORM.reset(platform)

    async def _handle(self, command: Command) -> tuple[Reply, str, str]:
        """The answer to `command`, what became of it (`bot.core.ports.OUTCOMES`) and the name
        of its command in the table ("unknown": bounded, whatever was typed)."""
        parsed = commands.parse(command.name, command.text)
        log.info("command %s from %s:%s → %s", command.name, command.platform, command.user,
                 type(parsed).__name__)  # fmt: skip
        spec = commands.spec(command.name)
        name = spec.name if spec is not None else "unknown"
        verdict, wait = self._within_quota(command)
        if verdict is Verdict.SILENT:
            return SILENCE, "silenced", name
        ctx = Context(command, self.language, self.ports)
        try:
            ctx = await self.context(command)
            if verdict is Verdict.NOTICE:
                return ctx.say("too_many_commands", seconds=wait), "over_quota", name
            who = strictest(spec.who if spec else "everyone", commands.needs(parsed))
            if not ctx.may(who):
                return ctx.refuse(who), "refused", name
            return await commands.HANDLERS[type(parsed)](ctx, parsed), "answered", name
        except StoreUnreachable as exc:
            log.warning("command %r: the store is unreachable: %s", command.name, exc)
            return ctx.say("store_unavailable"), "store_unavailable", name
        except Exception:  # a handler bug must not take the bot down; the log has the trace
            log.exception("command %r failed", command.name)
            return ctx.say("internal_error"), "error", name

    def _within_quota(self, command: Command) -> tuple[Verdict, int]:
        """The quota's verdict on `command` (by its user and in its chat); admins are exempt."""
        if self.quota is None or is_admin(command, self.admins):
            return Verdict.ANSWER, 0
        who = f"{command.platform}:{command.user}"
        keys = (f"user:{who}", f"chat:{command.platform}:{command.chat}")
        verdict, wait = self.quota.check(keys, command.sent_at)
        if verdict is not Verdict.ANSWER:
            log.info("command %s from %s over the quota: %s", command.name, who, verdict.value)
        return verdict, wait

    async def context(self, command: Command) -> Context:
        """`command`'s context, in the language it is answered in (`language_for`: the reader's
        or the channel's, by who sees the answer, else `bot.language`), whether or not the
        reader ever subscribed. `command` may be any word from a reader (a button press, an
        inline query): only who, where, their locale and who sees the answer count."""
        policy = self.policy
        lang = await policy.language_for(command) if policy is not None else self.language
        return Context(command, lang, self.ports)

    async def test_send(self, command: Command, number: int | None) -> tuple[int, Reply]:
        """A test send to `command`'s sender (`briefing-bot test N --to`): messages sent (0:
        none) and the answer, in their language."""
        return await editors.send_test(await self.context(command), number)

    def issue(self, number: int, public: bool = False, platform: str = "") -> Reply:
        return lookups.issue_reply(self.ports, self.language, number, public, platform)

    async def press(self, data: object, reader: Command) -> Reply:
        """A button press by `reader` with the button's (untrusted) `data`, answered in the
        reader's language by the handler its prefix names (`buttons.py`); a forged press, or
        one the reader may not make, gets a short notice and changes nothing. Observed as the
        command "button:<prefix>" ("button:unknown" when forged)."""
        started = time.perf_counter()
        reply, outcome, name = await self._press(data, reader)
        if self.observer is not None:
            self.observer.handled(name, outcome, time.perf_counter() - started)
        return reply

    async def _press(self, data: object, reader: Command) -> tuple[Reply, str, str]:
        ctx = Context(reader, self.language, self.ports)
        name = "button:unknown"
        try:
            ctx = await self.context(reader)
            found = buttons.parse(data)
            if found is None:
                log.info("%s: ignoring a button press with foreign data %.80r",
                         reader.platform, data)  # fmt: skip
                return ctx.notice("button_unknown"), "refused", name
            spec, parsed = found
            name = f"button:{spec.prefix}"
            if not ctx.may(spec.who):
                return ctx.notice(access.REFUSAL.get(spec.who, "admin_only")), "refused", name
            return await spec.handle(ctx, parsed), "answered", name
        except StoreUnreachable as exc:
            log.warning("button %.40r: the store is unreachable: %s", data, exc)
            return ctx.notice("store_unavailable"), "store_unavailable", name
        except Exception:
            log.exception("button %.40r failed", data)
            return ctx.notice("internal_error"), "error", name

    async def find(self, query: str, offset: str, reader: Command) -> Page:
        """What a query typed in any chat finds (Telegram inline mode), a page at a time, in
        the language of `reader` (who typed it)."""
        return lookups.find(await self.context(reader), query, offset)

    async def react(self, reaction: Reaction) -> bool:
        """A reaction on a message, counted if the message is one of a delivered thread. A
        reaction has no answer, so a failure to count it is only logged (for every platform)."""
        try:
            return await feedback.react(self.ports, reaction)
        except Exception:
            log.exception("%s: counting a reaction in %s failed", reaction.platform, reaction.chat)
            return False

    async def home(self, reader: Command, notice: str = "") -> HomeState:
        return await home.home_state(await self.context(reader), notice)

    async def recipient_gone(self, platform: str, user: str, why: str) -> bool:
        """A user's DM is gone (they blocked the bot, left the workspace): their subscription
        ends. True if there was one."""
        return await self.departures.reader(platform, user, why)

    async def channel_gone(self, platform: str, chat: str, why: str) -> bool:
        """The bot was removed from a channel: its destination ends, its topics' too (logged)."""
        return bool(await self.departures.chats(platform, [chat], why))

    async def channel_joined(self, platform: str, chat: str) -> None:
        """The bot was added to a channel: it says once how to opt in."""
        if self.policy is not None:
            await channels.arrived(self.policy, platform, chat)

    # ---- the admins, outside a command (the composition root calls these) -------------------

    def reload(self) -> Reply:
        """/reload, as an admin's command does it."""
        return reload_content(self.ports, self.language)

    async def refresh_content(self) -> bool:
        """The content on disk, taken as /reload would; a refusal is told to the admins once."""
        return await self.notices.refresh_content(self.admins, self.language)

    async def tell_post_done(self, by: str, report: DeliveryReport) -> None:
        await self.notices.tell_post_done(by, report, self.language)
