"""The command handlers: one place that decides what every command answers, on every platform."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.content.errors import ContentError
from bot.content.loader import Content
from bot.core import commands as c
from bot.core import render
from bot.core.i18n import Language, t
from bot.core.messages import Block, Line, Message, Thread, bold, simple, text
from bot.core.ports import Command, Deliverer, SubscriptionStore

log = logging.getLogger(__name__)
MAX_REPLY_PROBLEMS = 10


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer: always a message; for issues also the thread, for platforms that can thread.

    `public` asks for an answer everyone in the chat sees (Slack in-channel); lookups default
    to private where the platform has that notion (Slack ephemeral).
    """

    message: Message
    thread: Thread | None = None
    public: bool = False


class Briefing:
    def __init__(
        self,
        content: Content,
        subscriptions: SubscriptionStore,
        *,
        language: Language = "ko",
        admins: frozenset[str] = frozenset(),
        reload: Callable[[], Content] | None = None,
        deliverer: Deliverer | None = None,
    ) -> None:
        self.content = content
        self.subscriptions = subscriptions
        self.language: Language = language
        self.admins = admins
        self._reload = reload
        self.deliverer = deliverer

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
        if isinstance(parsed, c.PostNow | c.Reload | c.Stats) and not self.is_admin(command):
            return self.say("admin_only")
        try:
            return await self._dispatch(parsed, command)
        except Exception:  # a handler bug must not take the bot down; the log has the trace
            log.exception("command %r failed", command.name)
            return Reply(simple("⚠️ Internal error; the operator has been notified in the log."))

    async def _dispatch(self, parsed: c.Parsed, command: Command) -> Reply:
        lang = self.language
        match parsed:
            case c.BadInput(key, values):
                return self.say(key, **dict(values))
            case c.TermQuery(term):
                return self.term(term)
            case c.IssueQuery(number, public):
                return self.issue(number, public)
            case c.LatestQuery(public):
                latest = self.content.archive.latest
                return self.issue(latest.number, public) if latest else self.say("archive_empty")
            case c.SearchQuery(words):
                hits = self.content.archive.search(words)
                return Reply(render.search_results(words, hits, lang))
            case c.Subscribe():
                chat = command.dm_chat or command.chat
                new = await self.subscriptions.subscribe(command.platform, command.user, chat)
                return self.say("subscribed" if new else "already_subscribed")
            case c.Unsubscribe():
                gone = await self.subscriptions.unsubscribe(command.platform, command.user)
                return self.say("unsubscribed" if gone else "not_subscribed")
            case c.Help():
                return Reply(self.help(self.is_admin(command), command.platform))
            case c.Start():
                return Reply(simple(t(lang, "start"), *self.help(False).blocks[0].lines))
            case c.PostNow(number):
                return await self.post(number)
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
        return Reply(render.glossary_answer(found.entry, issue, self.language))

    def issue(self, number: int, public: bool = False) -> Reply:
        issue = self.content.archive.get(number)
        if issue is None:
            available = _ranges(self.content.archive.numbers)
            return self.say("issue_not_found", number=number, available=available or "-")
        return Reply(
            render.issue_compact(issue, self.language),
            render.issue_thread(issue, self.language),
            public=public,
        )

    def help(self, admin: bool, platform: str = "") -> Message:
        """The command list; Slack spells help and the admin commands as `/briefing ...`."""
        slack = platform == "slack"
        keys = ["help_term", "help_issue", "help_latest", "help_search", "help_subscribe"]
        keys += ["help_help_slack" if slack else "help_help"]
        if admin:
            keys += ["help_admin_slack" if slack else "help_admin"]
        lines = [Line((text(t(self.language, key)),), bullet=True) for key in keys]
        return Message((Block(tuple(lines)),), title=t(self.language, "help_title"))

    def reload(self) -> Reply:
        if self._reload is None:
            return self.say("post_unavailable")
        try:
            fresh = self._reload()
        except ContentError as exc:
            problems = [
                Line((text(str(p)),), bullet=True) for p in exc.problems[:MAX_REPLY_PROBLEMS]
            ]
            log.warning("reload refused, keeping the previous content:\n%s", exc)
            head = Line((bold(t(self.language, "reload_failed")),))
            return Reply(Message((Block((head, *problems)),)))
        self.content = fresh
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
        return Reply(simple(line, title=t(self.language, "stats")))

    async def post(self, number: int | None) -> Reply:
        if self.deliverer is None:
            return self.say("post_unavailable")
        if number is not None and self.content.archive.get(number) is None:
            available = _ranges(self.content.archive.numbers)
            return self.say("issue_not_found", number=number, available=available or "-")
        report = await self.deliverer.deliver(number)
        return self.say(
            "post_done", destinations=report.destinations, sent=report.sent, failed=report.failed
        )


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
