"""The archive: every issue by number, the latest, and ranked search over titles and notes.

The archive keeps each issue's validated source (compressed) and a flat search index (one `Doc`
per item), so an editor saving a broken file never changes what is served before `/reload`;
the full `Issue` model is built when an issue is asked for, so a three-year archive starts fast
and stays small in memory. Search scans one folded corpus per field with `str.find` (C speed)
and maps hits to items by offset, so Korean words with particles (`EfficientNet인데`) match.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import re
import threading
import unicodedata
import zlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import accumulate

from bot.content.models import Issue, Note
from bot.content.parser import parse_issue

_WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 8
PARSED_CACHE = 64
_SEP = "\x00"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True, slots=True)
class Doc:
    """One item, as search sees it."""

    issue: int
    section: str
    title: str
    url: str | None
    title_folded: str
    body_folded: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One issue: what the archive keeps without building the full model."""

    number: int
    date: dt.date
    title: str
    path: str
    source: bytes  # zlib-compressed UTF-8 of the file as it was validated
    sections: int
    items: int
    docs: tuple[Doc, ...] = field(repr=False)
    draft: bool = False
    publish_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    issue: int
    section: str
    title: str
    url: str | None
    score: float


def entry_of(issue: Issue, source: str) -> Entry:
    """The archive's record of a parsed issue; `source` is the text it was parsed from."""
    docs = tuple(
        Doc(
            issue.number,
            section.name,
            item.plain_title,
            item.url,
            fold(item.plain_title),
            fold(_notes_text(item.notes)),
        )
        for section in issue.sections
        for item in section.items
    )
    sections = len(issue.sections)
    return Entry(
        issue.number, issue.date, issue.title, issue.path, pack(source), sections, len(docs), docs,
        issue.draft, issue.publish_at,
    )  # fmt: skip


class _Index:
    """Token → items posting lists for titles and bodies, plus the vocabulary as one string so
    that a query word also finds the tokens it is part of (`efficientnet` in `efficientnet인데`)."""

    def __init__(self, docs: list[Doc]) -> None:
        titles: dict[str, array[int]] = {}
        bodies: dict[str, array[int]] = {}
        for index, doc in enumerate(docs):
            for token in set(_WORD.findall(doc.title_folded)):
                titles.setdefault(token, array("I")).append(index)
            for token in set(_WORD.findall(doc.body_folded)):
                bodies.setdefault(token, array("I")).append(index)
        self.titles, self.bodies = titles, bodies
        self.vocabulary = sorted(titles.keys() | bodies.keys())
        self._joined = _SEP.join(self.vocabulary)
        self._starts = list(accumulate((len(t) + 1 for t in self.vocabulary[:-1]), initial=0))

    def tokens_containing(self, word: str) -> list[str]:
        found, pos = [], self._joined.find(word)
        while pos != -1:
            index = bisect.bisect_right(self._starts, pos) - 1
            found.append(self.vocabulary[index])
            if index + 1 >= len(self._starts):
                break
            pos = self._joined.find(word, self._starts[index + 1])
        return found

    def items_with(self, word: str) -> tuple[set[int], set[int]]:
        """(items whose title contains `word`, items whose notes contain it)."""
        tokens = self.tokens_containing(word)
        empty: array[int] = array("I")
        title = set().union(*(self.titles.get(t, empty) for t in tokens))
        body = set().union(*(self.bodies.get(t, empty) for t in tokens))
        return title, body


class Archive:
    def __init__(self, entries: list[Entry], parsed: dict[int, Issue] | None = None) -> None:
        self._entries = {entry.number: entry for entry in entries}
        self._numbers = sorted(self._entries)
        self._parsed: OrderedDict[int, Issue] = OrderedDict(parsed or {})
        newest_first = sorted(entries, key=lambda e: -e.number)
        self._docs = [doc for entry in newest_first for doc in entry.docs]
        self._index: _Index | None = None
        self._index_lock = threading.Lock()
        self._section_names: tuple[str, ...] | None = None

    def prepare_search(self) -> None:
        """Build the search index now (it is otherwise built by the first search). Safe to call
        from a worker thread at start-up while the event loop serves other commands."""
        with self._index_lock:
            if self._index is None:
                self._index = _Index(self._docs)

    def only(self, numbers: frozenset[int]) -> Archive:
        """The archive of these issues alone (the released ones: bot/content/release.py)."""
        if numbers >= self._entries.keys():
            return self
        parsed = {n: issue for n, issue in self._parsed.items() if n in numbers}
        return Archive([e for e in self._entries.values() if e.number in numbers], parsed)

    @classmethod
    def of(cls, issues: list[Issue]) -> Archive:
        """An archive of ready issues (tests, small archives)."""
        return cls([entry_of(issue, "") for issue in issues], {i.number: i for i in issues})

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> list[Entry]:
        return [self._entries[n] for n in self._numbers]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(self._numbers)

    def entry(self, number: int) -> Entry | None:
        """The archive's record of issue `number` (its file's text, path and dates)."""
        return self._entries.get(number)

    def get(self, number: int) -> Issue | None:
        entry = self._entries.get(number)
        if entry is None:
            return None
        issue = self._parsed.get(number)
        if issue is None:
            issue, _ = parse_issue(unpack(entry.source), entry.path)  # validated when loaded
            self._parsed[number] = issue
            if len(self._parsed) > PARSED_CACHE:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(number)
        return issue

    @property
    def section_names(self) -> tuple[str, ...]:
        """Every section name in the archive (of a section with items), newest issue's first."""
        if self._section_names is None:
            self._section_names = tuple(dict.fromkeys(doc.section for doc in self._docs))
        return self._section_names

    @property
    def latest(self) -> Issue | None:
        return self.get(self._numbers[-1]) if self._numbers else None

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Items whose title or notes contain every query word; title matches weigh more,
        newer issues win ties."""
        words = sorted(dict.fromkeys(_WORD.findall(fold(query))), key=len, reverse=True)[
            :MAX_QUERY_WORDS
        ]
        if not words:
            return []
        self.prepare_search()
        assert self._index is not None
        sets = [self._index.items_with(word) for word in words]
        candidates = set.intersection(*(title | body for title, body in sets))
        if len(words) == 1:
            title, body = sets[0]
            levels = [(4.0, title & body), (3.0, title - body), (1.0, body - title)]
            return [
                self._hit(index, score)
                for score, level in levels
                for index in heapq.nsmallest(limit, level)
            ][:limit]
        scored = [
            (-sum(3.0 * (i in title) + 1.0 * (i in body) for title, body in sets), i)
            for i in candidates
        ]
        return [self._hit(index, -neg) for neg, index in heapq.nsmallest(limit, scored)]

    def _hit(self, index: int, score: float) -> SearchHit:
        doc = self._docs[index]
        return SearchHit(doc.issue, doc.section, doc.title, doc.url, score)


def pack(source: str) -> bytes:
    return zlib.compress(source.encode("utf-8"), 6)


def unpack(source: bytes) -> str:
    return zlib.decompress(source).decode("utf-8")


def _notes_text(notes: tuple[Note, ...]) -> str:
    return " ".join(f"{n.plain} {_notes_text(n.children)}" for n in notes)
