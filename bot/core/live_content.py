"""The content being served, shared by everything that reads it: `/reload` (and the file
watcher) replaces it in one place, and the delivery engine, the command service and the web
archive all see the new one.

`loaded` is everything on disk (`preview` and `validate` show drafts); `current` is what readers
see: only the issues released as of the clock's now (bot/content/release.py). The view is rebuilt
only when the loaded content or the set of released issues changes, so it is the same object
between releases (the web archive caches pages on its identity); and which issues are released is
worked out again only when the content changes or the next release time passes, so a command
does not walk the whole archive (1,100 issues: 3 ms a command before this).
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


@dataclasses.dataclass(frozen=True, slots=True)
class _View:
    """The released view of `loaded`, good from `since` until the next release (`until`)."""

    loaded: Content
    numbers: frozenset[int]
    served: Content
    since: datetime
    until: datetime | None

    def holds_at(self, now: datetime) -> bool:
        return self.since <= now and (self.until is None or now < self.until)


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
        self._view: _View | None = None
        self.refused: ContentError | None = None  # why the last refresh kept the old content
        self.listeners: list[Callable[[], None]] = []  # told when a reload changed something

    def now(self) -> datetime:
        """The clock the released view is worked out by."""
        return self._now()

    def invalidate(self) -> None:
        """Work out the released issues again at the next read (an approval given or
        withdrawn changes them: bot/core/approvals.py)."""
        self._view = None

    @property
    def reloadable(self) -> bool:
        return self._load is not None

    @property
    def current(self) -> Content:
        """The released part of the loaded content, as of now."""
        loaded, now, view = self.loaded, self._now(), self._view
        if view is not None and view.loaded is loaded and view.holds_at(now):
            return view.served
        numbers = self.release.numbers(loaded.archive, now)
        until = self.release.next_release(loaded.archive, now)
        if view is None or view.loaded is not loaded or view.numbers != numbers:
            served = dataclasses.replace(loaded, archive=loaded.archive.only(numbers))
        else:
            served = view.served
        self._view = _View(loaded, numbers, served, now, until)
        return served

    def reload(self) -> Content:
        """Load the content again and serve it; a `ContentError` keeps the previous one. The
        log says what changed (`issue 2 added`)."""
        if self._load is None:
            raise RuntimeError("this content has no source to reload from")
        fresh = self._load()
        changed = changes(self.loaded, fresh)
        for change in changed:
            log.info("content: %s", change)
        self.loaded = fresh
        for listener in self.listeners if changed else ():
            listener()  # the corrections of issues already delivered
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
