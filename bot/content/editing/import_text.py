"""The line-level rules of `briefing-bot import`: the author's header lines, tags, `(#)` links,
and how a converted issue is written back out in the content format (see importer.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from bot.content.models import NoteKind

DATELINE = re.compile(r"^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일")
HEADER = re.compile(
    r"^제\s*(?P<number>\d+)\s*호\s*(?P<title>.*?)\s*"
    r"(?:\((?P<y>\d{4})년\s*(?P<m>\d{1,2})월\s*(?P<d>\d{1,2})일\))?\s*$"
)
BULLET = re.compile(r"^(?P<indent>\s*)-(?:\s+(?P<text>.*))?$")
KEYWORDS = frozenset({"키워드", "keywords"})
_NAMES = "|".join(re.escape(k.value) for k in NoteKind if k is not NoteKind.PLAIN)
_KINDS = {kind.value: kind for kind in NoteKind if kind is not NoteKind.PLAIN}
# `[\[의의\]](#)`: a tag the author's editor wrote as a placeholder link
_LINKED_TAG = re.compile(rf"\[\\\[({_NAMES})\\\]\]\(#\)")
_TAG = re.compile(rf"(\*\*)?\[({_NAMES})\](\*\*)?")
_PLACEHOLDER = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(#\)")
_UNKNOWN_TAG = re.compile(r"^\[([^\]\[\\]{1,30})\]\s")
_ENDS_SENTENCE = re.compile(r"[.!?。…]\s*$")
# what would start a block (or a tag) at the head of a bullet's text: escaped to stay text
_BLOCK_START = re.compile(r"^(\d+)([.)])(?=\s|$)|^[#+*-](?=\s|$)|^[>\[]")


@dataclass
class Note:
    text: str
    line: int
    kind: NoteKind = NoteKind.PLAIN
    bold: bool = False
    children: list[Note] = field(default_factory=list)


@dataclass
class Item:
    title: str
    line: int
    notes: list[Note] = field(default_factory=list)


@dataclass
class Section:
    name: str
    line: int
    items: list[Item] = field(default_factory=list)


def unlink(text: str) -> str:
    """`[x](#)` becomes `x` (a placeholder link is no link); `[\\[의의\\]](#)` becomes `[의의]`."""
    return _PLACEHOLDER.sub(r"\1", _LINKED_TAG.sub(r"[\1]", text))


def split_tags(text: str, line: int) -> tuple[str, list[Note]]:
    """The text before the first tag, and a note for each tag (`**[요약]** …`) after it."""
    matches = list(_TAG.finditer(text))
    if not matches:
        return text.strip(), []
    notes = []
    for match, after in zip(matches, [*matches[1:], None], strict=True):
        end = after.start() if after else len(text)
        bold = bool(match.group(1) and match.group(3))
        kind = _KINDS[match.group(2)]
        notes.append(Note(text[match.end() : end].strip(), line, kind, bold))
    return text[: matches[0].start()].strip(), notes


def unknown_tag(text: str) -> str | None:
    """`foo` for a note that starts `[foo] ` with a tag we do not know (kept as text)."""
    match = _UNKNOWN_TAG.match(text)
    return match.group(1) if match else None


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def plain_heading(text: str) -> str:
    return unlink(text).replace("**", "").strip()


def header_date(match: re.Match[str]) -> dt.date | None:
    if match.group("y") is None:
        return None
    return dt.date(int(match.group("y")), int(match.group("m")), int(match.group("d")))


def _escape(text: str) -> str:
    """Text at the head of a bullet that Markdown (or our parser) would read as structure."""
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group(1):
        return f"{match.group(1)}\\{match.group(2)}{text[match.end() :]}"
    return "\\" + text


def _note_lines(note: Note, depth: int) -> list[str]:
    pad = "  " * depth
    if note.kind is NoteKind.PLAIN:
        head = _escape(note.text)
    else:
        tag = f"**[{note.kind.value}]**" if note.bold else f"[{note.kind.value}]"
        head = f"{tag} {note.text}".rstrip()
    lines = [f"{pad}- {head}"]
    for child in note.children:
        lines += _note_lines(child, depth + 1)
    return lines


def render(
    number: int, date: dt.date, title: str, keywords: list[str], sections: list[Section]
) -> str:
    """The content format: TOML front matter, `## section` headings, bullets for the rest."""
    front = [
        "+++",
        f"number = {number}",
        f"date = {date.isoformat()}",
        f"title = {json.dumps(title, ensure_ascii=False)}",
        f"keywords = [{', '.join(json.dumps(k, ensure_ascii=False) for k in keywords)}]",
        "+++",
    ]
    body: list[str] = []
    for section in sections:
        body += ["", f"## {section.name}", ""]
        for item in section.items:
            body.append(f"- {_escape(item.title)}")
            for note in item.notes:
                body += _note_lines(note, 1)
    return "\n".join(front + body) + "\n"
