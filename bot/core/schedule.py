"""The daily schedule: `[schedule] cron` in `bot.timezone`, run by a task inside `briefing-bot run`.

Cron arithmetic is croniter's, on zone-aware datetimes, so daylight saving is handled: a time
that does not exist (02:30 on the spring-forward night) runs at the first instant after the
gap; a time that occurs twice (01:30 on the fall-back night) runs once, at its first occurrence,
when the hour field is fixed (an hourly `0 * * * *` does run in both repeated hours), as
Vixie cron does.

At start-up, the latest due time before now is caught up once if it is within
`catch_up_minutes` and was not run yet: the store (the `RunRecord` port) records the due time
of the last run that completed (a run cut short by SIGTERM is not recorded, so the next start
resumes it). The ledger makes any rerun harmless anyway. The log says when the next run is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from croniter import croniter

from bot.content.release import Release
from bot.core.ports import Clock, Deliverer, DeliveryTime, RunRecord

if TYPE_CHECKING:
    from bot.core.timetable import Timetable

log = logging.getLogger(__name__)


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


class Scheduler:
    """Calls the deliverer at every due time; `run()` returns when `stop` is set.

    Without a timetable every destination is on the edition's schedule. With one (`times`),
    each destination is due at its own time (`Timetable`): the scheduler keeps one timer, for
    the next moment anything is due, and at it delivers to the destinations due then. Times
    change by command: whoever changed one sets `changed` (the store, for this process's writes
    and, on PostgreSQL, another replica's), and the scheduler wakes and re-reads the timetable
    at once, so a time set a minute ahead is delivered at that minute. It also re-reads it every
    `recheck` seconds, a safety net for a change it was not told of; a due moment passed since
    the last read (at most `catch_up` ago) is then delivered at once, late rather than a day
    later. A time set after it passed today is first due tomorrow.
    """

    def __init__(
        self,
        schedule: Schedule,
        deliverer: Deliverer,
        runs: RunRecord,
        clock: Clock,
        *,
        catch_up: timedelta,
        stop: asyncio.Event,
        times: Timetable | None = None,
        recheck: float = 300.0,
        changed: asyncio.Event | None = None,
    ) -> None:
        self.schedule, self.deliverer, self.runs, self.clock = schedule, deliverer, runs, clock
        self.catch_up, self.stop = catch_up, stop
        self.times, self.recheck = times, recheck
        self.changed = changed if changed is not None else asyncio.Event()

    async def run(self) -> None:
        await self.catch_up_missed()
        horizon = self.clock.now()  # every due moment up to here is handled
        announced: datetime | None = None
        while not self.stop.is_set():
            now = self.clock.now()
            self.changed.clear()  # a change from here on is read by the next turn
            due, slots = await self._next(max(horizon, now - self.catch_up))
            if due > now:
                horizon = now  # nothing is due up to now in the timetable as read now
                wake = (
                    due if self.times is None else min(due, now + timedelta(seconds=self.recheck))
                )
                if due != announced:
                    log.info("next delivery run at %s", _show(due))
                    announced = due
                if not await self._sleep_until(wake):
                    return
                if self.clock.now() < due:
                    continue  # re-read the timetable: it changed, or the safety net's turn
            await self.fire(due, slots)
            horizon = due

    async def _next(self, after: datetime) -> tuple[datetime, frozenset[DeliveryTime | None]]:
        """The first due moment after `after`, and the delivery times due at it."""
        if self.times is None:
            return self.schedule.next_after(after), frozenset({None})
        return await self.times.next_due(after)

    async def catch_up_missed(self) -> bool:
        """Run the latest missed due time if it is recent enough and not run yet (per
        delivery time, with a timetable)."""
        now = self.clock.now()
        last = self.runs.last_run()
        slots: set[DeliveryTime | None] = set()
        latest: datetime | None = None
        for slot, schedule in await self._schedules():
            due = schedule.previous(now)
            if last is not None and last >= due:
                continue
            if now - due > self.catch_up:
                log.info("the run due at %s was missed; too old to catch up", _show(due))
                continue
            slots.add(slot)
            latest = due if latest is None else max(latest, due)
        if latest is None:
            return False
        log.info("catching up the run due at %s (missed while the bot was down)", _show(latest))
        await self.fire(latest, frozenset(slots))
        return True

    async def _schedules(self) -> list[tuple[DeliveryTime | None, Schedule]]:
        if self.times is None:
            return [(None, self.schedule)]
        return await self.times.schedules()

    async def fire(
        self, due: datetime, slots: frozenset[DeliveryTime | None] = frozenset({None})
    ) -> None:
        try:
            if self.times is None:
                report = await self.deliverer.deliver()
            else:
                report = await self.deliverer.deliver(at=slots)
        except Exception:  # the schedule must survive a failed run; the log has the trace
            log.exception("the delivery run due at %s failed", _show(due))
            return
        if not report.stopped:
            await self.runs.record(due)

    async def _sleep_until(self, due: datetime) -> bool:
        """Sleep until `due` or a change of the times (re-reading the clock: sleeps may
        overshoot or the wall clock may jump); False if stopped first."""
        while not self.stop.is_set() and not self.changed.is_set():
            left = (due - self.clock.now()).total_seconds()
            if left <= 0:
                return True
            await _first(self.clock.sleep(min(left, 3600.0)), self.stop.wait(),
                         self.changed.wait())  # fmt: skip
        return not self.stop.is_set()


async def _first(*waits: Awaitable[object]) -> None:
    """Until the first of `waits` is done; the others are cancelled."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _show(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes") + f" ({moment.tzname()})"
