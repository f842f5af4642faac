"""Every page of the archive, rendered from the content by Jinja2 templates with autoescaping
(no content and no query can inject markup). A `Pages` is bound to one content snapshot; the
server keeps one per content version and the static export makes one for its run."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from bot.content.archive import Entry, SearchHit
from bot.content.loader import Content
from bot.content.models import GlossaryEntry, Inline, Issue, Note
from bot.web.urls import Urls

SITE_NAME = "뉴랄브리핑"
SITE_DESCRIPTION = (
    "뉴랄브리핑: 매일 아침 머신러닝 소식을 한국어로 정리한 뉴스레터의 지난 호와 용어집"
)
SEARCH_LIMIT = 20
DESCRIPTION_CHARS = 160
TEMPLATES = Path(__file__).parent / "templates"
KIND_CLASS = {"요약": "summary", "의의": "significance", "토막상식": "trivia", "본문 중": "quote"}


_TAGS = {"strong": "strong", "em": "em", "code": "code"}


def inline(runs: tuple[Inline, ...]) -> Markup:
    """A paragraph's runs as HTML, every text and attribute escaped (the templates' hot path:
    a Jinja macro per run made the export three times slower)."""
    out: list[str] = []
    for run in runs:
        text = escape(run.text)
        if run.kind in _TAGS:
            out.append(f"<{_TAGS[run.kind]}>{text}</{_TAGS[run.kind]}>")
        elif run.kind == "link" and run.url:
            out.append(f'<a href="{escape(run.url)}">{text}</a>')
        elif run.kind == "math":
            out.append(f'<span class="math" title="{escape(run.source or "")}">{text}</span>')
        else:
            out.append(str(text))
    return Markup("".join(out))


@cache
def environment() -> jinja2.Environment:
    """The template environment (built on first use, then shared: it is thread-safe)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template here is HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(site_name=SITE_NAME, kind_class=KIND_CLASS, inline=inline)
    return env


def _short(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Pages:
    """The pages of one content snapshot; `canonical` makes a page's absolute URL (Open Graph),
    when the archive's public address is known."""

    def __init__(
        self, content: Content, base_url: str = "", corrected: Mapping[int, datetime] | None = None
    ) -> None:
        self.content = content
        # issue -> when a correction of its copies finished (UTC)
        self.corrected = {n: at.astimezone(UTC) for n, at in (corrected or {}).items()}
        self.archive, self.glossary = content.archive, content.glossary
        self.absolute = Urls.served(base_url) if base_url else None
        self._entries = {entry.number: entry for entry in self.archive.entries}

    def _render(self, template: str, urls: Urls, canonical: str | None, **values: object) -> str:
        return environment().get_template(template).render(urls=urls, canonical=canonical, **values)

    def term_of(self, note: Note) -> tuple[GlossaryEntry, str] | None:
        """The glossary entry a 토막상식 explains, with its slug."""
        entry = self.glossary.trivia.entry_for(note)
        return (entry, self.glossary.slugs.of(entry)) if entry else None

    def index(self, urls: Urls) -> str:
        entries = list(reversed(self.archive.entries))
        canonical = self.absolute.home() if self.absolute else None
        return self._render("index.html", urls, canonical, title=SITE_NAME,
                            description=SITE_DESCRIPTION, entries=entries)  # fmt: skip

    def issue(self, number: int, urls: Urls) -> str | None:
        issue = self.archive.get(number)
        if issue is None:
            return None
        numbers = self.archive.numbers
        at = bisect.bisect_left(numbers, number)
        return self._render(
            "issue.html", urls, self.absolute.issue(number) if self.absolute else None,
            title=issue.heading, description=_issue_description(issue), og_type="article",
            issue=issue, term_of=self.term_of, corrected=self.corrected.get(number),
            older=numbers[at - 1] if at > 0 else None,
            newer=numbers[at + 1] if at + 1 < len(numbers) else None,
        )  # fmt: skip

    def issue_body(self, issue: Issue, urls: Urls) -> str:
        """The issue's sections alone (the feed's entry content)."""
        macros = environment().get_template("macros.html").module
        body: str = macros.issue_body(issue, self.term_of, urls)  # type: ignore[attr-defined]
        return body

    def terms(self, urls: Urls) -> str:
        terms = sorted(
            ((entry, self.glossary.slugs.of(entry)) for entry in self.glossary.entries),
            key=lambda pair: pair[0].term.casefold(),
        )
        canonical = self.absolute.terms() if self.absolute else None
        return self._render("terms.html", urls, canonical, title=f"용어집 · {SITE_NAME}",
                            description=f"{SITE_NAME}에 나온 용어 {len(terms)}개의 풀이",
                            terms=terms)  # fmt: skip

    def term(self, slug: str, urls: Urls) -> str | None:
        entry = self.glossary.slugs.entry(slug)
        if entry is None:
            return None
        first: Entry | None = self._entries.get(entry.first_issue)
        return self._render(
            "term.html", urls, self.absolute.term(slug) if self.absolute else None,
            title=entry.term, description=_short(entry.definition), og_type="article",
            entry=entry, first=first,
        )  # fmt: skip

    def search(self, query: str, urls: Urls) -> str:
        hits = self.archive.search(query, limit=SEARCH_LIMIT) if query.strip() else []
        anchored = [(hit, self._anchor(hit)) for hit in hits]
        return self._render("search.html", urls, None, title=f"검색 · {SITE_NAME}",
                            description=SITE_DESCRIPTION, query=query, hits=anchored)  # fmt: skip

    def _anchor(self, hit: SearchHit) -> str:
        issue = self.archive.get(hit.issue)
        names = [section.name for section in issue.sections] if issue else []
        return f"section-{names.index(hit.section) + 1}" if hit.section in names else ""

    def not_found(self, urls: Urls, what: str = "") -> str:
        description = what or "주소가 바뀌었거나 없는 호, 없는 용어입니다."
        return self._render("not_found.html", urls, None, title=f"없는 페이지 · {SITE_NAME}",
                            description=description)  # fmt: skip


def _issue_description(issue: Issue) -> str:
    titles = [item.plain_title for section in issue.sections for item in section.items]
    return _short(f"{issue.dateline} · " + " / ".join(titles))


PageFn = Callable[[Urls], str | None]
