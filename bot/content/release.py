"""When an issue is released: the one rule that delivery, the commands and the web archive share.

An issue is released at its front matter's `publish_at` if it has one, else at the first delivery
time on or after the start of its `date` (`first_due`, from `[schedule] cron` in `bot.timezone`);
a `draft = true` issue is never released. `LiveContent` serves `released(archive, now)` only.
A `gate` (approval before release: bot/core/approvals.py) may hold an issue whose time has
come: it is released only once the gate lets it through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.content.archive import Archive, Entry


@dataclass(frozen=True, slots=True)
class Release:
    first_due: Callable[[dt.date], dt.datetime]  # the first delivery time on or after a date
    # None: every issue whose time came is released; else only those it lets through
    gate: Callable[[Entry, dt.datetime], bool] | None = None

    def gated(self, gate: Callable[[Entry, dt.datetime], bool]) -> Release:
        """This rule, releasing an issue whose time `at` has come only if `gate(entry, at)`."""
        return replace(self, gate=gate)

    def time_of(self, entry: Entry) -> dt.datetime | None:
        """When `entry` is released; None for a draft."""
        if entry.draft:
            return None
        return entry.publish_at or self.first_due(entry.date)

    def numbers(self, archive: Archive, now: dt.datetime) -> frozenset[int]:
        """The issues released as of `now`."""
        return frozenset(
            entry.number
            for entry in archive.entries
            if (at := self.time_of(entry)) is not None
            and at <= now
            and (self.gate is None or self.gate(entry, at))
        )

    def next_release(self, archive: Archive, now: dt.datetime) -> dt.datetime | None:
        """When the next issue not released as of `now` will be (None: no issue is waiting)."""
        waiting = [
            at for entry in archive.entries if (at := self.time_of(entry)) is not None and at > now
        ]
        return min(waiting, default=None)

    def released(self, archive: Archive, now: dt.datetime) -> Archive:
        return archive.only(self.numbers(archive, now))

    def upcoming(
        self, archive: Archive, now: dt.datetime
    ) -> list[tuple[Entry, dt.datetime | None]]:
        """The issues not released as of `now`, soonest first, with when (None: a draft)."""
        out = self.numbers(archive, now)
        waiting = [(e, self.time_of(e)) for e in archive.entries if e.number not in out]
        return sorted(waiting, key=lambda pair: (pair[1] is None, pair[1] or now, pair[0].number))


def always(_: dt.date) -> dt.datetime:
    """A release rule's `first_due` for archives read without a schedule: dated issues are out."""
    return dt.datetime.min.replace(tzinfo=dt.UTC)


EVERYTHING_BUT_DRAFTS = Release(always)
