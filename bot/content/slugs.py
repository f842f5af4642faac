"""Stable ASCII names for glossary entries (`NP-hard` → `np-hard`), and the entry a 토막상식
explains.

A slug is derived from the entry's term, else from its first alias that has ASCII letters, else
from a hash of the term, and made unique in file order (`-2`, `-3`, ...). It is at most
`MAX_SLUG` characters of `[a-z0-9-]`, so `term-<slug>` fits a Telegram deep link (64 of
`[A-Za-z0-9_-]`); the web archive's `/terms/<slug>` uses the same names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator

from bot.content.models import GlossaryEntry, Note, NoteKind

MAX_SLUG = 48
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def slugify(name: str) -> str:
    """`NP-hard` → `np-hard`, `Amazon SageMaker` → `amazon-sagemaker`; "" if nothing ASCII."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


def base_slug(entry: GlossaryEntry) -> str:
    for name in (entry.term, *entry.aliases):
        if slug := slugify(name):
            return slug
    return "term-" + hashlib.sha1(entry.term.encode("utf-8")).hexdigest()[:10]


class Slugs:
    """Entry ↔ slug for a whole glossary, unique and deterministic."""

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self._by_slug: dict[str, GlossaryEntry] = {}
        self._of: dict[str, str] = {}
        for entry in entries:
            base = slug = base_slug(entry)
            n = 1
            while slug in self._by_slug:
                n += 1
                suffix = f"-{n}"
                slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
            self._by_slug[slug] = entry
            self._of[entry.term] = slug

    def of(self, entry: GlossaryEntry) -> str:
        return self._of[entry.term]

    def entry(self, slug: str) -> GlossaryEntry | None:
        return self._by_slug.get(slug)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_slug)


def _squash(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


class TriviaIndex:
    """Finds the glossary entry a 토막상식 explains: the one whose definition begins with the
    note's text (the glossary keeps the author's text verbatim, then may add to it), compared
    with runs of whitespace squashed. One dict lookup on the first `_KEY` characters."""

    _KEY = 16

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self._by_start: dict[str, list[tuple[str, GlossaryEntry]]] = {}
        for entry in entries:
            text = _squash(entry.definition)
            self._by_start.setdefault(text[: self._KEY], []).append((text, entry))

    def entry_for(self, note: Note) -> GlossaryEntry | None:
        if note.kind is not NoteKind.TRIVIA:
            return None
        needle = _squash(note.plain)
        if not needle:
            return None
        for text, entry in self._by_start.get(needle[: self._KEY], ()):
            if text.startswith(needle):
                return entry
        return None
