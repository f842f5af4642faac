"""The embedded backend: durable state in one tinydb file, with a write-ahead journal.

What TinyDB does and what we add:
- **TinyDB's own API** opens and reads the snapshot and writes it: `Store.open` opens the file
  with `TinyDB(path, storage=CachingMiddleware(AtomicJSONStorage))` and reads the snapshot
  through its storage; folding hands the whole snapshot to the same storage (`write`, then
  the middleware's `flush` writes the file). The
  file is tinydb's JSON document format (`{"table": {"1": {...}}}`), so plain TinyDB opens it.
  `AtomicJSONStorage` is a TinyDB `Storage`: orjson, written atomically (temp file, fsync,
  rename, fsync of the directory), and a file that is not a tinydb database is refused.
- **Ours, where TinyDB has no answer**: TinyDB's `Table` writes by reading, rebuilding and
  writing back the whole table (`Table._update_table`) and finds a document by key by scanning:
  measured at 100,000 documents on this machine, an `upsert` costs 32 ms and a `get(Query().key
  == k)` 16 ms, and every write would rewrite the file. So the documents stay in memory in our
  `Table` (indexed by their `key`), and a change is made durable by appending it to a journal
  beside the file (`briefing.json.journal`, one JSON line per commit, fsynced): a write costs the
  size of the change, not of the database; commits that arrive while one is in flight are
  grouped into the next line (group commit, `bot/store/group_commit.py`). When the journal
  grows past a limit, and when the store closes, it is folded into the tinydb file and emptied.

At start-up the file is read and the journal replayed; a torn last line (a commit that never
finished, so was never acknowledged) is dropped. A file or journal that cannot be read is never
replaced: start-up fails naming it, after saving a copy beside it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage

from bot.store.group_commit import GroupCommit

log = logging.getLogger(__name__)
Doc = dict[str, Any]


class StoreCorrupt(Exception):
    """The data file exists but is not a tinydb database we can read."""


class AtomicJSONStorage(Storage):
    """tinydb storage: orjson, whole-file atomic replace, fsynced."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(f"{self.path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoreCorrupt(f"{self.path}: not a tinydb database (expected tables of documents)")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(orjson.dumps(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


Change = tuple[str, str, "Doc | None"]  # (table, doc id, document or None for a delete)
JOURNAL_LIMIT = 16 * 1024 * 1024  # bytes of journal before it is folded into the file


class Table:
    """Documents of one table, indexed by their `key` field; reports every change."""

    def __init__(self, name: str, docs: dict[str, Doc], changed: Callable[[Change], None]) -> None:
        self.name = name
        self.docs = docs
        self._changed = changed
        self.by_key: dict[str, str] = {}
        for doc_id, doc in docs.items():
            self.by_key[str(doc.get("key", doc_id))] = doc_id
        self.next_id = max((int(i) for i in docs if i.isdigit()), default=0) + 1

    def get(self, key: str) -> Doc | None:
        doc_id = self.by_key.get(key)
        return None if doc_id is None else self.docs[doc_id]

    def put(self, key: str, doc: Doc) -> None:
        doc_id = self.by_key.get(key)
        if doc_id is None:
            doc_id = str(self.next_id)
            self.next_id += 1
            self.by_key[key] = doc_id
        stored = {**doc, "key": key}
        self.docs[doc_id] = stored
        self._changed((self.name, doc_id, stored))

    def delete(self, key: str) -> bool:
        doc_id = self.by_key.pop(key, None)
        if doc_id is None:
            return False
        del self.docs[doc_id]
        self._changed((self.name, doc_id, None))
        return True

    def __iter__(self) -> Iterator[Doc]:
        return iter(self.docs.values())

    def __len__(self) -> int:
        return len(self.docs)


class Store:
    def __init__(self, path: Path, data: dict[str, dict[str, Doc]] | None = None) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.db = _tinydb(path)
        self._data: dict[str, dict[str, Doc]] = data or {}
        self._pending: list[Change] = []
        self._tables = {
            name: Table(name, docs, self._pending.append) for name, docs in self._data.items()
        }
        self._write_lock = asyncio.Lock()
        self._group = GroupCommit(self._write_journal)
        self._journal_size = self.journal_path.stat().st_size if self.journal_path.exists() else 0

    @classmethod
    def open(cls, path: str | Path, *, fold: bool = True) -> Store:
        """Load the file and replay its journal (or start empty); refuse a corrupt one loudly.
        `fold=False` is for readers that do not hold the data lock: they never write."""
        path = Path(path)
        journal = path.with_name(path.name + ".journal")
        try:
            data = _snapshot(_tinydb(path))
            replayed = _replay(journal, data)
        except StoreCorrupt as exc:
            raise _kept(exc, path, journal) from None
        store = cls(path, data)
        if fold and journal.exists() and journal.stat().st_size:
            # Fold now: the file becomes whole again and a torn tail can never sit in the middle.
            store._write_snapshot(store._copy())
            _truncate(journal)
            store._journal_size = 0
            log.info("store: replayed %d journal entries from %s", replayed, journal)
        return store

    def table(self, name: str) -> Table:
        if name not in self._tables:
            self._data[name] = {}
            self._tables[name] = Table(name, self._data[name], self._pending.append)
        return self._tables[name]

    async def commit(self) -> None:
        """Make every change made so far durable; concurrent callers share one journal write
        (`bot/store/group_commit.py`)."""
        await self._group()

    async def _write_journal(self) -> None:
        """Every change made before the call, as one journal line, fsynced."""
        async with self._write_lock:
            batch = list(self._pending)
            self._pending.clear()
            if batch:
                line = orjson.dumps(batch) + b"\n"
                try:
                    await asyncio.to_thread(_append, self.journal_path, line)
                except BaseException:
                    self._pending[:0] = batch  # not durable: the next commit writes it again
                    raise
                self._journal_size += len(line)
            if self._journal_size > JOURNAL_LIMIT:
                await self._fold()

    async def close(self) -> None:
        """Fold the journal into the tinydb file, so the file alone is the whole state."""
        await self.commit()
        async with self._write_lock:
            if self._journal_size or self.journal_path.exists():
                await self._fold()

    def _copy(self) -> dict[str, dict[str, Doc]]:
        """A consistent snapshot: a put replaces a document, never changes it in place."""
        return {name: dict(docs) for name, docs in self._data.items()}

    def _write_snapshot(self, snapshot: dict[str, dict[str, Doc]]) -> None:
        storage = self.db.storage
        assert isinstance(storage, CachingMiddleware)
        storage.write(snapshot)
        storage.flush()  # type: ignore[no-untyped-call]

    async def _fold(self) -> None:
        snapshot = self._copy()  # in the loop, so no change lands halfway
        await asyncio.to_thread(self._write_snapshot, snapshot)
        await asyncio.to_thread(_truncate, self.journal_path)  # replaying it again is harmless
        self._journal_size = 0


def _tinydb(path: Path) -> TinyDB:
    cached = CachingMiddleware(AtomicJSONStorage)  # type: ignore[no-untyped-call]
    return TinyDB(path, storage=cached)


def _snapshot(db: TinyDB) -> dict[str, dict[str, Doc]]:
    """Every table of the file, as the TinyDB storage reads it. (`db.table(name).all()` would
    give the same documents but build a `Document` of each: twice the start-up at 100,000.)"""
    data: dict[str, dict[str, Doc]] | None = db.storage.read()
    return data or {}


def _append(path: Path, line: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def _truncate(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.flush()
        os.fsync(handle.fileno())


def _replay(journal: Path, data: dict[str, dict[str, Doc]]) -> int:
    """Apply the journal's changes to `data`; a torn last line was never acknowledged."""
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        return 0
    lines = raw.split(b"\n")
    applied = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            batch = orjson.loads(line)
            for table, doc_id, doc in batch:
                docs = data.setdefault(table, {})
                if doc is None:
                    docs.pop(doc_id, None)
                else:
                    docs[doc_id] = doc
        except (orjson.JSONDecodeError, TypeError, ValueError, AttributeError):
            if number == len(lines) and not raw.endswith(b"\n"):
                log.warning("store: dropped an unfinished last journal entry in %s", journal)
                break
            raise StoreCorrupt(f"{journal}:{number}: not a valid journal entry") from None
        applied += 1
    return applied


def _kept(exc: StoreCorrupt, path: Path, journal: Path) -> StoreCorrupt:
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    copies = []
    for original in (path, journal):
        if original.exists():
            backup = original.with_name(f"{original.name}.corrupt-{stamp}")
            shutil.copy2(original, backup)
            copies.append(str(backup))
    return StoreCorrupt(
        f"{exc}. The files are left as they are and copies are saved as {', '.join(copies)}; "
        "repair or move them away, then start again."
    )
