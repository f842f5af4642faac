"""Content to neutral messages: an issue as a thread, a glossary answer, search results."""

from __future__ import annotations

from collections.abc import Callable

from bot.content.archive import SearchHit
from bot.content.models import GlossaryEntry, Inline, Issue, Item, Note, NoteKind
from bot.core.i18n import Language, t
from bot.core.model.messages import Block, Line, Message, Span, Style, Thread, bold, text
from bot.core.model.weblinks import WebLinks

NoteEnd = Callable[[Note], tuple[Span, ...]]  # what a note ends with (a glossary link)
_STYLE = {"text": Style.TEXT, "strong": Style.BOLD, "em": Style.ITALIC, "code": Style.CODE,
          "link": Style.LINK, "math": Style.CODE}  # fmt: skip


def spans(runs: tuple[Inline, ...]) -> tuple[Span, ...]:
    return tuple(Span(run.text, _STYLE[run.kind], run.url) for run in runs)


def issue_parent(issue: Issue, lang: Language, web: WebLinks | None = None) -> Message:
    """The thread's parent: date, contents, keywords and, with a web archive, its page."""
    toc = tuple(
        Line((text(f"{n}. {section.name} ({t(lang, 'items', count=len(section.items))})"),))
        for n, section in enumerate(issue.sections, 1)
    )
    blocks = [
        Block((Line((text(issue.dateline),)),)),
        Block((Line((bold(t(lang, "contents")),)), *toc)),
    ]
    if issue.keywords:
        kw = Line((bold(t(lang, "keywords") + ": "), text(", ".join(issue.keywords))))
        blocks.append(Block((kw,)))
    if web is not None:
        blocks.append(_web_link(web.issue(issue.number), lang))
    return Message(tuple(blocks), title=issue.heading)


def _web_link(url: str, lang: Language) -> Block:
    return Block((Line((Span(t(lang, "web_view"), Style.LINK, url),)),))


def item_block(item: Item, ends: NoteEnd | None = None) -> Block:
    title = (Span(item.plain_title, Style.LINK, item.url),) if item.url else _bold_title(item.title)
    lines = [Line(title, bullet=True)]
    for note in item.notes:
        lines.extend(_note_lines(note, 1, ends))
    return Block(tuple(lines))


def _bold_title(runs: tuple[Inline, ...]) -> tuple[Span, ...]:
    return tuple(
        Span(s.text, Style.BOLD) if s.style in {Style.TEXT, Style.BOLD} else s for s in spans(runs)
    )


def _note_lines(note: Note, indent: int, ends: NoteEnd | None) -> list[Line]:
    label = (bold(f"[{note.kind.value}] "),) if note.kind is not NoteKind.PLAIN else ()
    end = ends(note) if ends is not None else ()
    lines = [Line((*label, *spans(note.text), *end), indent=indent, bullet=True)]
    for child in note.children:
        lines.extend(_note_lines(child, indent + 1, ends))
    return lines


def issue_thread(
    issue: Issue, lang: Language, web: WebLinks | None = None, ends: NoteEnd | None = None
) -> Thread:
    """The issue as a parent and a reply per section; `ends` links each 토막상식's entry."""
    replies = []
    for section in issue.sections:
        header = Line((bold(t(lang, "section_of", number=issue.number, section=section.name)),))
        items = (item_block(item, ends) for item in section.items)
        replies.append(Message((Block((header,)), *items), sections=(section.name,)))
    if issue.links:
        links = Line((bold(t(lang, "useful_links")),))
        replies.append(
            Message((Block((links,)), *(item_block(item, ends) for item in issue.links)))
        )
    return Thread(issue_parent(issue, lang, web), tuple(replies))


def issue_compact(issue: Issue, lang: Language, web: WebLinks | None = None) -> Message:
    """One message for places that cannot hold a thread: the parent plus every item title."""
    parent = issue_parent(issue, lang, web)
    sections = tuple(
        Block((Line((bold(section.name),)), *(_title_line(item) for item in section.items)))
        for section in issue.sections
    )
    return Message(parent.blocks + sections, title=parent.title)


def _title_line(item: Item) -> Line:
    return Line(item_block(item).lines[0].spans, indent=1, bullet=True)


def glossary_answer(
    entry: GlossaryEntry, issue: Issue | None, lang: Language, page: str | None = None
) -> Message:
    """A /term answer; `page` is the term's web page, when there is a web archive."""
    lines = [Line((text(entry.definition),))]
    if entry.definition_en and lang == "en":
        lines = [Line((text(entry.definition_en),)), Line((text(entry.definition),))]
    blocks = [Block(tuple(lines))]
    if entry.aliases:
        blocks.append(
            Block((Line((text(t(lang, "term_aliases", aliases=", ".join(entry.aliases))),)),))
        )
    date = issue.date.isoformat() if issue else "?"
    first = t(lang, "term_first", number=entry.first_issue, date=date, section=entry.first_section)
    blocks.append(Block((Line((text(first),)),)))
    if page is not None:
        blocks.append(_web_link(page, lang))
    return Message(tuple(blocks), title=entry.term)


def term_miss(query: str, suggestions: tuple[GlossaryEntry, ...], lang: Language) -> Message:
    lines = [Line((text(t(lang, "term_miss", query=query)),))]
    if suggestions:
        lines.append(Line((text(t(lang, "did_you_mean")),)))
        lines.extend(Line((bold(e.term),), indent=1, bullet=True) for e in suggestions)
    else:
        lines.append(Line((text(t(lang, "no_suggestion")),)))
    return Message((Block(tuple(lines)),))


def search_results(query: str, hits: list[SearchHit], lang: Language) -> Message:
    if not hits:
        return Message((Block((Line((text(t(lang, "search_none", query=query)),)),)),))
    blocks = []
    for hit in hits:
        where = t(lang, "search_where", number=hit.issue, section=hit.section)
        title = Span(hit.title, Style.LINK, hit.url) if hit.url else bold(hit.title)
        head = Line((title,), bullet=True)
        blocks.append(Block((head, Line((text(where),), indent=1))))
    return Message(tuple(blocks), title=t(lang, "search_results", query=query))
