"""`briefing-bot import`: an issue in the author's plain format to the content format.

Pure: text in, content-format text and problems out (`import_issue`). The author writes

    2019년 5월 30일 목요일 뉴랄브리핑          (the date line)
    제 0001호 뉴랄브리핑(2019년 5월 30일)     (number, title, date: the front matter)
    구글블로그                                (a line of its own: a section)
    - [Title](#)                              (an item; `(#)` is a placeholder: no link)
     - a note                                 (indented: a note of that item)
     - [본문 중]                              (alone: the plain notes after it are its own)
    - **[토막상식]** …                        (a tag at the left edge is still a note)
    Caption of the figure.                    (a sentence under an item: a note of it)
    키워드 / Useful links                     (keywords, and the links section)

A tag in the middle of a line starts a new note. A line that does not end a sentence, followed
by one that does, is one line broken in two. Every line is kept; a line that has no place
(a note before any item, a second `제 …호` header, …) is a `Problem` with its line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.content.editing.import_text import (
    BULLET,
    DATELINE,
    HEADER,
    KEYWORDS,
    Item,
    Note,
    Section,
    ends_sentence,
    header_date,
    plain_heading,
    render,
    split_tags,
    unknown_tag,
    unlink,
)
from bot.content.errors import Problem
from bot.content.models import NoteKind
from bot.content.parser import nfc

DEFAULT_TITLE = "뉴랄브리핑"


@dataclass(frozen=True)
class Imported:
    text: str  # the issue in the content format (also when there are problems: for --check)
    number: int | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.number is not None and not any(not p.warning for p in self.problems)


def import_issue(text: str, path: str = "<import>", number: int | None = None) -> Imported:
    """Convert `text`; `number` (`--number`) overrides the one in the `제 NNNN호` header."""
    converter = _Converter(path)
    lines = nfc(text.removeprefix("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")
    for at, line in enumerate(lines.split("\n"), 1):
        converter.feed(line.rstrip(), at)
    return converter.finish(number)


class _Converter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.number: int | None = None
        self.title = DEFAULT_TITLE
        self.date: dt.date | None = None
        self.header_line = 0
        self.keywords: list[str] = []
        self.sections: list[Section] = []
        self.in_keywords = False
        self.item: Item | None = None  # the item of the current section that notes go to
        self.last_item: Item | None = None  # the nearest item, for lines with no place
        self.note_indent: int | None = None
        self.quote: Note | None = None  # a bare `[본문 중]`: the plain notes after it are its own
        self.open: Item | Note | None = None  # a bullet a broken line may continue
        self.unplaced: list[Note] = []

    def problem(self, line: int, message: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(self.path, line, message, warning))

    def feed(self, line: str, at: int) -> None:
        if not line.strip():
            return
        bullet = BULLET.match(line)
        if bullet is None:
            self._paragraph(line.strip(), at)
        elif bullet.group("text") is None or not bullet.group("text").strip():
            self.open = None  # an empty bullet carries nothing
        elif self.in_keywords:
            self.keywords.append(plain_heading(bullet.group("text")))
        else:
            self._bullet(len(bullet.group("indent")), unlink(bullet.group("text").strip()), at)

    def _paragraph(self, line: str, at: int) -> None:
        head = HEADER.match(line)
        if head is not None:
            self._header(head, at)
        elif not self.sections and self.date is None and DATELINE.match(line):
            found = DATELINE.match(line)
            assert found is not None
            self.date = dt.date(*(int(part) for part in found.groups()))
        elif self.open is not None and not ends_sentence(self.open_text) and ends_sentence(line):
            self._continue(unlink(line), at)
        elif ends_sentence(line) and self.sections:
            self._end_quote()
            self._note(Note(unlink(line), at), level=1, at=at)  # a caption: its item's note
            self.open = None
        elif plain_heading(line).casefold() in KEYWORDS:
            self._section(None, at)
            self.in_keywords = True
        else:
            self._section(plain_heading(line), at)

    @property
    def open_text(self) -> str:
        if isinstance(self.open, Item):
            return self.open.title
        return self.open.text if self.open is not None else ""

    def _header(self, head: re.Match[str], at: int) -> None:
        if self.header_line:
            self.problem(at, f"a second `제 …호` header (the first is line {self.header_line})")
            return
        self.header_line = at
        self.number = int(head.group("number"))
        self.title = head.group("title").strip() or DEFAULT_TITLE
        dated = header_date(head)
        if dated is not None and self.date is not None and dated != self.date:
            message = f"the header's date {dated} is not the date line's {self.date}"
            self.problem(at, message)
        self.date = self.date or dated

    def _section(self, name: str | None, at: int) -> None:
        self._close_section()
        self.in_keywords = False
        self.item = self.open = self.quote = None
        if name is not None:
            self.sections.append(Section(name, at))

    def _close_section(self) -> None:
        if self.sections and not self.sections[-1].items:
            last = self.sections[-1]
            self.problem(last.line, f"section {last.name!r} has no items")

    def _bullet(self, indent: int, text: str, at: int) -> None:
        head, tagged = split_tags(text, at)
        if indent == 0 and head:  # a tag at the left edge (`- **[토막상식]** …`) is a note
            self._item(head, tagged, at)
            return
        level = 1 if self.note_indent is None or indent <= self.note_indent else 2
        if head:
            tag = unknown_tag(head)
            if tag is not None:
                self.problem(at, f"unknown tag [{tag}]: kept as text", warning=True)
            self._note(Note(head, at), level, at)
        for note in tagged:
            self._note(note, level, at)
        if indent and self.note_indent is None and self.item is not None:
            self.note_indent = indent

    def _item(self, title: str, tagged: list[Note], at: int) -> None:
        if not self.sections:
            self.problem(
                at,
                "an item before any section heading: kept as a note of the nearest item",
                warning=True,
            )
            self.unplaced.append(Note(title, at))
            return
        self.item = self.last_item = Item(title, at, notes=self.unplaced)
        self.unplaced = []
        self.sections[-1].items.append(self.item)
        self.note_indent = self.quote = None
        self.open = self.item
        for note in tagged:
            self._note(note, 1, at)

    def _note(self, note: Note, level: int, at: int) -> None:
        self.open = note
        if self.item is None:
            self.problem(
                at,
                "a note before any item of its section: kept with the nearest item",
                warning=True,
            )
            self.unplaced.append(note)
            return
        if note.kind is not NoteKind.PLAIN:
            self._end_quote()
        if level == 2 and self.item.notes:
            self.item.notes[-1].children.append(note)
        elif self.quote is not None and note.kind is NoteKind.PLAIN:
            self.quote.children.append(note)
        else:
            self.item.notes.append(note)
        if note.kind is NoteKind.QUOTE and not note.text:
            self.quote = note

    def _end_quote(self) -> None:
        self.quote = None

    def _continue(self, line: str, at: int) -> None:
        head, tagged = split_tags(line, at)
        if isinstance(self.open, Item):
            self.open.title = f"{self.open.title} {head}".strip()
        elif self.open is not None:
            self.open.text = f"{self.open.text} {head}".strip()
        for note in tagged:
            self._note(note, 1, at)

    def finish(self, number: int | None) -> Imported:
        self._close_section()
        if self.unplaced:
            target = self.last_item
            if target is not None:
                target.notes.extend(self.unplaced)
        number = number if number is not None else self.number
        if number is None:
            self.problem(1, "no `제 NNNN호` header: give the number with --number")
        if self.date is None:
            self.problem(1, "no date: neither a date line (2019년 5월 30일) nor a dated header")
        text = render(
            number or 0, self.date or dt.date(1970, 1, 1), self.title, self.keywords, self.sections
        )
        return Imported(text=text, number=number, problems=self.problems)
