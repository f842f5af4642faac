"""The command service: one place that decides what every command answers, on every platform.

Adapters turn their platform's traffic into a `Command` and send back the `Reply`; what to do
is decided here, including what needs a platform: opening the DM a /subscribe goes to, checking
that the bot may write there first (Telegram, from a group), and ending a subscription whose
recipient is gone.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
from dataclasses import dataclass

from bot.content.archive import Entry
from bot.content.errors import ContentError
from bot.content.loader import Content
from bot.content.models import Issue
from bot.core.conversation import commands as c
from bot.core.conversation import finder as inline
from bot.core.conversation import navigation
from bot.core.conversation.destinations import DestinationDesk, Timing, dm_key
from bot.core.conversation.quota import CommandQuota, Verdict
from bot.core.errors import (
    MessageRejected,
    PlatformError,
    RateLimited,
    RecipientGone,
    StoreUnreachable,
)
from bot.core.i18n import Language, t
from bot.core.live_content import LiveContent
from bot.core.model import render
from bot.core.model.messages import Block, Line, Message, Thread, bold, link, simple, text
from bot.core.model.termlinks import TermLinker
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command, Deliverer, DeliveryReport, ReportsStats, SubscriptionStore

log = logging.getLogger(__name__)
MAX_REPLY_PROBLEMS = 10
HOME_RECENT = 10  # issues listed on a home screen


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer: always a message; for issues also the thread, for platforms that can thread.

    `public` asks for an answer everyone in the chat sees (Slack in-channel); lookups default
    to private where the platform has that notion (Slack ephemeral). `notice` marks a short
    word about a button press that could not be followed (a toast, not a new answer). `silent`:
    say nothing at all (a command over the quota whose sender was told already).
    """

    message: Message
    thread: Thread | None = None
    public: bool = False
    notice: bool = False
    silent: bool = False


SILENCE = Reply(Message(()), silent=True)


@dataclass(frozen=True, slots=True)
class HomeState:
    """What a platform's home screen (Slack's App Home) shows one user."""

    latest: Issue | None
    subscribed: bool
    language: Language  # the reader's: the one their commands are answered in
    recent: tuple[Entry, ...] = ()  # the last issues, newest first
    timing: Timing | None = None  # their delivery time and zone (None: no per-reader times)
    notice: str = ""  # what the last change on the screen did ("It comes every day at …")


