"""Readers' bench: issue 1 to `BENCH_READERS` Telegram private chats (default 600) through the
real adapters, engine, ledger and pacer against the strict fake (bench_fanout's machinery), on
Telegram's clock compressed `TG_SCALE` times, three ways in one run: unpacked and FIFO (the
baseline: every reader's thread advances one part per round), packed and FIFO, packed and in
turn (the overall limit serves the oldest subscription first).

Figures per way: messages per reader and in all, 429s, and the time (in Telegram's seconds,
uncompressed) until a reader has the whole issue: the median and p90 reader, and both as a
share of the run (the last reader's time).
"""

from __future__ import annotations

import asyncio
import os

from bench.bench_fanout import TG_SCALE, Fanout, Run, bench_environment, fan_out, line
from bench.common import percentile

READERS = int(os.environ.get("BENCH_READERS", "600"))
WAYS = {
    "unpacked FIFO": Fanout(READERS, 0, packed_threads="none", in_turn=False),
    "packed FIFO": Fanout(READERS, 0, packed_threads="dm", in_turn=False),
    "packed in turn": Fanout(READERS, 0, packed_threads="dm", in_turn=True),
}


def _figures(run: Run) -> dict[str, float]:
    done = [(at - run.started) * TG_SCALE for at in run.servers["tg_done"]]
    last = max(done)
    return {
        "per reader": run.servers["tg_sent"] / READERS,
        "total": run.servers["tg_sent"],
        "429s": run.servers["tg_429"],
        "failed": run.failed,
        "median": percentile(done, 50),
        "p90": percentile(done, 90),
        "last": last,
        "median share": percentile(done, 50) / last,
    }


def main() -> list[str]:
    with bench_environment():
        figures = {name: _figures(asyncio.run(fan_out(way))) for name, way in WAYS.items()}
    base = figures["unpacked FIFO"]
    lines = []
    for name, f in figures.items():
        prefix = f"readers {READERS}, {name}"
        lines += [
            line(f"{prefix}: messages per reader", f"{f['per reader']:.2f}",
                 f"{base['per reader']:.2f}", f"{f['per reader'] / base['per reader']:.3f}"),
            line(f"{prefix}: messages in all", f"{f['total']:.0f}", f"{base['total']:.0f}",
                 f"{f['total'] / base['total']:.3f}"),
            line(f"{prefix}: 429s / failed destinations", f"{f['429s']:.0f} / {f['failed']:.0f}",
                 "0 / 0", "-"),
            line(f"{prefix}: median reader has the issue (s, x{TG_SCALE:g} compressed)",
                 f"{f['median']:.1f}", f"{base['median']:.1f}",
                 f"{f['median'] / base['median']:.3f}"),
            line(f"{prefix}: p90 reader has the issue (s)", f"{f['p90']:.1f}",
                 f"{base['p90']:.1f}", f"{f['p90'] / base['p90']:.3f}"),
            line(f"{prefix}: last reader has the issue (s)", f"{f['last']:.1f}",
                 f"{base['last']:.1f}", f"{f['last'] / base['last']:.3f}"),
            line(f"{prefix}: median reader / the run", f"{f['median share']:.3f}", "0.55 (goal)",
                 f"{f['median share'] / 0.55:.3f}"),
        ]  # fmt: skip
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
