"""Load `content/` (issues and glossary) as one snapshot, or fail with every problem found.

With a cache file, an issue whose bytes have not changed since it was last validated is not
parsed again: its search index comes from the cache and its model is built on first use.
The cache is only an accelerator; deleting it changes nothing but start-up time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bot.content.archive import Archive, Doc, Entry, entry_of, pack
from bot.content.errors import ContentError, MissingContent, Problem
from bot.content.glossary import Glossary, load_glossary
from bot.content.models import GlossaryEntry, Issue
from bot.content.parser import MAX_FILE_BYTES, MAX_GLOSSARY_BYTES, decode, parse_issue

log = logging.getLogger(__name__)
CACHE_VERSION = 5  # 3: content text is NFC; 4: entries carry draft and publish_at; 5: TeX groups


@dataclass(frozen=True)
class Content:
    archive: Archive
    glossary: Glossary
    warnings: tuple[Problem, ...] = field(default=())

    def summary(self) -> dict[str, int]:
        entries = self.archive.entries
        return {
            "issues": len(entries),
            "sections": sum(e.sections for e in entries),
            "items": sum(e.items for e in entries),
            "terms": len(self.glossary),
        }


def load_content(content_dir: Path, cache_path: Path | None = None) -> Content:
    """Parse every `issues/*.md` and `glossary.toml` under `content_dir`."""
    problems: list[Problem] = []
    issue_dir = content_dir / "issues"
    if not issue_dir.is_dir():
        raise MissingContent(str(content_dir))
    cache = _read_cache(cache_path)
    fresh: dict[str, Any] = {}
    entries: list[Entry] = []
    parsed: dict[int, Issue] = {}
    owners: dict[int, str] = {}
    for path in sorted(issue_dir.glob("*.md")):
        loaded = _load_issue(path, cache, fresh, problems, parsed)
        if loaded is None:
            continue
        if loaded.number in owners:
            message = f"issue number {loaded.number} is also used by {owners[loaded.number]}"
            problems.append(Problem(str(path), 2, message))
            continue
        if path.stem.isdigit() and int(path.stem) != loaded.number:
            problems.append(
                Problem(
                    str(path), 2, f"file name says {int(path.stem)} but number = {loaded.number}"
                )
            )
        owners[loaded.number] = str(path)
        entries.append(loaded)
    glossary = _glossary(content_dir / "glossary.toml", problems, cache, fresh)
    for entry in glossary.entries:
        if owners and entry.first_issue not in owners:
            message = f"{entry.term!r}: first_issue {entry.first_issue} is not in the archive"
            problems.append(Problem(str(content_dir / "glossary.toml"), entry.line, message))
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)
    if not entries:
        raise ContentError(
            [Problem(str(issue_dir), 0, "no issues found (expected issues/0001.md, ...)")]
        )
    if cache_path is not None and fresh != cache:
        _write_cache(cache_path, fresh)
    return Content(Archive(entries, parsed), glossary, tuple(problems))


def _load_issue(
    path: Path,
    cache: dict[str, Any],
    fresh: dict[str, Any],
    problems: list[Problem],
    parsed: dict[int, Issue],
) -> Entry | None:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            Problem(str(path), 1, f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
        )
        return None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    key = f"{CACHE_VERSION}:{path}:{digest}"
    try:
        source = decode(data, path)
        if key in cache:
            fresh[key] = cache[key]
            problems.extend(
                Problem(str(path), line, msg, warning=True) for line, msg in cache[key]["warnings"]
            )
            return _entry_from_cache(cache[key], str(path), source)
        issue, found = parse_issue(source, str(path))
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(found)
    parsed[issue.number] = issue
    entry = entry_of(issue, source)
    fresh[key] = _entry_to_cache(entry, [(p.line, p.message) for p in found if p.warning])
    return entry


def _entry_to_cache(entry: Entry, warnings: list[tuple[int, str]]) -> dict[str, Any]:
    return {
        "number": entry.number, "date": entry.date.isoformat(), "title": entry.title,
        "sections": entry.sections, "warnings": warnings, "draft": entry.draft,
        "publish_at": entry.publish_at.isoformat() if entry.publish_at else None,
        "docs": [[d.section, d.title, d.url, d.title_folded, d.body_folded] for d in entry.docs],
    }  # fmt: skip


def _entry_from_cache(raw: dict[str, Any], path: str, source: str) -> Entry:
    number = raw["number"]
    docs = tuple(Doc(number, *doc) for doc in raw["docs"])
    date = dt.date.fromisoformat(raw["date"])
    at = dt.datetime.fromisoformat(raw["publish_at"]) if raw["publish_at"] else None
    return Entry(
        number, date, raw["title"], path, pack(source), raw["sections"], len(docs), docs,
        raw["draft"], at,
    )  # fmt: skip


def _read_cache(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(data))
        os.replace(tmp, path)
    except OSError as exc:  # only an accelerator: never fail start-up over it
        log.warning("cannot write the content cache %s: %s", path, exc)


def _glossary(
    path: Path, problems: list[Problem], cache: dict[str, Any], fresh: dict[str, Any]
) -> Glossary:
    if not path.exists():
        problems.append(Problem(str(path), 0, "no glossary: /term will find nothing", warning=True))
        return Glossary([])
    try:
        data = path.read_bytes()
        if len(data) > MAX_GLOSSARY_BYTES:
            message = f"file is {len(data):,} bytes; the limit is {MAX_GLOSSARY_BYTES:,}"
            raise ContentError([Problem(str(path), 1, message)])
        key = f"{CACHE_VERSION}:{path}:{hashlib.blake2b(data, digest_size=16).hexdigest()}"
        if key in cache:
            fresh[key] = cache[key]
            entries = cache[key]["entries"]  # validated when cached
            return Glossary(
                [
                    GlossaryEntry.model_construct(**{**raw, "aliases": tuple(raw["aliases"])})
                    for raw in entries
                ]
            )
        glossary = load_glossary(path, decode(data, path))
        fresh[key] = {"entries": [entry.model_dump(mode="json") for entry in glossary.entries]}
        return glossary
    except ContentError as exc:
        problems.extend(exc.problems)
        return Glossary([])
