"""Pacing bench: where the overall rate goes, measured on the real `Pacer` and event loop
without HTTP (so the figures are the pacer's, not this machine's CPU).

Senders behave as the delivery engine's workers: as many as the app runs (64, or 512 with paid
broadcast, `bot/adapters/telegram/limits.py`) take readers in order, send
a reader's parts one after another (each inside its pacer slot, holding it for `RTT`, a send's
round trip), and rank readers by their place in the run. Every admission is replayed through
the strict fake's flood control (`tests/fakes/telegram_api.py`), which counts the 429s Telegram
would have answered.

Figures, on Telegram's clock compressed `SCALE` times (x1 is real time):
- how late the event loop wakes a timer (what a pacer that schedules from "now" loses per slot);
- the overall limit alone (every send to a chat of its own) and the whole pacer (per-chat
  buckets in front, ranks), as achieved rate ÷ 30 (the pacer's headroom allows 0.97);
- the same with paid broadcast (1,000/s) at real time.
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
SECONDS = float(os.environ.get("BENCH_PACING_SECONDS", "8"))  # of wall time per figure


@dataclass(frozen=True)
class Way:
    name: str
    scale: float  # Telegram's clock runs this much faster
    parts: int  # messages per reader
    paid: bool = False

    @property
    def rate(self) -> float:
        return 1000.0 if self.paid else 30.0

    @property
    def readers(self) -> int:
        return max(1, round(SECONDS * self.rate * self.scale / self.parts))


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


async def _send_all(way: Way) -> list[tuple[float, int]]:
    """(admission time, reader) of every part, as the engine's workers would send them."""
    from bot.adapters.pacing import Pacer
    from bot.adapters.telegram.limits import limits, workers

    pacer = Pacer({"telegram": limits(paid_broadcast=way.paid)}, time_scale=way.scale)
    queue, admitted = deque(range(way.readers)), []

    async def worker() -> None:
        while queue:
            reader = queue.popleft()
            chat = str(10_000_000 + reader)
            for _ in range(way.parts):
                async with pacer.slot("telegram", chat, "dm", rank=reader):
                    admitted.append((time.monotonic(), reader))
                    await asyncio.sleep(RTT)

    await asyncio.gather(*(worker() for _ in range(workers(paid_broadcast=way.paid))))
    return admitted


def _flood_429s(admitted: list[tuple[float, int]], scale: float, paid: bool) -> int:
    from tests.fakes.telegram_api import _Chat, _FloodControl

    flood, chats, refused = _FloodControl(scale), {}, 0
    for at, reader in sorted(admitted):
        chat = chats.setdefault(reader, _Chat(10_000_000 + reader, "private"))
        refused += flood.check(chat, at, paid=paid) > 0
    return refused


def _rate(admitted: list[tuple[float, int]], way: Way) -> float:
    times = sorted(at for at, _ in admitted)
    return (len(times) - 1) / (times[-1] - times[0]) / way.scale / way.rate


WAYS = [
    Way("overall limit alone, real time", 1, 1),
    Way("overall limit alone, x10", 10, 1),
    Way("whole pacer, 3 parts a reader, real time", 1, 3),
    Way("whole pacer, 3 parts a reader, x10", 10, 3),
    Way("whole pacer, paid broadcast, real time", 1, 3, paid=True),
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
    for way in WAYS:
        admitted = await _send_all(way)
        rate = _rate(admitted, way)
        refused = _flood_429s(admitted, way.scale, way.paid)
        lines.append(line(
            f"pacing: {way.name}: rate / {way.rate:g} per s ({len(admitted)} messages), 429s",
            f"{rate:.3f}, {refused}", "0.970, 0", f"{rate / 0.97:.3f}",
        ))  # fmt: skip
    return lines


def main() -> list[str]:
    return asyncio.run(_measure())


if __name__ == "__main__":
    print("\n".join(main()))
