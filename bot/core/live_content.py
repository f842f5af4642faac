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
        """Load the content again and serve it; a `ContentError` keeps the previous one."""
        if self._load is None:
            raise RuntimeError("this content has no source to reload from")
        self.loaded = self._load()
        return self.loaded
