"""The scheduler with 100,000 destinations spread over 96 delivery times in 12 zones (issue 13):
its CPU per day of simulated time (one timer, re-reading the timetable from the store every 5
minutes and at every due moment), its memory, and the time to find what is due next.
Goals: under 1 % of one core; what is due found in under 50 ms."""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import report, summary
from bot.core.delivery.cron import Schedule
from bot.core.delivery.scheduler import Scheduler
from bot.core.ports import DeliveryTime
from bot.core.testing import FakeClock, RecordingDeliverer
from bot.store import RunLog, Store
from bot.store.tinydb.destinations import SETTINGS
from bot.store.tinydb.subscriptions import SUBSCRIPTIONS

DESTINATIONS = 100_000
TIMES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]  # 96
ZONES = ["Asia/Seoul", "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin", "Europe/London",
         "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
         "Australia/Sydney", "Africa/Lagos", "Pacific/Auckland"]  # fmt: skip
EDITION = Schedule("30 8 * * *", ZoneInfo("Asia/Seoul"))


def populate(path: Path) -> Store:
    store = Store.open(path)
    subs, settings = store.table(SUBSCRIPTIONS), store.table(SETTINGS)
    since = datetime(2024, 1, 1, tzinfo=UTC).isoformat()
    for n in range(DESTINATIONS):
        user = str(n)
        subs.put(f"telegram:{user}", {"platform": "telegram", "user": user, "chat": user,
                                      "since": since})  # fmt: skip
        settings.put(f"telegram:dm:{user}", {"time": TIMES[n % 96], "zone": ZONES[n // 96 % 12],
                                            "language": None})  # fmt: skip
    return store


async def run() -> list[str]:
    from bot.core.delivery.timetable import Timetable
    from bot.store.tinydb.destinations import Destinations

    with tempfile.TemporaryDirectory() as tmp:
        store = populate(Path(tmp) / "d.json")
        await store.commit()  # the destinations are on disk before anything is measured
        destinations = Destinations(store)

        async def times() -> list[DeliveryTime | None]:  # as bot/app/run.py reads them
            return [DeliveryTime(*chosen) for chosen in await destinations.delivery_times()]

        table = Timetable(EDITION, times)
        start = datetime(2024, 3, 30, 12, tzinfo=UTC)  # a day with Berlin's and London's change
        reads = []
        for _ in range(5):
            began = time.perf_counter()
            await times()
            reads.append((time.perf_counter() - began) * 1e3)
        finds = []
        after = start
        for _ in range(200):
            began = time.perf_counter()
            after, _ = await table.next_due(after)
            finds.append((time.perf_counter() - began) * 1e3)
        clock = FakeClock(start, auto_advance=True)
        stop = asyncio.Event()
        end = start + timedelta(days=1)
        counting = RecordingDeliverer(clock, stop, lambda _: clock.now() >= end)
        scheduler = Scheduler(
            table, counting, RunLog(store), clock, catch_up=timedelta(0), stop=stop
        )  # fmt: skip
        tracemalloc.start()
        cpu = time.process_time()
        await scheduler.run()
        day_cpu = time.process_time() - cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    share = day_cpu / 86_400 * 100
    p50, p99, _ = summary(finds)
    return [
        report("timetable: read the times of 100,000 destinations", summary(reads)[0], "ms"),
        report("timetable: find the next due moment and what is due (p50)", p50, "ms",
               goal="< 50 ms"),
        report("timetable: find the next due moment (p99)", p99, "ms"),
        report("scheduler: CPU per simulated day", day_cpu, "s"),
        f"scheduler: share of one core: {share:.3f} % [goal: < 1 %]",
        report("scheduler: runs fired in the day", len(counting.calls), "runs"),
        report("scheduler: peak memory while running (tracemalloc)", peak / 2**20, "MiB"),
    ]  # fmt: skip


def main() -> Iterator[str]:
    yield from asyncio.run(run())


if __name__ == "__main__":
    for line in main():
        print(line)
