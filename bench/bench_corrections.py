"""Corrections bench (#24): one word changed in one section of issue 1, already delivered to
`BENCH_CORRECTION_READERS` (default 10,000) Telegram DM readers, corrected.

What runs is the bot's own: the `Corrector` and the delivery engine's planner render the
threads, the tinydb ledger keeps and updates the copies, the real `Pacer` (Telegram's limits,
edits at the corrections' rank) admits each edit. The platform is an in-process stand-in for
`editMessageText` that holds its slot for a local round trip (`RTT`), as bench_pacing does: the
full HTTP stack costs ~5 ms of this 2-core machine's CPU per message, more than a compressed
clock leaves. Telegram's clock is compressed x10 (`SCALE`); every admission is replayed through
the strict fake's flood control (`tests/fakes/telegram_api.py`) to count the 429s Telegram
would have answered. The copies are seeded as a delivery of issue 1 leaves them (packed
threads, one per reader), so the bench times the correction alone.

A second run corrects `BENCH_CORRECTION_REAL_READERS` (default 1,000) readers on Telegram's real
clock (about 35 s), where the event loop's stalls cost no slots.

Figures: edits per second ÷ the pacer's limit (30/s; goal ≥ 0.95, 0 × 429) and ÷ what the
pacer alone achieves for as many one-message chats in the same run (this machine, now: on a
loaded machine a compressed clock loses slots to the event loop's stalls), copies edited and
left alone, and the ledger's size for corrections per 10,000 readers per issue (the tinydb
copies table as JSON, and an estimate per copy).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_fanout import line
from bench.bench_pacing import simulate

READERS = int(os.environ.get("BENCH_CORRECTION_READERS", "10000"))
REAL_TIME_READERS = int(os.environ.get("BENCH_CORRECTION_REAL_READERS", "1000"))
SCALE = 10.0
RTT = 0.003  # seconds an edit holds its slot (a local HTTP round trip)
FIRST_CHAT = 10_000_000
LIMIT = 30.0


@dataclass
class Editor:
    """The `Revises` half of a Telegram platform, in process: records when each edit went."""

    name: str = "telegram"
    edits: list[tuple[float, str]] = field(default_factory=list)

    async def revise(self, ref, message, *, parent, pointer):  # type: ignore[no-untyped-def]
        self.edits.append((time.monotonic(), ref.chat))
        await asyncio.sleep(RTT)
        return ref

    async def remove(self, ref, pointer):  # type: ignore[no-untyped-def]
        raise AssertionError("one word changed: nothing to remove")

    async def send(self, chat, message, *, reply_to=None):  # type: ignore[no-untyped-def]
        raise AssertionError("one word changed: nothing to send")

    async def open_dm(self, user: str) -> str:
        return user

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        return False

    async def can_post(self, chat: str) -> bool:
        return True


async def correct_once(
    root: Path, readers: int, scale: float = SCALE
) -> tuple[object, Editor, int, list[object]]:
    """Issue 1's copies seeded for `readers` readers, one word changed, one correction: its
    report, the editor's record, the bytes of the copies table as JSON, the copies now."""
    from bot.adapters.infra.clock import SystemClock
    from bot.adapters.infra.pacing import Pacer
    from bot.adapters.telegram.limits import LIMITS, workers
    from bot.adapters.telegram.render import BUDGET
    from bot.content.loader import load_content
    from bot.core.delivery.copies import digest, revision_of, variant
    from bot.core.delivery.corrections import Corrector
    from bot.core.delivery.engine import DeliveryEngine
    from bot.core.delivery.ports import Copy, Revision
    from bot.core.destination import Destination
    from bot.core.live_content import LiveContent
    from bot.core.model.messages import MessageRef
    from bot.core.model.packing import Packing
    from bot.core.platforms import PlatformRegistry
    from bot.store.backend import TinyBackend, open_tinydb
    from tests.conftest import CONTENT
    from tests.support.corrections import change_word

    content_dir = root / "content"
    shutil.copytree(CONTENT, content_dir)
    live = LiveContent(load_content(content_dir), lambda: load_content(content_dir))
    editor, registry = Editor(), PlatformRegistry()
    registry.add(editor)  # type: ignore[arg-type]

    def engine_on(store: TinyBackend) -> DeliveryEngine:
        return DeliveryEngine(
            content=lambda: live.current, channels={"telegram": []}, platforms=registry,
            subscriptions=store.subscriptions, ledger=store.ledger,
            pacer=Pacer({"telegram": LIMITS}, time_scale=scale), clock=SystemClock(),
            packing={"telegram": Packing(BUDGET, "dm")}, progress_every=None,
        )  # fmt: skip

    seeded = open_tinydb(root / "d.json")  # what delivering issue 1 to every reader leaves
    planner, ledger, now = engine_on(seeded).planner, seeded.ledger, datetime.now(UTC)
    for n in range(readers):
        dest = Destination.reader("telegram", str(FIRST_CHAT + n))
        shape = planner.variant_of(dest)
        for part, message in enumerate(planner.thread(1, dest).messages):
            ref = MessageRef("telegram", dest.chat, str(part + 1), "1" if part else None)
            ledger.keep_copy(Copy(1, dest.key, part, ref, digest(message),
                                  variant(*shape), now))  # fmt: skip
    found = revision_of(live.current, 1)
    assert found is not None
    ledger.set_revision(1, Revision(found, now))
    ledger.release(1, now)
    await seeded.close()  # folded into the file, as a restart leaves it
    store = open_tinydb(root / "d.json")
    try:
        size = len(json.dumps(list(store.store.table("copies")), ensure_ascii=False).encode())
        corrector = Corrector(engine_on(store), zone=UTC, concurrency=workers(paid_broadcast=False))
        change_word(content_dir)
        assert live.refresh()
        [report] = await corrector.correct_due()
        return report, editor, size, list(await store.ledger.copies(1))
    finally:
        await store.close()


