"""Cron in a time zone across daylight saving changes, and catching up a missed run once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.delivery.cron import Schedule
from bot.core.delivery.scheduler import Scheduler
from bot.core.delivery.timetable import Timetable
from bot.core.ports import DeliveryReport, DeliveryTime
from bot.core.testing import FakeClock
from bot.store import RunLog, Store
from tests.support.wait import until

NY = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")


def nexts(cron: str, start: datetime, count: int) -> list[str]:
    schedule, out = Schedule(cron, NY), []
    for _ in range(count):
        start = schedule.next_after(start)
        out.append(start.isoformat())
    return out


def test_a_daily_run_keeps_its_local_time_across_spring_forward() -> None:
    assert nexts("30 8 * * *", datetime(2024, 3, 9, 12, tzinfo=NY), 2) == [
        "2024-03-10T08:30:00-04:00",
        "2024-03-11T08:30:00-04:00",
    ]


def test_a_time_skipped_by_spring_forward_runs_right_after_the_gap() -> None:
    assert nexts("30 2 * * *", datetime(2024, 3, 9, 12, tzinfo=NY), 2) == [
        "2024-03-10T03:00:00-04:00",
        "2024-03-11T02:30:00-04:00",
    ]


def test_a_time_repeated_by_fall_back_runs_once() -> None:
    assert nexts("30 1 * * *", datetime(2024, 11, 2, 12, tzinfo=NY), 2) == [
        "2024-11-03T01:30:00-04:00",
        "2024-11-04T01:30:00-05:00",
    ]


def test_an_hourly_job_runs_in_both_repeated_hours() -> None:
    assert nexts("0 * * * *", datetime(2024, 11, 3, 0, 30, tzinfo=NY), 3) == [
        "2024-11-03T01:00:00-04:00",
        "2024-11-03T01:00:00-05:00",
        "2024-11-03T02:00:00-05:00",
    ]


def test_the_default_schedule_is_0830_in_seoul_whatever_the_clock_zone() -> None:
    schedule = Schedule("30 8 * * *", SEOUL)
    utc_midnight = datetime(2024, 1, 1, tzinfo=UTC)  # 09:00 in Seoul
    assert schedule.previous(utc_midnight).isoformat() == "2024-01-01T08:30:00+09:00"
    assert schedule.next_after(utc_midnight).isoformat() == "2024-01-02T08:30:00+09:00"


class CountingDeliverer:
    def __init__(self) -> None:
        self.calls = 0

    async def deliver(
        self, issue: int | None = None, *, dry_run: bool = False, at: object = None
    ) -> DeliveryReport:
        self.calls += 1
        return DeliveryReport()


async def edition_only() -> list[DeliveryTime | None]:
    return []  # no destination has a time of its own: everyone on the edition's schedule


def scheduler(path: Path, clock: FakeClock, deliverer: CountingDeliverer) -> Scheduler:
    edition = Timetable(Schedule("30 8 * * *", SEOUL), edition_only)
    return Scheduler(
        edition, deliverer, RunLog(Store.open(path)), clock,
        catch_up=timedelta(minutes=180), stop=asyncio.Event(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("late", "caught_up"),
    [
        (timedelta(hours=2), 1),
        (timedelta(minutes=180), 1),  # exactly catch_up_minutes late: still caught up
        (timedelta(minutes=181), 0),  # one minute more: too old
        (timedelta(hours=4), 0),
    ],
)
async def test_a_missed_run_is_caught_up_once_within_the_window(
    tmp_path: Path, late: timedelta, caught_up: int
) -> None:
    path = tmp_path / "d.json"
    due = datetime(2024, 6, 3, 8, 30, tzinfo=SEOUL)
    await RunLog(Store.open(path)).record(due - timedelta(days=1))  # yesterday's ran
    deliverer = CountingDeliverer()
    clock = FakeClock(due + late)
    await scheduler(path, clock, deliverer).catch_up_missed()
    await scheduler(path, clock, deliverer).catch_up_missed()  # restarted again: not twice
    assert deliverer.calls == caught_up


async def test_the_scheduler_runs_at_each_due_time_and_stops_when_asked(tmp_path: Path) -> None:
    start = datetime(2024, 6, 3, 12, 0, tzinfo=SEOUL)  # today's 08:30 is 3.5 h old: too late
    clock, deliverer = FakeClock(start), CountingDeliverer()
    task = scheduler(tmp_path / "d.json", clock, deliverer)
    running = asyncio.create_task(task.run())
    for day in range(1, 3):
        await until(lambda: clock.sleeping > 0)
        clock.advance(
            (datetime(2024, 6, 3 + day, 8, 30, tzinfo=SEOUL) - clock.now()).total_seconds()
        )
        await until(lambda day=day: deliverer.calls == day)  # type: ignore[misc]
    assert task.runs.last_run() == datetime(2024, 6, 5, 8, 30, tzinfo=SEOUL)
    task.stop.set()
    await asyncio.wait_for(running, 2)
    assert deliverer.calls == 2
