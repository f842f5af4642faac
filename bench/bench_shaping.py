"""Shaping bench (#25): planning one run for `BENCH_SHAPED_READERS` (default 100,000) Telegram
readers, of whom 30 % mute one or two sections and 20 % take the weekly digest (due now, as
on a Monday), against planning the same number of identical daily readers, in the same run.

Planning is the planner's whole work before the first send: the destinations from the stores
(in memory here: the bench measures the core, not a backend), the issues each still needs from
the ledger, and every distinct thread rendered once. Figures: the planning time (best of
three) and the peak memory it allocates (tracemalloc), each with its ratio to the identical
readers' (goal: within 1.5x), and how many distinct threads were rendered.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
import tracemalloc
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bench.bench_fanout import line
from bench.common import ROOT
from bot.content.loader import load_content
from bot.core.conversation.sections import section_names
from bot.core.delivery.plan import Planner, Tally
from bot.core.ports import DestinationSettings, OptedIn, Subscriber
from bot.store.memory_ledger import MemoryLedger

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
READERS = int(os.environ.get("BENCH_SHAPED_READERS", "20000" if QUICK else "100000"))
MUTING, WEEKLY = 0.30, 0.20
NOW = datetime(2024, 6, 10, 8, 30, tzinfo=UTC)  # a Monday: the weekly readers are due
RELEASED = datetime(2024, 6, 9, 23, 30, tzinfo=UTC)


class _Ledger(MemoryLedger):
    """The ledger in memory, nothing written: issue 1 released last night, nothing sent yet."""

    def _write_release(self, issue: int, at: datetime) -> None:
        pass

    async def commit(self) -> None:
        pass


class _Stores:
    """The subscriptions and destination settings a planner reads, in memory."""

    def __init__(self, readers: int, settings: dict[str, DestinationSettings]) -> None:
        since = "2024-01-01T00:00:00+00:00"
        self.readers = [Subscriber("telegram", str(u), str(u), since) for u in range(readers)]
        self.settings = settings

    async def subscribers(self, platform: str | None = None) -> list[Subscriber]:
        return self.readers

    async def all_settings(self) -> dict[str, DestinationSettings]:
        return self.settings

    async def opted_in(self, platform: str | None = None) -> list[OptedIn]:
        return []


def shaped(readers: int, sections: tuple[str, ...]) -> dict[str, DestinationSettings]:
    """30 % mute one or two sections (of the seed's ten), 20 % are weekly (a fifth of those
    muting too), the others chose nothing."""
    rng = random.Random(25)
    choices = [(s,) for s in sections] + list(itertools.combinations(sections, 2))
    settings = {}
    for user in range(readers):
        muted = rng.choice(choices) if rng.random() < MUTING else ()
        weekly = rng.random() < WEEKLY
        if muted or weekly:
            chosen = DestinationSettings(muted=muted)
            if weekly:
                chosen = DestinationSettings("08:30", "UTC", muted=muted, weekly="mon")
            settings[f"telegram:dm:{user}"] = chosen
    return settings


async def plan(planner: Planner) -> tuple[int, int]:
    """One run's planning: (jobs, distinct threads rendered)."""
    planner.start_run()
    tally = Tally()
    destinations = await planner.destinations()
    daily = [d for d in destinations if not d.weekly]
    weekly = [d for d in destinations if d.weekly]
    jobs = planner.plan(daily, 1, RELEASED, tally)
    jobs += planner.plan_digests(weekly, NOW, tally, rank=len(jobs))
    return len(jobs), len(planner._threads) + len(planner.digests._threads)


def planner(settings: dict[str, DestinationSettings]) -> Planner:
    """A planner of `READERS` readers so set, issue 1 released last night."""
    content = load_content(ROOT / "content")
    ledger = _Ledger()
    ledger.release(1, RELEASED)
    stores = _Stores(READERS, settings)
    return Planner(
        lambda: content, {"telegram": []}, stores, ledger, "ko",  # type: ignore[arg-type]
        destinations=stores, zone=ZoneInfo("UTC"),  # type: ignore[arg-type]
    )  # fmt: skip


def measure(planners: list[Planner], rounds: int = 5) -> list[tuple[float, float, int, int]]:
    """Per planner: (best seconds of `rounds`, peak MiB, jobs, threads); the planners take
    turns, so a busy moment of the machine falls on both alike."""
    times: list[list[float]] = [[] for _ in planners]
    counts = [(0, 0)] * len(planners)
    for _ in range(rounds):
        for n, each in enumerate(planners):
            started = time.perf_counter()
            counts[n] = asyncio.run(plan(each))
            times[n].append(time.perf_counter() - started)
    peaks = []
    for each in planners:
        tracemalloc.start()
        asyncio.run(plan(each))
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return [(min(t), peak, *c) for t, peak, c in zip(times, peaks, counts, strict=True)]


def main() -> list[str]:
    content = load_content(ROOT / "content")
    names = section_names(content.archive)
    base, mine = measure([planner({}), planner(shaped(READERS, names))])
    base_s, base_mib, base_jobs, base_threads = base
    s, mib, jobs, threads = mine
    who = f"plan {READERS:,} readers, 30 % muting, 20 % weekly"
    return [
        line(f"{who}: planning time (s)", f"{s:.3f}",
             f"{base_s:.3f} ({READERS:,} identical readers)", f"{s / base_s:.3f}"),
        line(f"{who}: peak memory (MiB)", f"{mib:.1f}",
             f"{base_mib:.1f} ({READERS:,} identical readers)", f"{mib / base_mib:.3f}"),
        line(f"{who}: distinct threads rendered / jobs", f"{threads} / {jobs}",
             f"{base_threads} / {base_jobs} (identical readers)", "-"),
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(main()))
