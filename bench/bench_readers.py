"""Readers' bench (#18): issue 1 to N Telegram readers, packed threads, readers in turn.

Three runs, each said in its figures' names:
- **full stack, real time**: `BENCH_READERS` (default 300) private chats through the real
  adapters (python-telegram-bot), engine, ledger and pacer against the strict fake with its
  flood limits on, at Telegram's real rate (bench_fanout's machinery; about 35 s);
- **10,000 readers, compressed x10**: `BENCH_MANY_READERS` (default 10,000) through the real
  pacer on the event loop, sent as the engine's workers send (`bench_pacing.simulate`), with
  Telegram's clock compressed ten times (about 105 s instead of 17 minutes). No HTTP: the full
  stack needs ~5 ms of this 2-core machine's CPU per message, more than x10 leaves;
- **10,000 readers, paid broadcast, real time**: the same at 1,000 messages a second (~35 s).

Figures per run: messages per reader; the time until the last reader has the whole issue
(Telegram's seconds) and its ratio to the physical minimum (N × messages per reader ÷ the
limit); the median reader's time and its share of the run; the achieved rate ÷ the limit; the
429s the strict fake answered (or would have). `BENCH_QUICK=1` runs 100 and 2,000 readers.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from bench.bench_fanout import Fanout, bench_environment, fan_out, line
from bench.bench_pacing import simulate
from bench.common import percentile

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
READERS = int(os.environ.get("BENCH_READERS", "100" if QUICK else "300"))
MANY = int(os.environ.get("BENCH_MANY_READERS", "2000" if QUICK else "10000"))
MANY_SCALE = 10.0
UNPACKED = 11  # messages a reader of issue 1 got before packed threads (one per section)


@dataclass(frozen=True)
class Figures:
    how: str  # what ran, as the figures' names say it
    readers: int
    sent: int
    done: list[float]  # per reader, when it had the whole issue (Telegram's seconds)
    rate: float  # achieved ÷ the limit
    limit: float  # messages a second overall
    refused: int  # 429s
    failed: int = 0  # destinations

    def lines(self) -> list[str]:
        per, last, median = self.sent / self.readers, max(self.done), percentile(self.done, 50)
        minimum = self.readers * per / self.limit
        prefix = f"readers {self.readers:,}, {self.how}"
        return [
            line(f"{prefix}: messages per reader", f"{per:.2f}", f"{UNPACKED} (unpacked)",
                 f"{per / UNPACKED:.3f}"),
            line(f"{prefix}: last reader has the issue (s)", f"{last:.1f}",
                 f"{minimum:.1f} (N x {per:.0f} / {self.limit:g} per s)", f"{last / minimum:.3f}"),
            line(f"{prefix}: median reader has the issue (s)", f"{median:.1f}",
                 f"{last:.1f} (the run)", f"{median / last:.3f}"),
            line(f"{prefix}: achieved rate / {self.limit:g} per s", f"{self.rate:.3f}",
                 "0.970 (the pacer's headroom)", f"{self.rate / 0.97:.3f}"),
            line(f"{prefix}: 429s / failed destinations", f"{self.refused} / {self.failed}",
                 "0 / 0", "-"),
        ]  # fmt: skip


def full_stack(readers: int) -> Figures:
    from bot.adapters.telegram.limits import workers

    way = Fanout(
        readers, 0, packed_threads="dm", tg_scale=1.0, tg_workers=workers(paid_broadcast=False)
    )
    with bench_environment():
        run = asyncio.run(fan_out(way))
    f = run.servers
    rate = (f["tg_sent"] - 1) / (f["tg_last"] - f["tg_first"]) / 30
    done = [at - run.started for at in f["tg_done"]]
    return Figures("full stack, real time", readers, f["tg_sent"], done, rate, 30.0,
                   f["tg_429"], run.failed)  # fmt: skip


def paced(readers: int, parts: int, scale: float, *, paid: bool) -> Figures:
    sent = asyncio.run(simulate(readers, parts, scale, paid=paid))
    how = "paid broadcast, pacer without HTTP" if paid else "pacer without HTTP"
    how += ", real time" if scale == 1 else f", compressed x{scale:g} (Telegram's seconds)"
    return Figures(how, readers, len(sent.admitted), sent.done(), sent.rate(), sent.limit,
                   sent.refused())  # fmt: skip


def main() -> list[str]:
    stack = full_stack(READERS)
    parts = round(stack.sent / stack.readers)  # issue 1, packed, as the real stack sent it
    runs = [stack, paced(MANY, parts, MANY_SCALE, paid=False), paced(MANY, parts, 1.0, paid=True)]
    return [text for figures in runs for text in figures.lines()]


if __name__ == "__main__":
    print("\n".join(main()))