class CommandService:
    """Answers every `Command`; also what adapters ask of the core outside a command (the
    Home tab's state, a recipient who left)."""

    def __init__(
        self,
        content: LiveContent,
        subscriptions: SubscriptionStore,
        platforms: PlatformRegistry,
        *,
        language: Language = "ko",
        admins: frozenset[str] = frozenset(),
        deliverer: Deliverer | None = None,
        web: WebLinks | None = None,
        desk: DestinationDesk | None = None,
        quota: CommandQuota | None = None,
    ) -> None:
        self.quota = quota  # [bot] commands_per_minute, per user and per chat (admins exempt)
        self.desk = (
            desk  # opted-in channels, times and languages (bot/core/conversation/destinations.py)
        )
        self.live = content
        self.subscriptions = subscriptions
        self.platforms = platforms
        self.language: Language = language
        self.admins = admins
        self._told: str = ""  # the last refused content the admins were told about
        self.deliverer = deliverer
        self.web = web

    @property
    def content(self) -> Content:
        return self.live.current

    def is_admin(self, command: Command) -> bool:
        return command.platform == "console" or f"{command.platform}:{command.user}" in self.admins

    def say(self, key: str, **values: object) -> Reply:
        return Reply(simple(t(self.language, key, **values)))

    async def handle(self, command: Command) -> Reply:
        parsed = c.parse(command.name, command.text)
        log.info(
            "command %s from %s:%s → %s",
            command.name,
            command.platform,
            command.user,
            type(parsed).__name__,
        )
        verdict, wait = self._within_quota(command)
        if verdict is Verdict.SILENT:
            return SILENCE
        spec = c.spec(command.name)
        speaker = self
        try:
            speaker = await self.speaking_to(command)
            if verdict is Verdict.NOTICE:
                return speaker.say("too_many_commands", seconds=wait)
            if spec is not None and spec.who == "admins" and not self.is_admin(command):
                return speaker.say("admin_only")
            return await speaker._dispatch(parsed, command)
        except StoreUnreachable as exc:
            log.warning("command %r: the store is unreachable: %s", command.name, exc)
            return speaker.say("store_unavailable")
        except Exception:  # a handler bug must not take the bot down; the log has the trace
            log.exception("command %r failed", command.name)
            return speaker.say("internal_error")

    def _within_quota(self, command: Command) -> tuple[Verdict, int]:
        """The quota's verdict on `command` (by its user and in its chat); admins are exempt."""
        if self.quota is None or self.is_admin(command):
            return Verdict.ANSWER, 0
        who = f"{command.platform}:{command.user}"
        keys = (f"user:{who}", f"chat:{command.platform}:{command.chat}")
        verdict, wait = self.quota.check(keys, command.sent_at)
        if verdict is not Verdict.ANSWER:
            log.info("command %s from %s over the quota: %s", command.name, who, verdict.value)
        return verdict, wait

    async def speaking_to(self, command: Command) -> CommandService:
        """This service in the language `command` is answered in (`DestinationDesk.language_for`:
        the reader's or the channel's, by who sees the answer, else `bot.language`), whether or
        not the reader ever subscribed. `command` may be any word from a reader (a button press,
        an inline query): only who, where, their locale and who sees the answer count."""
        if self.desk is None:
            return self
        lang = await self.desk.language_for(command)
        if lang == self.language:
            return self
        view = copy.copy(self)
        view.language = lang
        return view

    async def _destinations(self, parsed: c.Parsed, command: Command) -> Reply:
        """`/briefing here|stop|status|time|lang`, `/lang`, `/subscribe 07:30 Europe/Berlin`."""
        desk, lang = self.desk, self.language
        if desk is None:
            return self.say("post_unavailable")
        match parsed:
            case c.ChannelAction():
                message, changed = await desk.channel_action(parsed, command, lang)
                return Reply(message, public=changed)
            case c.SetTime():
                return Reply(await desk.set_time(parsed, command, lang))
            case c.SetLanguage():
                return Reply(await desk.set_language(parsed, command))
            case c.Subscribe(time, zone):
                reply = await self.subscribe(command)
                if not await self.subscriptions.is_subscribed(command.platform, command.user):
                    return reply
                await desk.keep_language(command, lang)  # the DM thread's words
                if time is None:
                    return reply
                when = await desk.reader_time(command, time, zone, lang)
                return Reply(Message((*reply.message.blocks, *when.blocks)))
        return self.say("internal_error")

    async def channel_gone(self, platform: str, chat: str, why: str) -> bool:
        """The bot was removed from a channel: its destination ends (logged)."""
        return self.desk is not None and await self.desk.gone(platform, [chat], why) > 0

    async def channel_joined(self, platform: str, chat: str) -> None:
        """The bot was added to a channel: it says once how to opt in."""
        if self.desk is not None:
            await self.desk.arrived(platform, chat)

    async def _dispatch(self, parsed: c.Parsed, command: Command) -> Reply:
        lang = self.language
        match parsed:
            case c.BadInput(key, values):
                return self.say(key, **dict(values))
            case c.TermQuery(term):
                return self.term(term)
            case c.TermBySlug(slug):
                entry = self.content.glossary.slugs.entry(slug)
                return self.term(entry.term if entry else slug.replace("-", " "))
            case c.IssueQuery(number, public):
                return self.issue(number, public, command.platform)
            case c.LatestQuery(public):
                latest = self.content.archive.latest
                if latest is None:
                    return self.say("archive_empty")
                return self.issue(latest.number, public, command.platform)
            case c.SearchQuery(words):
                hits = self.content.archive.search(words)
                return Reply(render.search_results(words, hits, lang))
            case c.Subscribe(None) if self.desk is None:
                return await self.subscribe(command)
            case c.Subscribe() | c.ChannelAction() | c.SetTime() | c.SetLanguage():
                return await self._destinations(parsed, command)
            case c.Unsubscribe():
                gone = await self.subscriptions.unsubscribe(command.platform, command.user)
                return self.say("unsubscribed" if gone else "not_subscribed")
            case c.Help():
                return Reply(self.help(self.is_admin(command), command.platform))
            case c.Start():
                return Reply(simple(t(lang, "start"), *self.help(False).blocks[0].lines))
            case c.PostNow(number):
                return await self.post(number, by=f"{command.platform}:{command.user}")
            case c.Reload():
                return self.reload()
            case c.Stats():
                return await self.stats()
            case c.Unknown(name):
                return self.say("unknown_command", name=name)

    def term(self, query: str) -> Reply:
        found = self.content.glossary.lookup(query)
        if found.entry is None:
            return Reply(render.term_miss(query, found.suggestions, self.language))
        issue = self.content.archive.get(found.entry.first_issue)
        page = self.web.term(self.content.glossary.slugs.of(found.entry)) if self.web else None
        return Reply(render.glossary_answer(found.entry, issue, self.language, page))

    def issue(self, number: int, public: bool = False, platform: str = "") -> Reply:
        issue = self.content.archive.get(number)
        if issue is None:
            available = _ranges(self.content.archive.numbers)
            return self.say("issue_not_found", number=number, available=available or "-")
        lang, links = self.language, self.term_links(platform)
        nav = navigation.navigation(self.content.archive.numbers, number, lang)
        thread = render.issue_thread(issue, lang, self.web, links.after)
        return Reply(
            dataclasses.replace(render.issue_compact(issue, lang, self.web), nav=nav),
            dataclasses.replace(thread, parent=dataclasses.replace(thread.parent, nav=nav)),
            public=public,
        )

    async def navigate(self, data: object, reader: Command) -> Reply:
        """A ◀ ▶ press by `reader`: the issue its data names, with its own ◀ ▶, in the reader's
        language; a forged press, or one for an issue that is gone (or not released), gets a
        short `notice` instead."""
        return (await self.speaking_to(reader))._navigate(data, reader.platform)

    def _navigate(self, data: object, platform: str) -> Reply:
        number = navigation.parse(data)
        if number is None:
            log.info("%s: ignoring a button press with foreign data %.80r", platform, data)
            return Reply(simple(t(self.language, "nav_unknown")), notice=True)
        if self.content.archive.get(number) is None:
            return Reply(simple(t(self.language, "nav_stale")), notice=True)
        return self.issue(number, platform=platform)

    async def find(self, query: str, offset: str, reader: Command) -> inline.Page:
        """What a query typed in any chat finds (Telegram inline mode), a page at a time, in
        the language of `reader` (who typed it)."""
        return (await self.speaking_to(reader))._find(query, offset, reader.platform)

    def _find(self, query: str, offset: str, platform: str) -> inline.Page:
        cleaned = c.clean(query)[: c.MAX_ARGUMENT]
        links = self.term_links(platform)
        found = inline.find(self.content, cleaned, self.language, self.web, links.after)
        return inline.page(found, offset)

    def term_links(self, platform: str) -> TermLinker:
        """How threads on `platform` link the glossary entries of their 토막상식."""
        glossary = self.content.glossary
        return TermLinker(platform, glossary, self.platforms, self.language, self.web)

    def help(self, admin: bool, platform: str = "") -> Message:
        """The command list, from the command table; on Slack, a command that is not a slash
        command of its own is spelled `/briefing <name>` (and help is `/briefing`)."""
        lang = self.language
        lines = [
            Line((text(self._spelled(spec, platform)),), bullet=True)
            for spec in c.COMMANDS
            if spec.help is not None and spec.who == "everyone"
        ]
        if admin:
            listed = [self._spelled(s, platform) for s in c.COMMANDS
                      if s.help is not None and s.who == "admins"]  # fmt: skip
            line = t(lang, "help_admins", commands=", ".join(listed))
            lines.append(Line((text(line),), bullet=True))
        return Message((Block(tuple(lines)),), title=t(lang, "help_title"))

    def _spelled(self, spec: c.CommandSpec, platform: str) -> str:
        assert spec.help is not None
        line = t(self.language, spec.help)
        if platform != "slack" or spec.slash:
            return line
        slack = "/briefing" if spec.name in ("help", "briefing") else f"/briefing {spec.name}"
        return line.replace(f"/{spec.name}", slack, 1)

    # ---- subscriptions -----------------------------------------------------------------------

    async def subscribe(self, command: Command) -> Reply:
        """Subscribe the user's DM: the one the adapter knows, else opened on the platform.
        From a group, where the platform lets the bot write only to users who started it
        (it has a start link: Telegram's t.me/<bot>?start=subscribe), the confirmation goes to
        the DM first: if it cannot, the answer is the link that starts the DM (and subscribes)."""
        platform, user = command.platform, command.user
        chat = command.dm_chat
        if chat is None:
            try:
                chat = await self.platforms.get(platform).open_dm(user)
            except RateLimited as exc:  # not the user's doing: tell them when to try again
                log.warning("%s: opening a DM with %s was rate limited: %s", platform, user, exc)
                return self.say("dm_rate_limited", seconds=math.ceil(max(exc.retry_after, 1)))
            except PlatformError as exc:
                log.warning("%s: cannot open a DM with %s: %s", platform, user, exc)
                return self.say("no_dm")
        start = None if command.is_dm else self.platforms.start_link(platform, "subscribe")
        if start is not None and not await self.subscriptions.is_subscribed(platform, user):
            try:
                await self.platforms.get(platform).send(
                    chat, simple(t(self.language, "subscribed"))
                )
            except (RecipientGone, MessageRejected) as exc:
                log.info("cannot message %s user %s privately: %s", platform, user, exc)
                line = Line((text(t(self.language, "open_dm_first") + " "), link(start, start)))
                return Reply(Message((Block((line,)),)))
        new = await self.subscriptions.subscribe(platform, user, chat)
        return self.say("subscribed" if new else "already_subscribed")

    async def recipient_gone(self, platform: str, user: str, why: str) -> bool:
        """A user's DM is gone (they blocked the bot, left the workspace): their subscription
        ends. True if there was one."""
        gone = await self.subscriptions.unsubscribe(platform, user)
        log.info("%s user %s is gone (%s); unsubscribed: %s", platform, user, why, gone)
        return gone

    async def home(self, reader: Command, notice: str = "") -> HomeState:
        """What `reader`'s home screen shows, in their language; `notice` is the answer to the
        change they just made there."""
        platform, user = reader.platform, reader.user
        subscribed = await self.subscriptions.is_subscribed(platform, user)
        archive = self.content.archive
        recent = tuple(reversed(archive.entries[-HOME_RECENT:]))
        lang = (await self.speaking_to(reader)).language
        timing = await self.desk.timing(dm_key(platform, user)) if self.desk else None
        return HomeState(archive.latest, subscribed, lang, recent, timing, notice)

    async def refresh_content(self) -> bool:
        """The content on disk, taken as /reload would (the file watcher, before a delivery);
        a refusal reaches every admin by DM once, not again until the problems change."""
        if self.live.refresh():
            self._told = ""
            return True
        refused = self.live.refused
        if refused is not None and str(refused) != self._told:
            self._told = str(refused)
            await self.tell_admins(self._refusal(refused))
        return False

    async def tell_admins(self, message: Message) -> int:
        """`message` to every admin's DM on a running platform; how many got it."""
        return sum([await self._tell(admin, message) for admin in sorted(self.admins)])

    async def _tell(self, who: str, message: Message) -> bool:
        """`message` to the DM of `who` ("slack:U1") if its platform runs; True if sent."""
        platform, _, user = who.partition(":")
        if platform not in self.platforms or not user:
            log.debug("no running %s platform to tell %s", platform or "-", who)
            return False
        sender = self.platforms.get(platform)
        try:
            await sender.send(await sender.open_dm(user), message)
        except PlatformError as exc:
            log.warning("could not tell %s: %s", who, exc)
            return False
        return True

    def _refusal(self, exc: ContentError) -> Message:
        problems = [Line((text(str(p)),), bullet=True) for p in exc.problems[:MAX_REPLY_PROBLEMS]]
        head = Line((bold(t(self.language, "reload_failed")),))
        return Message((Block((head, *problems)),))

    def reload(self) -> Reply:
        if not self.live.reloadable:
            return self.say("post_unavailable")
        try:
            fresh = self.live.reload()
        except ContentError as exc:
            log.warning("reload refused, keeping the previous content:\n%s", exc)
            return Reply(self._refusal(exc))
        summary = fresh.summary()
        log.info("content reloaded: %s", summary)
        return self.say("reloaded", issues=summary["issues"], terms=summary["terms"])

    async def stats(self) -> Reply:
        summary = self.content.summary()
        latest = self.content.archive.latest
        line = t(
            self.language,
            "stats_line",
            issues=summary["issues"],
            latest=latest.number if latest else "-",
            terms=summary["terms"],
            subscribers=await self.subscriptions.count(),
        )
        lines = [line]
        if self.desk is not None:
            kinds, times = await self.desk.counts()
            lines += [
                t(self.language, "stats_destinations", destinations=kinds),
                t(self.language, "stats_times", times=times),
            ]
        for name in self.platforms.names:
            platform = self.platforms.get(name)
            if isinstance(platform, ReportsStats):
                extra = await platform.stats_line(self.language)
                lines += [extra] if extra else []
        return Reply(simple(*lines, title=t(self.language, "stats")))

    async def post(self, number: int | None, by: str = "") -> Reply:
        if self.deliverer is None:
            return self.say("post_unavailable")
        if number is not None and self.content.archive.get(number) is None:
            available = _ranges(self.content.archive.numbers)
            return self.say("issue_not_found", number=number, available=available or "-")
        report = await self.deliverer.deliver(number, by=by)
        if report.queued:
            return self.say("post_queued")
        return self._post_done(report)

    def _post_done(self, report: DeliveryReport) -> Reply:
        return self.say(
            "post_done", destinations=report.destinations, sent=report.sent, failed=report.failed
        )

    async def tell_post_done(self, by: str, report: DeliveryReport) -> None:
        """A `/post` queued on another replica was delivered here: `by` ("slack:U1") hears how
        it went by DM, in the words a `/post` on this replica answers with."""
        await self._tell(by, self._post_done(report).message)


def _ranges(numbers: tuple[int, ...]) -> str:
    """(1, 2, 3, 7) → "1–3, 7"."""
    parts: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = n
    return ", ".join(parts)
