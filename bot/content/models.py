"""The content model: issues, sections, items, notes and glossary entries.

Everything is an immutable pydantic model built once by the parser; the core trusts it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NoteKind(StrEnum):
    """The kinds of note an author tags in an issue (`[요약]`, `**[토막상식]**`, ...)."""

    PLAIN = "plain"
    SUMMARY = "요약"
    SIGNIFICANCE = "의의"
    TRIVIA = "토막상식"
    QUOTE = "본문 중"


InlineKind = Literal["text", "strong", "em", "code", "link", "math"]


class Inline(_Frozen):
    """A run of inline text. `math` runs hold readable text; `source` keeps the TeX."""

    kind: InlineKind = "text"
    text: str
    url: str | None = None
    source: str | None = None


class Note(_Frozen):
    kind: NoteKind = NoteKind.PLAIN
    text: tuple[Inline, ...] = ()
    children: tuple[Note, ...] = ()
    line: int = 0

    @property
    def plain(self) -> str:
        return plain_text(self.text)


class Item(_Frozen):
    title: tuple[Inline, ...]
    url: str | None = None
    notes: tuple[Note, ...] = ()
    line: int = 0

    @property
    def plain_title(self) -> str:
        return plain_text(self.title)


class Section(_Frozen):
    name: str
    items: tuple[Item, ...]
    line: int = 0


class Issue(_Frozen):
    number: int
    date: dt.date
    title: str
    keywords: tuple[str, ...] = ()
    sections: tuple[Section, ...]
    links: tuple[Item, ...] = ()
    path: str = ""
    draft: bool = False  # never released (see bot/content/release.py)
    publish_at: dt.datetime | None = None  # zone-aware: released then, not at its date

    @property
    def heading(self) -> str:
        """`제 0001호 뉴랄브리핑(2019년 5월 30일)`, as the newsletter writes it."""
        d = self.date
        return f"제 {self.number:04d}호 {self.title}({d.year}년 {d.month}월 {d.day}일)"

    @property
    def dateline(self) -> str:
        d = self.date
        return f"{d.year}년 {d.month}월 {d.day}일 {_WEEKDAYS_KO[d.weekday()]}요일"


_WEEKDAYS_KO = "월화수목금토일"


class GlossaryEntry(_Frozen):
    term: str
    aliases: tuple[str, ...] = ()
    definition: str
    definition_en: str = ""
    first_issue: int
    first_section: str
    line: int = 0


def plain_text(runs: tuple[Inline, ...]) -> str:
    return "".join(run.text for run in runs)
