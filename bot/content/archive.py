"""The archive: every issue by number, the latest, and ranked search over titles and notes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from bot.content.models import Issue, Item, Note

_WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 8


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True, slots=True)
class SearchHit:
    issue: Issue
    section: str
    item: Item
    score: float


@dataclass(frozen=True, slots=True)
class _Doc:
    issue: Issue
    section: str
    item: Item
    title: str
    body: str


class Archive:
    def __init__(self, issues: list[Issue]) -> None:
        self._by_number = {issue.number: issue for issue in issues}
        self._numbers = sorted(self._by_number)
        self._docs = [
            _Doc(issue, section.name, item, fold(item.plain_title), fold(_notes_text(item.notes)))
            for issue in sorted(issues, key=lambda i: -i.number)
            for section in issue.sections
            for item in section.items
        ]

    def __len__(self) -> int:
        return len(self._by_number)

    def __iter__(self) -> Iterator[Issue]:
        return (self._by_number[n] for n in self._numbers)

    def get(self, number: int) -> Issue | None:
        return self._by_number.get(number)

    @property
    def latest(self) -> Issue | None:
        return self._by_number[self._numbers[-1]] if self._numbers else None

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(self._numbers)

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Items whose title or notes contain the query words, best first, newest on ties.

        Matching is by substring so that Korean words with particles (`EfficientNet인데`) match.
        """
        words = list(dict.fromkeys(_WORD.findall(fold(query))))[:MAX_QUERY_WORDS]
        if not words:
            return []
        phrase = " ".join(words)
        hits: list[SearchHit] = []
        for doc in self._docs:
            score = 0.0
            for word in words:
                in_title = word in doc.title
                in_body = word in doc.body
                if not (in_title or in_body):
                    break
                score += 3.0 * in_title + 1.0 * in_body + 0.1 * min(doc.body.count(word), 5)
            else:
                if len(words) > 1 and phrase in doc.title:
                    score += 2.0
                hits.append(SearchHit(doc.issue, doc.section, doc.item, score))
        hits.sort(key=lambda h: (-h.score, -h.issue.number))
        return hits[:limit]


def _notes_text(notes: tuple[Note, ...]) -> str:
    return " ".join(f"{n.plain} {_notes_text(n.children)}" for n in notes)
