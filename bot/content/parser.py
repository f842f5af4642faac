"""Parse `content/issues/NNNN.md`: TOML front matter between `+++` lines, then Markdown.

`## Source` headings are sections, top-level bullets are items, nested bullets are notes (a note
may have one more level of bullets). A note starting with `[요약]`, `[의의]`, `[토막상식]` or
`[본문 중]` (optionally bold) keeps that kind. Every problem is reported as `path:line: message`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from markdown_it.tree import SyntaxTreeNode

from bot.content.errors import ContentError, Problem
from bot.content.front_matter import FRONT_KEYS, OPTIONAL, is_a, toml_line, toml_msg
from bot.content.inline import InlineProblem, block_markdown, inline_markdown, parse_inline
from bot.content.models import Inline, Issue, Item, Note, NoteKind, Section

MAX_FILE_BYTES = 1_000_000  # an issue; a daily newsletter is ~20 kB
MAX_GLOSSARY_BYTES = 32_000_000
LINK_SECTIONS = frozenset({"useful links", "유용한 링크"})
_TAG = re.compile(r"^(\*\*)?\[(?P<tag>[^\]\[\\]{1,30})\](\*\*)?(?!\()\s*")
_KINDS = {kind.value: kind for kind in NoteKind if kind is not NoteKind.PLAIN}


def decode(data: bytes, path: Path) -> str:
    """UTF-8 text of a content file, or a `ContentError` naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError([Problem(str(path), line, f"not valid UTF-8 ({exc.reason})")]) from None


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 content file, turning size and encoding faults into `Problem`s."""
    data = path.read_bytes()
    if len(data) > limit:
        message = f"file is {len(data):,} bytes; the limit is {limit:,}"
        raise ContentError([Problem(str(path), 1, message)])
    return decode(data, path)


def parse_issue_file(path: Path) -> tuple[Issue, list[Problem]]:
    return parse_issue(read_text(path), str(path))


def nfc(text: str) -> str:
    """Content text in composed form: decomposed Hangul (`\u1100\u1161\u11a8`, as macOS
    editors write it) becomes one syllable per character (`각`), so a split never falls inside one.
    """
    return unicodedata.normalize("NFC", text)


def parse_issue(text: str, path: str = "<issue>") -> tuple[Issue, list[Problem]]:
    """Return the issue and its warnings, or raise `ContentError` with every error found.
    Every text field is NFC (see `nfc`); line numbers are those of `text`."""
    parser = _IssueParser(path)
    issue = parser.parse(nfc(text))
    errors = [p for p in parser.problems if not p.warning]
    if errors or issue is None:
        raise ContentError(errors or [Problem(path, 1, "empty issue")])
    return issue, parser.problems


class _IssueParser:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.offset = 0

    def error(self, line: int, message: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(self.path, line, message, warning))

    def parse(self, text: str) -> Issue | None:
        text = text.removeprefix("\ufeff")
        front = self._front_matter(text)
        if front is None:
            return None
        body = text.split("\n", self.offset)[-1] if self.offset else ""
        sections, links = self._body(body, draft=front.get("draft", False))
        if not sections and not any(not p.warning for p in self.problems):
            message = "no `## section` with items after the front matter"
            self.error(self.offset + 1, message, warning=front.get("draft", False))
        if any(not p.warning for p in self.problems):
            return None
        return Issue(
            number=front["number"],
            date=front["date"],
            title=front["title"],
            keywords=tuple(front.get("keywords", ())),
            sections=tuple(sections),
            links=tuple(links),
            path=self.path,
            draft=front.get("draft", False),
            publish_at=front.get("publish_at"),
        )

    def _front_matter(self, text: str) -> dict[str, Any] | None:
        lines = text.split("\n")
        if not lines or lines[0].strip() != "+++":
            self.error(1, "missing front matter: the file must start with a `+++` line")
            return None
        try:
            end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "+++")
        except StopIteration:
            self.error(1, "front matter is not closed by a second `+++` line")
            return None
        self.offset = end + 1
        try:
            front = tomllib.loads("\n".join(lines[1:end]))
        except tomllib.TOMLDecodeError as exc:
            line = toml_line(exc) or end - 1  # "at end of document": the last line of it
            self.error(line + 1, f"front matter is not valid TOML: {toml_msg(exc)}")
            return None
        return self._check_front(front, lines[1:end])

    def _check_front(self, front: dict[str, Any], lines: list[str]) -> dict[str, Any] | None:
        def line_of(key: str) -> int:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            return next((i + 2 for i, line in enumerate(lines) if pattern.match(line)), 1)

        ok = True
        for key in front.keys() - FRONT_KEYS.keys():
            self.error(
                line_of(key), f"unknown front matter key {key!r} (known: {', '.join(FRONT_KEYS)})"
            )
            ok = False
        for key, kind in FRONT_KEYS.items():
            value = front.get(key)
            if value is None and key not in OPTIONAL:
                self.error(1, f"front matter is missing {key!r}")
                ok = False
            elif value is not None and not is_a(value, kind):
                self.error(line_of(key), f"{key!r} must be a {kind.__name__}, not {value!r}")
                ok = False
        if ok and front["number"] < 1:
            self.error(line_of("number"), "'number' must be 1 or more")
            ok = False
        publish_at = front.get("publish_at")
        if ok and publish_at is not None and publish_at.utcoffset() is None:
            message = "'publish_at' needs a zone, e.g. 2026-12-02T08:30:00+09:00"
            self.error(line_of("publish_at"), message)
            ok = False
        if ok and not all(isinstance(k, str) and k.strip() for k in front.get("keywords", [])):
            self.error(line_of("keywords"), "'keywords' must be a list of non-empty strings")
            ok = False
        return front if ok else None

    def _body(self, body: str, draft: bool) -> tuple[list[Section], list[Item]]:
        sections: list[Section] = []
        links: list[Item] = []
        seen: set[str] = set()
        name: str | None = None
        name_line = 0
        items: list[Item] = []

        def close() -> None:
            if name is None:
                return
            if not items:  # a draft's sections are headings waiting for their items
                self.error(name_line, f"section {name!r} has no items", warning=draft)
            elif name.casefold() in LINK_SECTIONS:
                links.extend(items)
            else:
                sections.append(Section(name=name, items=tuple(items), line=name_line))

        for node in SyntaxTreeNode(block_markdown().parse(body)).children:
            line = self._line(node)
            if node.type == "heading" and node.tag == "h2":
                close()
                runs = self._inline(node.children[0], line)
                name, name_line, items = "".join(r.text for r in runs).strip(), line, []
                if name.casefold() in seen:
                    self.error(line, f"section {name!r} appears twice")
                seen.add(name.casefold())
            elif node.type == "bullet_list":
                if name is None:
                    self.error(line, "items must come after a `## section` heading")
                    continue
                items.extend(self._items(node))
            else:
                self.error(
                    line, f"unexpected {_describe(node)}: use `## section` headings and `-` bullets"
                )
        close()
        return sections, links

    def _items(self, listing: SyntaxTreeNode) -> list[Item]:
        items = []
        for li in listing.children:
            line = self._line(li)
            text, nested = self._split_item(li, line)
            if text is None:
                continue
            if self._tag(text.content, line) is not None:
                self.error(
                    line, "a tag like [요약] belongs on a note (a nested bullet), not on an item"
                )
            title = self._inline(text, line)
            url = None
            if len(title) == 1 and title[0].kind == "link":
                url, title = title[0].url, (Inline(text=title[0].text),)
            notes = tuple(n for sub in nested for n in self._notes(sub, depth=1))
            items.append(Item(title=title, url=url, notes=notes, line=line))
            if url is None:
                self.error(line, f"item {_short(title)!r} has no link", warning=True)
        return items

    def _notes(self, listing: SyntaxTreeNode, depth: int) -> list[Note]:
        notes = []
        for li in listing.children:
            line = self._line(li)
            text, nested = self._split_item(li, line)
            if text is None:
                continue
            if depth > 2:
                self.error(line, "bullets nest at most three levels (item, note, sub-note)")
                continue
            source = text.content
            kind = self._tag(source, line) or NoteKind.PLAIN
            if kind is not NoteKind.PLAIN:
                source = source[_TAG.match(source).end() :]  # type: ignore[union-attr]
            runs = self._inline_source(source, line)
            children = tuple(n for sub in nested for n in self._notes(sub, depth + 1))
            if not runs and kind is NoteKind.PLAIN:
                self.error(line, "empty note")
            notes.append(Note(kind=kind, text=runs, children=children, line=line))
        return notes

    def _split_item(
        self, li: SyntaxTreeNode, line: int
    ) -> tuple[SyntaxTreeNode | None, list[SyntaxTreeNode]]:
        paragraphs = [c for c in li.children if c.type == "paragraph"]
        nested = [c for c in li.children if c.type == "bullet_list"]
        for other in li.children:
            if other.type not in {"paragraph", "bullet_list"}:
                self.error(self._line(other), f"unexpected {_describe(other)} inside a bullet")
        if len(paragraphs) > 1:
            self.error(
                self._line(paragraphs[1]), "a bullet holds one paragraph; start a new bullet"
            )
        if not paragraphs:
            if nested:
                self.error(line, "a bullet with sub-bullets needs text of its own")
            return None, []  # an empty bullet carries nothing: skip it
        return paragraphs[0].children[0], nested

    def _tag(self, source: str, line: int) -> NoteKind | None:
        match = _TAG.match(source)
        if match is None:
            return None
        kind = _KINDS.get(match.group("tag").strip())
        if kind is None:
            self.error(
                line,
                f"unknown note tag [{match.group('tag')}]: use [요약], [의의], [토막상식] or "
                "[본문 중], or write a literal bracket as \\[",
            )
        return kind

    def _inline(self, node: SyntaxTreeNode, line: int) -> tuple[Inline, ...]:
        return self._inline_source(node.content, line)

    def _inline_source(self, source: str, line: int) -> tuple[Inline, ...]:
        try:
            runs, warnings = parse_inline(inline_markdown(), source)
        except InlineProblem as exc:
            self.error(line, str(exc))
            return ()
        for warning in warnings:
            self.error(line, warning, warning=True)
        return runs

    def _line(self, node: SyntaxTreeNode) -> int:
        return (node.map[0] if node.map else 0) + self.offset + 1


def _describe(node: SyntaxTreeNode) -> str:
    names = {
        "paragraph": "paragraph outside a bullet",
        "ordered_list": "numbered list",
        "fence": "code block",
        "code_block": "indented code block",
        "hr": "horizontal rule",
        "blockquote": "block quote",
        "heading": f"{node.tag} heading (sections are `##`)",
    }
    return names.get(node.type, node.type.replace("_", " "))


def _short(runs: tuple[Inline, ...]) -> str:
    text = "".join(r.text for r in runs)
    return text if len(text) <= 40 else text[:39] + "…"
