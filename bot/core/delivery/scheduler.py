"""The daily delivery runs, inside `briefing-bot run`: one timer for the next moment any
destination is due (`timetable.py`), woken early when a delivery time changes.

At start-up, the latest due time before now is caught up once if it is within
`catch_up_minutes` and was not run yet: the store (the `RunRecord` port) records the due time
of the last run that completed (a run cut short by SIGTERM is not recorded, so the next start
resumes it). The ledger makes any rerun harmless anyway. The log says when the next run is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta

from bot.core.delivery.ports import Clock, RunRecord
from bot.core.delivery.timetable import Slot, Timetable
from bot.core.ports import Deliverer

log = logging.getLogger(__name__)


class Scheduler:
    """Calls the deliverer at every due time; `run()` returns when `stop` is set.

    Each destination is due at its own time (`Timetable`; the edition's schedule for those
    without one): the scheduler keeps one timer, for the next moment anything is due, and at it
    delivers to the destinations due then. Times change by command: whoever changed one sets
    `changed` (the store, for this process's writes and, on PostgreSQL, another replica's), and
    the scheduler wakes and re-reads the timetable at once, so a time set a minute ahead is
    delivered at that minute. It also re-reads it every `recheck` seconds, a safety net for a
    change it was not told of; a due moment passed since the last read (at most `catch_up` ago)
    is then delivered at once, late rather than a day later. A time set after it passed today is
    first due tomorrow.
    """

    def __init__(
        self,
        times: Timetable,
        deliverer: Deliverer,
        runs: RunRecord,
        clock: Clock,
        *,
        catch_up: timedelta,
        stop: asyncio.Event,
        recheck: float = 300.0,
        changed: asyncio.Event | None = None,
    ) -> None:
        self.times, self.deliverer, self.runs, self.clock = times, deliverer, runs, clock
        self.catch_up, self.stop, self.recheck = catch_up, stop, recheck
        self.changed = changed if changed is not None else asyncio.Event()

    async def run(self) -> None:
        await self.catch_up_missed()
        horizon = self.clock.now()  # every due moment up to here is handled
        announced: datetime | None = None
        while not self.stop.is_set():
            now = self.clock.now()
            self.changed.clear()  # a change from here on is read by the next turn
            due, slots = await self.times.next_due(max(horizon, now - self.catch_up))
            if due > now:
                horizon = now  # nothing is due up to now in the timetable as read now
                if due != announced:
                    log.info("next delivery run at %s", _show(due))
                    announced = due
                if not await self._sleep_until(min(due, now + timedelta(seconds=self.recheck))):
                    return
                if self.clock.now() < due:
                    continue  # re-read the timetable: it changed, or the safety net's turn
            await self.fire(due, slots)
            horizon = due

    async def catch_up_missed(self) -> bool:
        """Run the latest missed due time, per delivery time, if it is recent enough and not
        run yet."""
        now = self.clock.now()
        last = self.runs.last_run()
        slots: set[Slot] = set()
        latest: datetime | None = None
        for slot, schedule in await self.times.schedules():
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

    async def fire(self, due: datetime, slots: frozenset[Slot] = frozenset({None})) -> None:
        try:
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
            await first_of(self.clock.sleep(min(left, 3600.0)), self.stop.wait(),
                         self.changed.wait())  # fmt: skip
        return not self.stop.is_set()


async def first_of(*waits: Awaitable[object]) -> None:
    """Until the first of `waits` is done; the others are cancelled."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _show(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes") + f" ({moment.tzname()})"
