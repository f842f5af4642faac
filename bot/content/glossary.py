"""The glossary: `content/glossary.toml` loaded into an index that forgives case, spacing,
hyphens and Unicode form, and that suggests (never silently picks) close terms on a miss."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from bot.content.errors import ContentError, Problem
from bot.content.models import GlossaryEntry
from bot.content.parser import nfc
from bot.content.slugs import Slugs, TriviaIndex

_IGNORED = re.compile(r"[\s\-‐‑‒–—―_·・.]+")
MAX_SUGGESTIONS = 3
_SUGGEST_CUTOFF = 60.0
_PREFILTER_ABOVE = 1000  # keys; below this, compare with every key
_CANDIDATES = 100


def normalise(text: str) -> str:
    """`NP-hard`, `np hard`, `NP‐Hard` and `ｎｐ－ｈａｒｄ` all become `nphard`."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def _jamo(key: str) -> str:
    """Hangul syllables decomposed into jamo, so a one-key Korean typo is a small edit."""
    return unicodedata.normalize("NFD", key)


@dataclass(frozen=True, slots=True)
class Lookup:
    entry: GlossaryEntry | None
    matched: str = ""
    suggestions: tuple[GlossaryEntry, ...] = ()


class Glossary:
    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = tuple(entries)
        self._index: dict[str, tuple[GlossaryEntry, str]] = {}
        for entry in entries:
            for name in (entry.term, *entry.aliases):
                self._index.setdefault(normalise(name), (entry, name))
        self._keys = list(self._index)
        self._fuzzy_keys = [_jamo(k) for k in self._keys]
        self._grams: dict[str, list[int]] = {}
        if len(self._keys) > _PREFILTER_ABOVE:
            for index, key in enumerate(self._fuzzy_keys):
                for gram in _grams(key):
                    self._grams.setdefault(gram, []).append(index)

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def slugs(self) -> Slugs:
        """Each entry's stable ASCII name (web pages, deep links)."""
        return Slugs(self.entries)

    @cached_property
    def trivia(self) -> TriviaIndex:
        """The entry each 토막상식 explains."""
        return TriviaIndex(self.entries)

    def lookup(self, query: str) -> Lookup:
        key = normalise(query)
        if not key:
            return Lookup(None)
        hit = self._index.get(key)
        if hit is not None:
            return Lookup(hit[0], hit[1])
        return Lookup(None, suggestions=self.suggest(key))

    def suggest(self, key: str) -> tuple[GlossaryEntry, ...]:
        """Up to three entries whose names are close to `key` (an edit ratio on jamo)."""
        query = _jamo(key)
        candidates = self._candidates(query)
        choices = [self._fuzzy_keys[i] for i in candidates]
        matches = process.extract(
            query, choices, scorer=fuzz.ratio, limit=12, score_cutoff=_SUGGEST_CUTOFF
        )
        found: list[GlossaryEntry] = []
        for _, _, position in matches:
            entry = self._index[self._keys[candidates[position]]][0]
            if entry not in found:
                found.append(entry)
            if len(found) == MAX_SUGGESTIONS:
                break
        return tuple(found)

    def _candidates(self, query: str) -> list[int]:
        """Every key for a small glossary; for a large one, the keys sharing most jamo trigrams
        with the query (a close spelling shares most of them)."""
        if not self._grams:
            return list(range(len(self._keys)))
        shared: Counter[int] = Counter()
        for gram in _grams(query):
            shared.update(self._grams.get(gram, ()))
        return [index for index, _ in shared.most_common(_CANDIDATES)]


def _grams(text: str) -> set[str]:
    """Jamo trigrams: selective enough that few keys share one, loose enough for a typo."""
    return {text[i : i + 3] for i in range(len(text) - 2)} or {text}


def load_glossary(path: Path, text: str) -> Glossary:
    """Parse glossary TOML (every text field NFC); raise `ContentError` naming `path:line` for
    every bad entry."""
    text = nfc(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        raise ContentError([Problem(str(path), line, f"not valid TOML: {exc}")]) from None
    lines = [i + 1 for i, raw in enumerate(text.split("\n")) if raw.strip() == "[[terms]]"]
    problems: list[Problem] = []
    unknown = data.keys() - {"terms"}
    if unknown:
        problems.append(
            Problem(str(path), 1, f"unknown top-level keys: {', '.join(sorted(unknown))}")
        )
    raw_terms = data.get("terms", [])
    entries: list[GlossaryEntry] = []
    owners: dict[str, str] = {}
    for n, raw in enumerate(raw_terms):
        line = lines[n] if n < len(lines) else 1
        try:
            entry = GlossaryEntry.model_validate({**raw, "line": line})
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(Problem(str(path), line, f"{where}: {err['msg']}"))
            continue
        for name in (entry.term, *entry.aliases):
            key = normalise(name)
            owner = owners.setdefault(key, entry.term)
            if not key:
                problems.append(Problem(str(path), line, f"{entry.term!r}: an empty alias"))
            elif owner != entry.term:
                problems.append(
                    Problem(
                        str(path), line, f"{name!r} of {entry.term!r} is already used by {owner!r}"
                    )
                )
        entries.append(entry)
    if problems:
        raise ContentError(problems)
    return Glossary(entries)
