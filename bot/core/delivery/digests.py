"""Delivery, the weekly digests: who chose `weekly` gets, at their day and time, one message
with the issues released in the week before it, instead of each issue's thread.

A digest is kept in the ledger like an issue, exactly once: its ledger number is its day's
negative ordinal (`-date.toordinal()` of the due day in the destination's zone: never an issue's
number), so a run killed mid-digest is resumed by the next leader and a second run that day
finds it done. What it holds follows from that number and the destination's time alone: the
issues whose release time (the ledger's) is in the seven days up to the due moment, (due - 7
days, due]; so a resumed digest is the one that was begun, and each issue is in one digest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core.destination import WEEKDAYS, Destination
from bot.core.i18n import Language
from bot.core.model.digest import weekly_digest
from bot.core.model.messages import Thread
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Ledger

WEEK = timedelta(days=7)


def is_digest(number: int) -> bool:
    """A ledger number that names a weekly digest, not an issue."""
    return number < 0


class Digests:
    """The digests of one run, rendered once per distinct (week, time, platform, language,
    muted set)."""

    def __init__(
        self,
        content: Callable[[], Content],
        ledger: Ledger,
        zone: ZoneInfo,
        web: WebLinks | None,
        platforms: PlatformRegistry,
    ) -> None:
        self.content, self.ledger, self.zone = content, ledger, zone
        self.web, self.platforms = web, platforms
        self._issues: dict[tuple[int, str, str], tuple[int, ...]] = {}
        self._threads: dict[tuple[object, ...], Thread] = {}
        self._numbers: dict[tuple[object, datetime], int] = {}

    def start_run(self) -> None:
        self._issues, self._threads, self._numbers = {}, {}, {}

    def number(self, dest: Destination, now: datetime) -> int:
        """The ledger number of `dest`'s digest last due at or before `now` (a run late or
        repeated within the week is still that digest's)."""
        key = (dest.time, now)
        if key not in self._numbers:
            self._numbers[key] = self._number(dest, now)
        return self._numbers[key]

    def _number(self, dest: Destination, now: datetime) -> int:
        local = now.astimezone(self._zone(dest))
        day = WEEKDAYS.index(dest.time.day) if dest.time is not None and dest.time.day else 0
        due = self._due(local.date() - timedelta(days=(local.weekday() - day) % 7), dest)
        return -(due.date() if due <= local else due.date() - WEEK).toordinal()

    def issues(self, number: int, dest: Destination) -> tuple[int, ...]:
        """The issues of digest `number` at `dest`, oldest first: released in the week up to
        its due moment."""
        clock = dest.time.time if dest.time is not None else "00:00"
        key = (number, clock, dest.time.zone if dest.time is not None else "")
        if key not in self._issues:
            due = self._due(date.fromordinal(-number), dest)
            archive = self.content().archive
            found = []
            for n in archive.numbers:
                released = self.ledger.released_at(n)
                if released is not None and due - WEEK < released <= due:
                    found.append(n)
            self._issues[key] = tuple(found)
        return self._issues[key]

    def thread(self, number: int, dest: Destination, language: Language) -> Thread:
        """Digest `number` as `dest` gets it: one message (its platform splits it)."""
        numbers = self.issues(number, dest)
        key = (number, numbers, dest.platform, language, dest.muted)
        if key not in self._threads:
            archive = self.content().archive
            issues = [i for n in numbers if (i := archive.get(n)) is not None]
            assert issues, f"digest {number} has no issue"  # the planner plans none such
            link = self._link(dest.platform)
            self._threads[key] = Thread(weekly_digest(issues, language, link, dest.muted))
        return self._threads[key]

    def _link(self, platform: str) -> Callable[[int], str]:
        def link(number: int) -> str:
            if self.web is not None:
                return self.web.issue(number)
            return self.platforms.start_link(platform, f"issue-{number}") or f"/issue {number}"

        return link

    def _due(self, day: date, dest: Destination) -> datetime:
        """The moment `dest`'s delivery time falls on `day` (its own zone)."""
        clock = dest.time.time if dest.time is not None else "00:00"
        hour, minute = clock.split(":")
        return datetime.combine(day, time(int(hour), int(minute)), self._zone(dest))

    def _zone(self, dest: Destination) -> ZoneInfo:
        chosen = dest.time.zone if dest.time is not None else ""
        return ZoneInfo(chosen) if chosen else self.zone
