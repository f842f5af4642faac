"""Every destination at its own time: one timer for the next due moment, daylight saving in
Europe/Berlin, catching up per delivery time after a restart (a fake clock: no sleeps)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.scheduler import Scheduler
from bot.core.delivery.timetable import Timetable
from bot.core.model.messages import Message, MessageRef
from bot.core.platforms import PlatformRegistry
from bot.core.ports import DeliveryTime, DestinationSettings
from bot.core.testing import FakeClock, OpenPacer, RecordingDeliverer, RecordingPlatform
from bot.store import RunLog, Store
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.ledger import Ledger
from bot.store.tinydb.subscriptions import Subscriptions
from tests.support.wait import until

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = DeliveryTime("07:30", "Europe/Berlin")
NEW_YORK = DeliveryTime("07:30", "America/New_York")
EDITION = Schedule("30 8 * * *", SEOUL)


def timetable(*slots: DeliveryTime | None) -> Timetable:
    async def times() -> list[DeliveryTime | None]:
        return list(slots)

    return Timetable(EDITION, times)


async def dues(table: Timetable, start: datetime, count: int) -> list[tuple[str, set[str]]]:
    out = []
    for _ in range(count):
        start, slots = await table.next_due(start)
        names = {slot.zone if slot else "edition" for slot in slots}
        out.append((start.astimezone(UTC).isoformat(timespec="minutes"), names))
    return out


async def test_one_timer_walks_every_zone_across_berlins_spring_forward() -> None:
    start = datetime(2024, 3, 29, 12, tzinfo=UTC)
    assert await dues(timetable(BERLIN, NEW_YORK, BERLIN), start, 6) == [
        ("2024-03-29T23:30+00:00", {"edition"}),  # 08:30 in Seoul
        ("2024-03-30T06:30+00:00", {"Europe/Berlin"}),  # 07:30 CET
        ("2024-03-30T11:30+00:00", {"America/New_York"}),  # 07:30 EDT
        ("2024-03-30T23:30+00:00", {"edition"}),
        ("2024-03-31T05:30+00:00", {"Europe/Berlin"}),  # 07:30 CEST: the clocks went forward
        ("2024-03-31T11:30+00:00", {"America/New_York"}),
    ]


async def test_a_berlin_time_that_does_not_exist_comes_right_after_the_gap() -> None:
    night = DeliveryTime("02:30", "Europe/Berlin")
    start = datetime(2024, 3, 30, 12, tzinfo=UTC)
    [(first, _), (second, _)] = [d for d in await dues(timetable(night), start, 4)
                                 if "Europe/Berlin" in d[1]]  # fmt: skip
    assert first == "2024-03-31T01:00+00:00"  # 03:00 CEST, the first minute after the gap
    assert second == "2024-04-01T00:30+00:00"  # 02:30 CEST


async def test_a_berlin_time_that_happens_twice_is_due_once() -> None:
    night = DeliveryTime("02:30", "Europe/Berlin")
    start = datetime(2024, 10, 26, 12, tzinfo=UTC)
    berlin = [d[0] for d in await dues(timetable(night), start, 4) if "Europe/Berlin" in d[1]]
    assert berlin == ["2024-10-27T00:30+00:00", "2024-10-28T01:30+00:00"]  # 02:30 CEST, then CET


async def test_times_at_the_same_instant_are_one_run() -> None:
    same = DeliveryTime("00:30", "Europe/Berlin")  # 23:30 UTC in winter = 08:30 in Seoul
    [(moment, names)] = await dues(timetable(same), datetime(2024, 1, 10, 12, tzinfo=UTC), 1)
    assert moment == "2024-01-10T23:30+00:00" and names == {"edition", "Europe/Berlin"}


def recorder(clock: FakeClock, stop: asyncio.Event, until: int = 99) -> RecordingDeliverer:
    """A deliverer that records when it was called and for which times; stops after `until`."""
    return RecordingDeliverer(clock, stop, lambda calls: len(calls) >= until)


def scheduler(
    path: Path, clock: FakeClock, deliverer: RecordingDeliverer, table: Timetable
) -> Scheduler:
    return Scheduler(
        table, deliverer, RunLog(Store.open(path)), clock, catch_up=timedelta(minutes=180),
        stop=deliverer.stop,
    )  # fmt: skip


async def test_a_restart_catches_up_the_missed_time_once_and_no_other(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    seoul_today = datetime(2024, 6, 2, 23, 30, tzinfo=UTC)
    await RunLog(Store.open(path)).record(seoul_today)  # ran before the bot went down
    clock = FakeClock(datetime(2024, 6, 3, 6, 30, tzinfo=UTC))  # Berlin's 05:30 UTC missed
    table = timetable(BERLIN, NEW_YORK)
    first = recorder(clock, asyncio.Event())
    assert await scheduler(path, clock, first, table).catch_up_missed()
    assert first.calls == [(clock.now(), frozenset({BERLIN}))]
    again = recorder(clock, asyncio.Event())
    assert not await scheduler(path, clock, again, table).catch_up_missed()  # not twice
    assert again.calls == []


async def test_the_scheduler_fires_each_time_at_its_moment_across_the_change(
    tmp_path: Path,
) -> None:
    clock = FakeClock(
        datetime(2024, 3, 30, 3, 0, tzinfo=UTC), auto_advance=True
    )  # nothing to catch up
    deliverer = recorder(clock, asyncio.Event(), until=6)
    await scheduler(tmp_path / "d.json", clock, deliverer, timetable(BERLIN, NEW_YORK)).run()
    assert [(at.isoformat(timespec="minutes"), slots) for at, slots in deliverer.calls] == [
        ("2024-03-30T06:30+00:00", frozenset({BERLIN})),
        ("2024-03-30T11:30+00:00", frozenset({NEW_YORK})),
        ("2024-03-30T23:30+00:00", frozenset({None})),
        ("2024-03-31T05:30+00:00", frozenset({BERLIN})),  # an hour earlier in UTC: CEST
        ("2024-03-31T11:30+00:00", frozenset({NEW_YORK})),
        ("2024-03-31T23:30+00:00", frozenset({None})),
    ]
    assert max(clock.sleeps) <= 300.0  # the timetable is re-read at least every 5 minutes


@dataclass
class Stamped(RecordingPlatform):
    """A recording platform that notes the (fake) time of every send."""

    clock: FakeClock | None = None
    at: dict[str, datetime] = field(default_factory=dict)

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        assert self.clock is not None
        self.at.setdefault(chat, self.clock.now())
        return await super().send(chat, message, reply_to=reply_to)


async def test_three_readers_get_the_issue_at_their_own_local_time(
    tmp_path: Path, content: Content
) -> None:
    clock = FakeClock(datetime(2024, 3, 30, 15, 0, tzinfo=UTC), auto_advance=True)
    store = Store.open(tmp_path / "d.json")
    subscriptions = Subscriptions(store, clock=clock.now)
    destinations = Destinations(store)
    platform = Stamped(name="fake", clock=clock)
    for reader in ("seoul", "berlin", "newyork"):
        await subscriptions.subscribe("fake", reader, f"dm-{reader}")
    await destinations.set_settings("fake:dm:berlin", DestinationSettings("07:30", "Europe/Berlin"))
    await destinations.set_settings(
        "fake:dm:newyork", DestinationSettings("07:30", "America/New_York")
    )
    engine = DeliveryEngine(
        content=lambda: content, channels={"fake": []}, platforms=PlatformRegistry(platform),
        subscriptions=subscriptions, ledger=Ledger(store), pacer=OpenPacer(), clock=clock,
        progress_every=None, destinations=destinations,
    )  # fmt: skip
    stop = asyncio.Event()

    async def times() -> list[DeliveryTime | None]:
        if len(platform.at) == 3:
            stop.set()
        return [dest.time for dest in await engine.destinations()]

    run = Scheduler(
        Timetable(EDITION, times), engine, RunLog(store), clock, catch_up=timedelta(minutes=180),
        stop=stop,
    )  # fmt: skip
    await asyncio.wait_for(run.run(), 30)
    local = {chat: at.isoformat(timespec="minutes") for chat, at in platform.at.items()}
    assert local == {
        "dm-seoul": "2024-03-30T23:30+00:00",  # 08:30 in Seoul on the 31st
        "dm-berlin": "2024-03-31T05:30+00:00",  # 07:30 CEST, the morning the clocks went forward
        "dm-newyork": "2024-03-31T11:30+00:00",  # 07:30 EDT
    }
    sent = [s.chat for s in platform.sent]
    assert all(sent.count(chat) == sent.count("dm-seoul") for chat in local)  # one thread each


class Changing:
    """The scheduler over a timetable whose times the test changes, telling it (`changed`) or
    not; a fake clock that moves only when the test advances it."""

    def __init__(self, path: Path, start: datetime) -> None:
        self.clock = FakeClock(start)
        self.slots: list[DeliveryTime | None] = []
        self.changed = asyncio.Event()
        self.deliverer = recorder(self.clock, asyncio.Event())

        async def times() -> list[DeliveryTime | None]:
            return list(self.slots)

        self.scheduler = Scheduler(
            Timetable(EDITION, times), self.deliverer, RunLog(Store.open(path)), self.clock,
            catch_up=timedelta(minutes=180), stop=self.deliverer.stop, changed=self.changed,
        )  # fmt: skip

    async def asleep(self, sleeps: int) -> None:
        """Until the scheduler is asleep for the `sleeps`-th time."""
        await until(lambda: len(self.clock.sleeps) == sleeps and self.clock.sleeping == 1)

    async def advance_to(self, moment: datetime) -> None:
        self.clock.advance((moment - self.clock.now()).total_seconds())
        await asyncio.sleep(0)  # the woken sleeper runs


SEOUL_0338 = datetime(2024, 6, 3, 3, 38, tzinfo=SEOUL)


async def test_a_time_set_minutes_ahead_is_delivered_at_that_minute(tmp_path: Path) -> None:
    """`/subscribe 03:41 Asia/Seoul` at 03:38: the change wakes the scheduler, which re-reads
    the timetable at once instead of at its 5-minute safety net (03:43)."""
    run = Changing(tmp_path / "d.json", SEOUL_0338)
    task = asyncio.create_task(run.scheduler.run())
    await run.asleep(1)
    assert run.clock.sleeps == [300.0]  # the safety net's turn comes first
    await run.advance_to(SEOUL_0338 + timedelta(seconds=10))
    seoul_0341 = DeliveryTime("03:41", "Asia/Seoul")
    run.slots.append(seoul_0341)
    run.changed.set()
    await run.asleep(2)  # woken by the change, it read the timetable again at once
    assert run.clock.sleeps[-1] == 170.0  # until 03:41
    await run.advance_to(datetime(2024, 6, 3, 3, 41, tzinfo=SEOUL))
    await until(lambda: len(run.deliverer.calls) == 1)
    assert run.deliverer.calls == [(datetime(2024, 6, 3, 3, 41, tzinfo=SEOUL), {seoul_0341})]
    run.deliverer.stop.set()
    await asyncio.wait_for(task, 2)


async def test_a_time_set_after_it_passed_today_waits_for_tomorrow(tmp_path: Path) -> None:
    run = Changing(tmp_path / "d.json", SEOUL_0338)
    task = asyncio.create_task(run.scheduler.run())
    await run.asleep(1)
    run.slots.append(DeliveryTime("03:30", "Asia/Seoul"))  # eight minutes ago
    run.changed.set()
    await run.asleep(2)
    assert run.deliverer.calls == []
    run.deliverer.stop.set()
    await asyncio.wait_for(task, 2)


async def test_a_change_nobody_told_is_read_by_the_safety_net_and_delivered_late(
    tmp_path: Path,
) -> None:
    run = Changing(tmp_path / "d.json", SEOUL_0338)
    task = asyncio.create_task(run.scheduler.run())
    await run.asleep(1)
    seoul_0341 = DeliveryTime("03:41", "Asia/Seoul")
    run.slots.append(seoul_0341)  # not told: e.g. the LISTEN connection was down
    await run.advance_to(SEOUL_0338 + timedelta(minutes=5))
    await until(lambda: len(run.deliverer.calls) == 1)
    assert run.deliverer.calls == [(SEOUL_0338 + timedelta(minutes=5), {seoul_0341})]
    run.deliverer.stop.set()
    await asyncio.wait_for(task, 2)
