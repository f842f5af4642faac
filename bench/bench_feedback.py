"""Readers' feedback on the tinydb store: what remembering each delivered thread's messages
costs a delivery, against the ledger's own writes for the same threads in the same run (each
thread: a part pending and sent per message, a commit each, then done; the feedback adds one
`remember` commit); then a reaction's lookup and a vote at that size, and /stats' totals over
100,000 votes."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import report
from bot.core.feedback import Carried
from bot.core.model.messages import MessageRef
from bot.store.backend import open_tinydb

THREADS = 2_000
PARTS = 11
VOTES = 100_000
SECTIONS = tuple(f"section {n}" for n in range(1, PARTS))


def refs(reader: int) -> list[tuple[MessageRef, Carried]]:
    chat = str(reader)
    sent = [(MessageRef("telegram", chat, "1"), Carried(1))]
    return sent + [
        (MessageRef("telegram", chat, str(n + 1), "1"), Carried(1, (SECTIONS[n - 1],)))
        for n in range(1, PARTS)
    ]


async def run(folder: Path) -> list[str]:
    store = open_tinydb(folder / "d.json")
    ledger, feedback = store.ledger, store.feedback
    started = time.perf_counter()
    for reader in range(THREADS):
        dest = f"telegram:dm:{reader}"
        for part, (ref, _) in enumerate(refs(reader)):
            ledger.mark_pending(1, dest, part)
            await ledger.commit()
            ledger.mark_sent(1, dest, part, ref)
        ledger.mark_done(1, dest, PARTS)
        await ledger.commit()
    ledger_s = time.perf_counter() - started
    started = time.perf_counter()
    for reader in range(THREADS):
        await feedback.remember(1, refs(reader))
    remember_s = time.perf_counter() - started
    started = time.perf_counter()
    for reader in range(0, THREADS, 10):
        carried = await feedback.find("telegram", str(reader), "7")
        assert carried is not None
        await feedback.react(carried, f"telegram:{reader}", {"👍": 1}, replace=True)
    react_ms = (time.perf_counter() - started) * 1000 / (THREADS // 10)
    for reader in range(VOTES):
        vote = {"issue": 1, "reader": f"telegram:{reader}", "vote": "up" if reader % 3 else "down"}
        feedback.votes.put(f"1|telegram:{reader}", vote)
    await store.store.commit()  # the seeded votes durable before the vote timed
    started = time.perf_counter()
    outcome = await feedback.vote(1, "telegram:-1", "up")
    vote_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    [totals] = await feedback.totals([1])
    totals_ms = (time.perf_counter() - started) * 1000
    assert outcome == "recorded" and totals.up + totals.down == VOTES + 1
    await store.close()
    per_thread = remember_s * 1000 / THREADS
    return [
        report("feedback remember per delivered thread (tinydb, 11 messages)", per_thread, "ms",
               ledger_s * 1000 / THREADS, goal="a small fraction of the ledger's own writes"),
        report("feedback reaction (find + react, 22,000 messages remembered)", react_ms, "ms"),
        report(f"feedback vote with {VOTES:,} votes stored", vote_ms, "ms"),
        report(f"feedback /stats totals over {VOTES:,} votes", totals_ms, "ms"),
    ]  # fmt: skip


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(Path(tmp)))


if __name__ == "__main__":
    print("\n".join(main()))
