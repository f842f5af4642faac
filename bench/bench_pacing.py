"""Pacing bench: where the overall rate goes, measured on the real `Pacer` and event loop
without HTTP (so the figures are the pacer's, not this machine's CPU).

`simulate` sends as the delivery engine's workers do: as many as the app runs (64, or 512 with
paid broadcast, `bot/adapters/telegram/limits.py`) take readers in order, send a reader's parts
one after another (each inside its pacer slot, holding it for `RTT`, a send's round trip), and
rank readers by their place in the run. Every admission is replayed through the strict fake's
flood control (`tests/fakes/telegram_api.py`), which counts the 429s Telegram would answer.

Figures, on Telegram's clock compressed `scale` times (x1 is real time): how late the event
loop wakes a timer (what a pacer that counts from "now" loses on every slot); the overall limit
alone (every send to a chat of its own) and the whole pacer (per-chat buckets in front, ranks),
as achieved rate ÷ the limit (the pacer's headroom allows 0.97).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import deque
from dataclasses import dataclass

from bench.bench_fanout import line
from bench.common import percentile

RTT = 0.003  # seconds a send holds its slot (a local HTTP round trip)
SECONDS = float(os.environ.get("BENCH_PACING_SECONDS", "6"))  # of wall time per figure
FIRST_CHAT = 10_000_000


@dataclass(frozen=True)
class Sent:
    """One simulated run: every admission (monotonic time, reader), and the run's start."""

    started: float
    admitted: list[tuple[float, int]]
    scale: float
    limit: float  # messages a second overall (30, or 1,000 with paid broadcast)

    def rate(self) -> float:
        """Achieved rate ÷ the limit, from the first admission to the last."""
        times = sorted(at for at, _ in self.admitted)
        return (len(times) - 1) / (times[-1] - times[0]) / self.scale / self.limit

    def done(self) -> list[float]:
        """Per reader, when its last part went (Telegram's seconds since the start)."""
        last: dict[int, float] = {}
        for at, reader in self.admitted:
            last[reader] = max(last.get(reader, at), at)
        return [(at - self.started) * self.scale for at in last.values()]

    def refused(self) -> int:
        """The 429s the strict fake would have answered."""
        from tests.fakes.telegram_api import _Chat, _FloodControl

        flood, chats, refused = _FloodControl(self.scale), {}, 0
        for at, reader in sorted(self.admitted):
            chat = chats.setdefault(reader, _Chat(FIRST_CHAT + reader, "private"))
            refused += flood.check(chat, at, paid=self.limit > 30) > 0
        return refused


async def simulate(readers: int, parts: int, scale: float, *, paid: bool = False) -> Sent:
    """`readers` private chats of `parts` messages each through the real pacer."""
    from bot.adapters.infra.pacing import Pacer
    from bot.adapters.telegram.limits import limits, workers

    telegram = limits(paid_broadcast=paid)
    pacer = Pacer({"telegram": telegram}, time_scale=scale)
    queue, admitted = deque(range(readers)), []

    async def worker() -> None:
        while queue:
            reader = queue.popleft()
            chat = str(FIRST_CHAT + reader)
            for _ in range(parts):
                async with pacer.slot("telegram", chat, "dm", rank=reader):
                    admitted.append((time.monotonic(), reader))
                    await asyncio.sleep(RTT)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(workers(paid_broadcast=paid))))
    assert telegram.overall is not None
    return Sent(started, admitted, scale, telegram.overall.rate)


async def _lateness(scale: float, samples: int = 200) -> list[float]:
    """Milliseconds (in real time) by which a timer set for one slot (1/29.1 s) fires late."""
    loop, late = asyncio.get_running_loop(), []
    delay = 1 / (30 * 0.97 * scale)
    for _ in range(samples):
        due = loop.time() + delay
        fired = loop.create_future()
        loop.call_at(due, fired.set_result, None)
        await fired
        late.append((loop.time() - due) * 1000)
    return late


WAYS = [  # (name, scale, parts): one part a reader is the overall limit alone
    ("overall limit alone, real time", 1.0, 1),
    ("whole pacer, 3 parts a reader, real time", 1.0, 3),
    ("whole pacer, 3 parts a reader, x10", 10.0, 3),
]


async def _measure() -> list[str]:
    lines = []
    for scale in (1, 10):
        late = await _lateness(scale)
        slot = 1000 / (30 * 0.97 * scale)
        lines.append(line(
            f"pacing: timer wake-up lateness, x{scale:g} (ms, mean / p99)",
            f"{statistics.fmean(late):.2f} / {percentile(late, 99):.2f}",
            f"slot {slot:.1f} ms", f"{statistics.fmean(late) / slot:.3f} of a slot",
        ))  # fmt: skip
    for name, scale, parts in WAYS:
        sent = await simulate(max(1, round(SECONDS * 30 * scale / parts)), parts, scale)
        lines.append(line(
            f"pacing: {name}: rate / 30 per s ({len(sent.admitted)} messages), 429s",
            f"{sent.rate():.3f}, {sent.refused()}", "0.970, 0", f"{sent.rate() / 0.97:.3f}",
        ))  # fmt: skip
    return lines


def main() -> list[str]:
    return asyncio.run(_measure())


if __name__ == "__main__":
    print("\n".join(main()))
