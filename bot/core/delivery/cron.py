"""The cron value: `[schedule] cron` in a time zone (`bot.timezone`, or a destination's own).

Cron arithmetic is croniter's, on zone-aware datetimes, so daylight saving is handled: a time
that does not exist (02:30 on the spring-forward night) runs at the first instant after the
gap; a time that occurs twice (01:30 on the fall-back night) runs once, at its first occurrence,
when the hour field is fixed (an hourly `0 * * * *` does run in both repeated hours), as
Vixie cron does. What runs at these times is `scheduler.py`'s.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from bot.content.release import Release


class Schedule:
    def __init__(self, cron: str, zone: ZoneInfo) -> None:
        self.cron, self.zone = cron, zone
        self._fixed_hour = "*" not in cron.split()[1]

    def release(self) -> Release:
        """The release rule: an issue without `publish_at` is out at its date's first due time."""

        def first_due(day: date) -> datetime:
            start = datetime.combine(day, time(), self.zone)
            return self.next_after(start - timedelta(microseconds=1))

        return Release(first_due)

    def next_after(self, moment: datetime) -> datetime:
        """The first due time strictly after `moment` (aware, in the schedule's zone)."""
        it = croniter(self.cron, moment.astimezone(self.zone))
        while True:
            due: datetime = it.get_next(datetime)
            if not self._repeat(due):
                return due

    def previous(self, moment: datetime) -> datetime:
        """The last due time at or before `moment`."""
        it = croniter(self.cron, moment.astimezone(self.zone) + timedelta(microseconds=1))
        while True:
            due: datetime = it.get_prev(datetime)
            if not self._repeat(due):
                return due

    def _repeat(self, due: datetime) -> bool:
        """The second occurrence of a repeated wall time, for a job at a fixed hour."""
        return (
            self._fixed_hour
            and due.fold == 1
            and due.utcoffset() != due.replace(fold=0).utcoffset()
        )
