"""The content being served, shared by everything that reads it: `/reload` (and the file
watcher) replaces it in one place, and the delivery engine, the command service and the web
archive all see the new one.

`loaded` is everything on disk (`preview` and `validate` show drafts); `current` is what readers
see: only the issues released as of the clock's now (bot/content/release.py). The view is rebuilt
only when the loaded content or the set of released issues changes, so it is the same object
between releases (the web archive caches pages on its identity).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.content.errors import ContentError
from bot.content.loader import Content
from bot.content.release import EVERYTHING_BUT_DRAFTS, Release

log = logging.getLogger(__name__)


class LiveContent:
    def __init__(
        self,
        content: Content,
        load: Callable[[], Content] | None = None,
        *,
        release: Release = EVERYTHING_BUT_DRAFTS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.loaded = content
        self._load = load
        self.release, self._now = release, now
        self._view: tuple[Content, frozenset[int], Content] | None = None
        self.refused: ContentError | None = None  # why the last refresh kept the old content

    @property
    def reloadable(self) -> bool:
        return self._load is not None

    @property
    def current(self) -> Content:
        """The released part of the loaded content, as of now."""
        loaded = self.loaded
        numbers = self.release.numbers(loaded.archive, self._now())
        view = self._view
        if view is None or view[0] is not loaded or view[1] != numbers:
            served = dataclasses.replace(loaded, archive=loaded.archive.only(numbers))
            self._view = view = (loaded, numbers, served)
        return view[2]

    def reload(self) -> Content:
        """Load the content again and serve it; a `ContentError` keeps the previous one. The
        log says what changed (`issue 2 added`)."""
        if self._load is None:
            raise RuntimeError("this content has no source to reload from")
        fresh = self._load()
        for change in changes(self.loaded, fresh):
            log.info("content: %s", change)
        self.loaded = fresh
        return fresh

    def refresh(self) -> bool:
        """`reload()` for the file watcher and before a delivery: a broken archive never goes
        live (the log says why and the previous content stays); True if the new one did."""
        if self._load is None:
            return False
        try:
            self.reload()
        except ContentError as exc:
            log.warning(
                "content on disk has problems; still serving the previous content:\n%s", exc
            )
            self.refused = exc
            return False
        self.refused = None
        return True


def changes(old: Content, new: Content) -> list[str]:
    """What a reload changed, one line each: issues added, removed or edited, and the glossary."""
    before = {entry.number: entry.source for entry in old.archive.entries}
    after = {entry.number: entry.source for entry in new.archive.entries}
    found = [f"issue {n} added" for n in sorted(after.keys() - before.keys())]
    found += [f"issue {n} removed" for n in sorted(before.keys() - after.keys())]
    found += [f"issue {n} changed" for n in sorted(before.keys() & after.keys())
              if before[n] != after[n]]  # fmt: skip
    terms_before, terms_after = old.summary()["terms"], new.summary()["terms"]
    if terms_before != terms_after:
        found.append(f"glossary: {terms_before} → {terms_after} terms")
    return found
