"""Lookups: /term, /issue, /latest, /search, a deep link's term, the ◀ ▶ between issues and what a
query typed in any chat finds. They read the content only."""

from __future__ import annotations

import dataclasses
import logging

from bot.content.errors import ContentError
from bot.core.conversation import finder, navigation
from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context, Ports
from bot.core.conversation.inbound import Reply
from bot.core.i18n import Language, t
from bot.core.model import render
from bot.core.model.messages import Block, Line, Message, bold, simple, text
from bot.core.model.termlinks import TermLinker

log = logging.getLogger(__name__)
MAX_REPLY_PROBLEMS = 10


async def term(ctx: Context, query: p.TermQuery) -> Reply:
    return term_reply(ctx, query.term)


async def term_by_slug(ctx: Context, query: p.TermBySlug) -> Reply:
    entry = ctx.content.glossary.slugs.entry(query.slug)
    return term_reply(ctx, entry.term if entry else query.slug.replace("-", " "))


async def issue(ctx: Context, query: p.IssueQuery) -> Reply:
    return issue_reply(ctx.ports, ctx.language, query.number, query.public, ctx.command.platform)


async def latest(ctx: Context, query: p.LatestQuery) -> Reply:
    newest = ctx.content.archive.latest
    if newest is None:
        return ctx.say("archive_empty")
    return issue_reply(ctx.ports, ctx.language, newest.number, query.public, ctx.command.platform)


async def search(ctx: Context, query: p.SearchQuery) -> Reply:
    hits = ctx.content.archive.search(query.words)
    return Reply(render.search_results(query.words, hits, ctx.language))


def term_reply(ctx: Context, query: str) -> Reply:
    content, web = ctx.content, ctx.ports.web
    found = content.glossary.lookup(query)
    if found.entry is None:
        return Reply(render.term_miss(query, found.suggestions, ctx.language))
    issue = content.archive.get(found.entry.first_issue)
    page = web.term(content.glossary.slugs.of(found.entry)) if web else None
    return Reply(render.glossary_answer(found.entry, issue, ctx.language, page))


def issue_reply(
    ports: Ports, lang: Language, number: int, public: bool = False, platform: str = ""
) -> Reply:
    """Issue `number`: its compact form and its thread, both with ◀ ▶."""
    archive = ports.live.current.archive
    issue = archive.get(number)
    if issue is None:
        return Reply(simple(t(lang, "issue_not_found", number=number, available=available(ports))))
    links = term_links(ports, lang, platform)
    nav = navigation.navigation(archive.numbers, number, lang)
    thread = render.issue_thread(issue, lang, ports.web, links.after)
    return Reply(
        dataclasses.replace(render.issue_compact(issue, lang, ports.web), buttons=nav),
        dataclasses.replace(thread, parent=dataclasses.replace(thread.parent, buttons=nav)),
        public=public,
    )


async def navigate(ctx: Context, number: int) -> Reply:
    """A ◀ ▶ press: the issue it names, with its own ◀ ▶, in place of the pressed message; one
    for an issue that is gone (or not released) gets a short notice instead."""
    if ctx.content.archive.get(number) is None:
        return ctx.notice("nav_stale")
    reply = issue_reply(ctx.ports, ctx.language, number, platform=ctx.command.platform)
    return dataclasses.replace(reply, in_place=True)


def find(ctx: Context, query: str, offset: str) -> finder.Page:
    """What `query` finds (Telegram inline mode), the page at `offset`."""
    cleaned = p.clean(query)[: p.MAX_ARGUMENT]
    links = term_links(ctx.ports, ctx.language, ctx.command.platform)
    found = finder.find(ctx.content, cleaned, ctx.language, ctx.ports.web, links.after)
    return finder.page(found, offset)


def term_links(ports: Ports, lang: Language, platform: str) -> TermLinker:
    """How threads on `platform` link the glossary entries of their 토막상식."""
    glossary = ports.live.current.glossary
    return TermLinker(platform, glossary, ports.platforms, lang, ports.web)


def refusal(exc: ContentError, lang: Language, head: str = "reload_failed") -> Message:
    """Why the content was refused: its first problems (`path:line: message`), one a line."""
    problems = [Line((text(str(one)),), bullet=True) for one in exc.problems[:MAX_REPLY_PROBLEMS]]
    return Message((Block((Line((bold(t(lang, head)),)), *problems)),))


def available(ports: Ports) -> str:
    """The issue numbers there are, as ranges ("1–3, 7"), or "-"."""
    return ranges(ports.live.current.archive.numbers) or "-"


def ranges(numbers: tuple[int, ...]) -> str:
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
