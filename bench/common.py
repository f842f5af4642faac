"""Shared helpers for benchmarks: percentiles and the one-line report format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable


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
