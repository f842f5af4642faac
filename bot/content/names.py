"""Names that forgive case, spacing, hyphens and Unicode form, and that suggest (never silently
pick) close names on a miss: the glossary's terms and aliases, the sections a reader mutes.

`normalise` makes `NP-hard`, `np hard` and `ｎｐ－ｈａｒｄ` one key; a miss is compared with every
key as jamo (Hangul decomposed, so a one-key Korean typo is a small edit) by rapidfuzz's edit
ratio; for a large index, only with the keys sharing most jamo trigrams with the query.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

_IGNORED = re.compile(r"[\s\-‐‑‒–—―_·・.]+")
MAX_SUGGESTIONS = 3
_SUGGEST_CUTOFF = 60.0
_PREFILTER_ABOVE = 1000  # keys; below this, compare with every key
_CANDIDATES = 100
T = TypeVar("T")


def normalise(text: str) -> str:
    """`NP-hard`, `np hard`, `NP‐Hard` and `ｎｐ－ｈａｒｄ` all become `nphard`."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def _jamo(key: str) -> str:
    """Hangul syllables decomposed into jamo, so a one-key Korean typo is a small edit."""
    return unicodedata.normalize("NFD", key)


class NameIndex(Generic[T]):
    """Each of `names` (its own name and its aliases) → its value; the first owner of a key
    keeps it."""

    def __init__(self, names: Iterable[tuple[str, T]]) -> None:
        self._index: dict[str, tuple[T, str]] = {}
        for name, value in names:
            self._index.setdefault(normalise(name), (value, name))
        self._keys = list(self._index)
        self._fuzzy_keys = [_jamo(k) for k in self._keys]
        self._grams: dict[str, list[int]] = {}
        if len(self._keys) > _PREFILTER_ABOVE:
            for index, key in enumerate(self._fuzzy_keys):
                for gram in _grams(key):
                    self._grams.setdefault(gram, []).append(index)

    def get(self, query: str) -> tuple[T, str] | None:
        """The value `query` names and the name it matched, or None."""
        return self._index.get(normalise(query))

    def suggest(self, query: str) -> tuple[T, ...]:
        """Up to three values whose names are close to `query` (an edit ratio on jamo)."""
        fuzzy = _jamo(normalise(query))
        candidates = self._candidates(fuzzy)
        choices = [self._fuzzy_keys[i] for i in candidates]
        matches = process.extract(
            fuzzy, choices, scorer=fuzz.ratio, limit=12, score_cutoff=_SUGGEST_CUTOFF
        )
        found: list[T] = []
        for _, _, position in matches:
            value = self._index[self._keys[candidates[position]]][0]
            if value not in found:
                found.append(value)
            if len(found) == MAX_SUGGESTIONS:
                break
        return tuple(found)

    def _candidates(self, query: str) -> list[int]:
        """Every key for a small index; for a large one, the keys sharing most jamo trigrams
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
