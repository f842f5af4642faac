"""The glossary: `content/glossary.toml` loaded into an index that forgives case, spacing,
hyphens and Unicode form, and that suggests (never silently picks) close terms on a miss."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from bot.content.errors import ContentError, Problem
from bot.content.models import GlossaryEntry
from bot.content.names import NameIndex, normalise
from bot.content.parser import nfc
from bot.content.slugs import Slugs, TriviaIndex

__all__ = ["Glossary", "Lookup", "load_glossary", "normalise"]


@dataclass(frozen=True, slots=True)
class Lookup:
    entry: GlossaryEntry | None
    matched: str = ""
    suggestions: tuple[GlossaryEntry, ...] = ()


class Glossary:
    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = tuple(entries)
        self._names = NameIndex(
            (name, entry) for entry in entries for name in (entry.term, *entry.aliases)
        )

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
        hit = self._names.get(key)
        if hit is not None:
            return Lookup(hit[0], hit[1])
        return Lookup(None, suggestions=self.suggest(key))

    def suggest(self, key: str) -> tuple[GlossaryEntry, ...]:
        """Up to three entries whose names are close to `key` (an edit ratio on jamo)."""
        return self._names.suggest(key)


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