def pg_size(copies: list[object]) -> int:
    """Bytes of table `sent_copies` (with its indexes) holding `copies`, on a PostgreSQL of
    its own (tests/pg.py)."""
    import psycopg

    from bot.store.postgres.backend import open_postgres
    from tests.pg import PostgresServer

    async def keep(url: str) -> None:
        backend = open_postgres(url)
        try:
            for copy in copies:
                backend.ledger.keep_copy(copy)  # type: ignore[attr-defined]
            await backend.ledger.commit()
        finally:
            await backend.close()

    server = PostgresServer().start()
    try:
        url = server.create_database("copies")
        asyncio.run(keep(url))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE sent_copies")
            row = conn.execute("SELECT pg_total_relation_size('sent_copies')").fetchone()
        return int(row[0]) if row else 0
    finally:
        server.stop()


def refused(edits: list[tuple[float, str]], scale: float = SCALE) -> int:
    """The 429s the strict fake's flood control would have answered these edits."""
    from tests.fakes.telegram_api import _Chat, _FloodControl

    flood, chats, count = _FloodControl(scale), {}, 0
    for at, chat in sorted(edits):
        known = chats.setdefault(chat, _Chat(int(chat), "private"))
        count += flood.check(known, at) > 0
    return count


def main() -> list[str]:
    import logging

    logging.getLogger("bot").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        report, editor, size, kept = asyncio.run(correct_once(Path(tmp), READERS))
    times = sorted(at for at, _ in editor.edits)
    rate = (len(times) - 1) / (times[-1] - times[0]) / SCALE / LIMIT
    alone = asyncio.run(simulate(READERS, 1, SCALE)).rate()  # this machine, now, pacer only
    with tempfile.TemporaryDirectory() as tmp:
        _, real, _, _ = asyncio.run(correct_once(Path(tmp), REAL_TIME_READERS, 1.0))
    real_times = sorted(at for at, _ in real.edits)
    real_rate = (len(real_times) - 1) / (real_times[-1] - real_times[0]) / LIMIT
    copies = report.edited + report.unchanged  # type: ignore[attr-defined]
    pg_bytes = pg_size(kept)
    per_10k = size * 10_000 / READERS
    prefix = f"corrections: one part of issue 1 for {READERS:,} DM readers, pacer x{SCALE:g}"
    return [
        line(f"{prefix}: edits / 30 per s, 429s", f"{rate:.3f}, {refused(editor.edits)}",
             "0.950, 0 (goal)", f"{rate / 0.95:.3f}"),
        line(f"{prefix}: edits / the pacer alone on as many one-message chats, same run",
             f"{rate:.3f}", f"{alone:.3f}", f"{rate / alone:.3f}"),
        line(f"corrections: one part of issue 1 for {REAL_TIME_READERS:,} DM readers, real time: "
             "edits / 30 per s, 429s", f"{real_rate:.3f}, {refused(real.edits, 1.0)}",
             "0.950, 0 (goal)", f"{real_rate / 0.95:.3f}"),
        line(f"{prefix}: copies edited / left alone", f"{report.edited} / {report.unchanged}",  # type: ignore[attr-defined]
             f"{READERS} / {copies - READERS}", f"{report.edited / READERS:.3f}"),  # type: ignore[attr-defined]
        line("corrections: ledger size per 10,000 readers per issue (tinydb JSON, MB)",
             f"{per_10k / 1e6:.2f}", f"{copies * 10_000 / READERS:,.0f} copies",
             f"{size / copies:.0f} bytes a copy"),
        line("corrections: ledger size per 10,000 readers per issue (PostgreSQL sent_copies, MB)",
             f"{pg_bytes * 10_000 / READERS / 1e6:.2f}", f"{copies * 10_000 / READERS:,.0f} copies",
             f"{pg_bytes / copies:.0f} bytes a copy"),
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(main()))
