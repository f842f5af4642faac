"""Shared helpers for benchmarks: percentiles, the one-line report format, and the fake API
servers run in a process of their own (so their CPU is not the bot's)."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIGURES_LIMIT = 256 * 1024 * 1024  # the fake servers' figures are one JSON line: per-reader times


@asynccontextmanager
async def fake_process(
    module: str, *args: str, ready_within: float = 60
) -> AsyncIterator[tuple[dict[str, Any], asyncio.subprocess.Process]]:
    """`python -m <module> <args>` (bench/fake_servers.py, fake_workspaces.py): its first line
    (the servers' URLs), and the process, killed on the way out."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=FIGURES_LIMIT,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        yield json.loads(await asyncio.wait_for(proc.stdout.readline(), ready_within)), proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def ask_figures(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    """What the fake servers in `proc` saw (they answer a `figures` line with one JSON line)."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"figures\n")
    await proc.stdin.drain()
    figures: dict[str, Any] = json.loads(await proc.stdout.readline())
    return figures


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(
    name: str, value: float, unit: str, baseline: float | None = None, goal: str = ""
) -> str:
    line = f"{name}: {value:,.1f} {unit}"
    if baseline:
        line += (
            f" (baseline: {baseline:,.1f} {unit}, ratio: {baseline / value:,.1f}x)" if value else ""
        )
    if goal:
        line += f" [goal: {goal}]"
    return line


async def time_async(fn: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    """Per-call wall times in microseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def summary(samples: list[float]) -> tuple[float, float, float]:
    return percentile(samples, 50), percentile(samples, 99), statistics.fmean(samples)
