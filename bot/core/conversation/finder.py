"""Finding from any chat (Telegram inline mode, `@bot NP-hard`): glossary entries and archive
items as titled results, each with the message it posts, a page at a time.

Nothing is searched here: the glossary's lookup (exact, then its "did you mean") and the
archive's search are the ones /term and /search use. What is chosen:

- an empty query: the latest issue, then a few terms (those it introduced first);
- otherwise: the term the query names, then the matching items, newest first;
- nothing at all: the "did you mean" terms, titled so.

A result's `key` is stable and short (`term:np-hard`, `issue:1`, `item:1:2:0`: within the 64
bytes Telegram allows); `page` cuts the results into pages of `PAGE` with an offset to go on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from bot.content.archive import SearchHit
from bot.content.loader import Content
from bot.content.models import GlossaryEntry, Issue
from bot.core.i18n import Language, t
from bot.core.model import render
from bot.core.model.messages import Block, Line, Message, bold
from bot.core.model.weblinks import WebLinks

PAGE = 20  # results per answer
MAX_RESULTS = 60  # results over all pages
FEW_TERMS = 5  # terms offered with the latest issue for an empty query
MAX_KEY = 64  # bytes
DESCRIPTION = 120  # characters of a result's one-line description


@dataclass(frozen=True, slots=True)
class Found:
    """One result: what the chooser shows (a title, one line) and the message it posts."""

    key: str
    title: str
    description: str
    message: Message


@dataclass(frozen=True, slots=True)
class Page:
    results: tuple[Found, ...]
    next_offset: str = ""  # "" when this is the last page


def find(
    content: Content,
    query: str,
    lang: Language,
    web: WebLinks | None = None,
    ends: render.NoteEnd | None = None,
) -> list[Found]:
    """Every result for `query` (already cleaned), best first, at most `MAX_RESULTS`."""
    glossary, archive = content.glossary, content.archive
    if not query:
        latest = archive.latest
        found = [_issue(latest, lang, web)] if latest else []
        newest = latest.number if latest else 0
        terms = sorted(glossary.entries, key=lambda e: (e.first_issue != newest, -e.first_issue))
        return found + [_term(content, e, lang, web) for e in terms[:FEW_TERMS]]
    lookup = glossary.lookup(query)
    found = [_term(content, lookup.entry, lang, web)] if lookup.entry else []
    found += [
        result
        for hit in archive.search(query, limit=MAX_RESULTS)
        if (result := _item(content, hit, lang, ends)) is not None
    ]
    if not found:  # titled "Did you mean: NP-hard", in the reader's language
        found = [
            replace(result, title=f"{t(lang, 'did_you_mean')} {result.title}")
            for result in (_term(content, entry, lang, web) for entry in lookup.suggestions)
        ]
    return found[:MAX_RESULTS]


def page(found: list[Found], offset: str, size: int = PAGE) -> Page:
    """The results from `offset` (as given back by the platform: untrusted), `size` of them."""
    start = int(offset) if offset.isascii() and offset.isdigit() and len(offset) < 6 else 0
    shown = found[start : start + size]
    more = start + size < len(found)
    return Page(tuple(shown), str(start + size) if more else "")


def _key(kind: str, name: str) -> str:
    key = f"{kind}:{name}"
    if len(key.encode()) <= MAX_KEY:
        return key
    return f"{kind}:{hashlib.sha256(name.encode()).hexdigest()[:32]}"


def _line(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= DESCRIPTION else value[: DESCRIPTION - 1].rstrip() + "…"


def _term(content: Content, entry: GlossaryEntry, lang: Language, web: WebLinks | None) -> Found:
    slug = content.glossary.slugs.of(entry)
    issue = content.archive.get(entry.first_issue)
    page_url = web.term(slug) if web else None
    message = render.glossary_answer(entry, issue, lang, page_url)
    definition = entry.definition_en if lang == "en" and entry.definition_en else entry.definition
    return Found(_key("term", slug), entry.term, _line(definition), message)


def _issue(issue: Issue, lang: Language, web: WebLinks | None) -> Found:
    line = issue.dateline + (" · " + ", ".join(issue.keywords) if issue.keywords else "")
    message = render.issue_compact(issue, lang, web)
    return Found(_key("issue", str(issue.number)), issue.heading, _line(line), message)


def _item(
    content: Content, hit: SearchHit, lang: Language, ends: render.NoteEnd | None
) -> Found | None:
    """The item a search hit names, as a message headed by its issue and section."""
    issue = content.archive.get(hit.issue)
    if issue is None:
        return None
    for s, section in enumerate(issue.sections):
        if section.name != hit.section:
            continue
        for i, item in enumerate(section.items):
            if item.plain_title == hit.title:
                where = t(lang, "search_where", number=hit.issue, section=hit.section)
                head = Block((Line((bold(where),)),))
                message = Message((head, render.item_block(item, ends)))
                key = _key("item", f"{hit.issue}:{s}:{i}")
                return Found(key, _line(hit.title) or where, where, message)
    return None
