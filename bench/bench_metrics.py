"""The cost of the Prometheus metrics (bot/app/metrics.py), measured in one run against the same
bot built without them (`build(..., metered=False)`): on the command path, `/term` handled by
the core and its answer sent through the pacer (p50/p99; the work deferred to the metrics'
fold is timed on its own), and on a delivery run, messages per
second through the real engine, ledger (the tinydb file) and pacer to a recording platform that
costs nothing, so that the bot's own work is all that is timed. The two bots take turns,
command by command and run by run, so that the machine's drift falls on both alike. Goal:
under 2 % either way.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import percentile
from bot.app import Bot, Settings, build
from bot.app.metrics import FOLD_EVERY, Metrics
from bot.core.delivery.ports import ANSWER
from bot.core.ports import Command
from bot.core.testing import RecordingPlatform

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = 12_000  # per bot
WARM_UP = 500  # the content's caches, the first renders
READERS = 30  # per delivery run: 30 threads of 11 messages
RUNS = 40  # per bot
EARLY = datetime(2024, 1, 1, tzinfo=UTC)  # the readers subscribed before the newest issue
PLATFORM = "console"  # unpaced, as a recorder costs nothing


def _bot(tmp: Path, metered: bool) -> Bot:
    settings = Settings(
        bot={"content_dir": str(ROOT / "content"), "data_path": str(tmp / "d.json"),
             "commands_per_minute": 0},
        console={"enabled": True},  # its readers are the run's; a recorder stands in for it
    )  # fmt: skip
    bot = build(settings, metered=metered)
    bot.platforms.add(RecordingPlatform(name=PLATFORM))
    return bot


async def _command(bot: Bot, n: int) -> float:
    """µs for one `/term`: handled, then its answer through the pacer to the platform."""
    platform = bot.platforms.get(PLATFORM)
    command = Command(PLATFORM, str(n % 50), str(n % 50), "term", "NP-hard", is_dm=True)
    start = time.perf_counter()
    reply = await bot.service.handle(command)
    async with bot.engine.pacer.slot(PLATFORM, command.chat, "answer", ANSWER):
        await platform.send(command.chat, reply.message)
    return (time.perf_counter() - start) * 1e6


async def _delivery(bot: Bot, round_: int) -> float:
    """Messages per second of one run to `READERS` new readers."""
    subscriptions = bot.store.subscriptions
    subscriptions.clock = lambda: EARLY  # type: ignore[attr-defined]  # before the issue
    for reader in range(READERS):
        user = f"r{round_}-{reader}"
        await subscriptions.subscribe(PLATFORM, user, user)
    start = time.perf_counter()
    report = await bot.deliverer.deliver()
    elapsed = time.perf_counter() - start
    assert report.sent >= READERS and not report.failed, report.summary
    return report.sent / elapsed


FOLDS = [0.0, 0]  # µs spent folding, events folded (the metered bot's)


def _timed_folds(metrics: Metrics) -> None:
    fold = metrics.fold

    def timed() -> None:
        events = metrics._pending + sum(metrics.sends.values())
        start = time.perf_counter()
        fold()
        FOLDS[0] += (time.perf_counter() - start) * 1e6
        FOLDS[1] += events

    metrics.fold = timed  # type: ignore[method-assign]


async def _measure() -> dict[str, dict[str, list[float]]]:
    found: dict[str, dict[str, list[float]]] = {
        name: {"commands": [], "rates": []} for name in ("with", "without")
    }
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        bots = {"with": _bot(Path(a), True), "without": _bot(Path(b), False)}
        _timed_folds(bots["with"].ops.metrics)
        try:
            order = list(bots.items())
            for n in range(COMMANDS):  # one command each in turn, each going first in turn
                for name, bot in order:
                    spent = await _command(bot, n)
                    if n >= WARM_UP:
                        found[name]["commands"].append(spent)
                order.reverse()
            for round_ in range(RUNS):
                for name, bot in order:
                    found[name]["rates"].append(await _delivery(bot, round_))
                order.reverse()
            await bots["with"].ops.metrics.exposition()  # what a scrape would read, for the record
        finally:
            for bot in bots.values():
                await bot.store.close()
    return found


def _cost(metered: float, bare: float, higher_is_worse: bool) -> str:
    change = (metered - bare) / bare if higher_is_worse else (bare - metered) / bare
    return f"{change:+.1%}"


def main() -> list[str]:
    logging.disable(logging.WARNING)
    started = datetime.now(UTC)
    try:
        found = asyncio.run(_measure())
    finally:
        logging.disable(logging.NOTSET)
    lines = []
    with_, without = found["with"]["commands"], found["without"]["commands"]
    for q in (50, 99):  # (the mean is the machine's: its ms-long stalls, not the bot's work)
        metered, bare = percentile(with_, q), percentile(without, q)
        lines.append(
            f"metrics cost, /term p{q}: {metered:,.1f} µs with, {bare:,.1f} µs without "
            f"(baseline: {bare:,.1f} µs, cost: {_cost(metered, bare, True)})"
            + (" [goal: < 2 %]" if q == 99 else "")
        )
    folded, events = FOLDS
    per_event = folded / max(events, 1)
    lines.append(
        f"metrics cost, the fold (the deferred work, every {FOLD_EVERY} commands and at each "
        f"scrape): {per_event:,.1f} µs a command or message, "
        f"{per_event / percentile(without, 50):.1%} of a /term's p50 when spread over them"
    )
    rates_with, rates_without = found["with"]["rates"], found["without"]["rates"]
    metered, bare = statistics.median(rates_with), statistics.median(rates_without)
    paired = statistics.median(b / a for a, b in zip(rates_with, rates_without, strict=True))
    lines.append(
        f"metrics cost, delivery run: {metered:,.0f} msg/s with, {bare:,.0f} msg/s without "
        f"(baseline: {bare:,.0f} msg/s, cost: {paired - 1:+.1%}, the median of {RUNS} paired "
        f"runs of {READERS} threads, one after the other) [goal: < 2 %]"
    )
    seconds = (datetime.now(UTC) - started).total_seconds()
    lines.append(f"metrics cost: measured in {seconds:.0f} s")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
