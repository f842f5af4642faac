"""Who is due when: every destination's own delivery time, grouped.

A destination with a time of its own (`/briefing time 07:30 Europe/Berlin`, `/subscribe 07:30
Europe/Berlin`) is due daily at that wall time in that zone (a weekly digest's, `/subscribe
weekly mon 07:30`, on that day of the week); every other one on the edition's
schedule (`[schedule] cron` in `bot.timezone`). The scheduler asks for the next moment anything
is due and gets the delivery times due at it: one timer for all destinations, however many.

Wall times go through `Schedule` (croniter on zone-aware datetimes), so daylight saving is
handled as for the edition: a 02:30 that does not exist that day is due at the first minute
after the gap, one that happens twice is due once. Destinations sharing a time and zone share
one schedule, so the cost is per distinct (time, zone), not per destination; each schedule's
next due moment is remembered until it has passed, so finding what is due next is a minimum over
remembered moments, not a cron computation per time.

The times watched are the distinct ones chosen by destinations that still receive
(`DestinationStore.delivery_times`: a time the last reader or channel left is dropped), read
again whenever they change (the scheduler's `changed`); the delivery run itself picks the
destinations due (`Deliverer.deliver(at=…)`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.delivery.cron import Schedule
from bot.core.ports import DeliveryTime

Slot = DeliveryTime | None  # None: the edition's schedule


class Timetable:
    def __init__(
        self,
        edition: Schedule,
        times: Callable[[], Awaitable[Iterable[DeliveryTime | None]]],
    ) -> None:
        """`times()`: the delivery time of every destination now (None for the edition's)."""
        self.edition, self.times = edition, times
        self._schedules: dict[DeliveryTime, Schedule] = {}
        self._next: dict[Slot, tuple[datetime, datetime]] = {}  # slot -> (after, its next due)

    def schedule(self, slot: Slot) -> Schedule:
        if slot is None:
            return self.edition
        if slot not in self._schedules:
            hour, minute = slot.time.split(":")
            zone = ZoneInfo(slot.zone) if slot.zone else self.edition.zone
            days = slot.day or "*"  # a weekly digest's day: "mon"
            self._schedules[slot] = Schedule(f"{int(minute)} {int(hour)} * * {days}", zone)
        return self._schedules[slot]

    async def schedules(self) -> list[tuple[Slot, Schedule]]:
        """Every delivery time in use (the edition's always), with its schedule; what is
        remembered of a time no longer in use is forgotten."""
        slots: set[Slot] = {None, *await self.times()}
        for gone in self._next.keys() - slots:
            del self._next[gone]
            if gone is not None:
                self._schedules.pop(gone, None)
        return [(slot, self.schedule(slot)) for slot in slots]

    async def next_due(self, after: datetime) -> tuple[datetime, frozenset[Slot]]:
        """The first moment strictly after `after` at which a delivery time is due, and every
        delivery time due then."""
        first: datetime | None = None
        due: set[Slot] = set()
        for slot, schedule in await self.schedules():
            moment = self._next_after(slot, schedule, after)
            if first is None or moment < first:
                first, due = moment, {slot}
            elif moment == first:
                due.add(slot)
        assert first is not None  # the edition's schedule is always there
        return first, frozenset(due)

    def _next_after(self, slot: Slot, schedule: Schedule, after: datetime) -> datetime:
        """`schedule.next_after(after)`, remembered: nothing is due in (since, due)."""
        known = self._next.get(slot)
        if known is not None and known[0] <= after < known[1]:
            return known[1]
        moment = schedule.next_after(after)
        self._next[slot] = (after, moment)
        return moment
