"""A flood of commands during a delivery run (issue 23, item 8): issue 1 to `BENCH_FLOOD_READERS`
(default 300) Telegram readers, packed, through the real adapter (python-telegram-bot polling the
fake), engine, ledger and pacer, against the fake Bot API with its flood limits on, in real time.
Twice: alone, then with 20 users each sending `/issue 1` thirty times at once as the run begins
(`[bot] commands_per_minute` = 2, so the flood's answers end ~20 s after the run).

Figures per run: the delivery's rate (its messages over its span) ÷ Telegram's 30/s, the 429s the
fake answered, the readers who did not get the whole issue; for the flood, the answers' messages
sent during the run and each flooding user's answers and notices. Before this issue the same flood
took the run to 0.48 of 30/s, with 4,559 429s and 36 of 300 readers without the issue.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.bench_fanout import bench_environment, line

READERS = int(os.environ.get("BENCH_FLOOD_READERS", "300"))
FLOODERS, COMMANDS, QUOTA = 20, 30, 2
FIRST_READER, FIRST_FLOODER = 7_000_000, 8_000_000
TOKEN = "123456:TEST-TOKEN"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    rate: float  # the delivery's messages a second ÷ 30
    refused: int  # 429s
    incomplete: int  # readers without the whole issue
    during: int  # answers' messages sent while the run went
    per_user: list[int]  # messages each flooding user got
    notices: int


async def one_run(tmp: Path, flood: bool) -> Run:
    from bot.adapters.telegram.platform import build_telegram
    from bot.adapters.telegram.settings import TelegramSecrets
    from bot.app import Settings, build
    from bot.store.backend import TinyBackend
    from tests.fakes.telegram_api import FakeTelegramAPI

    async with FakeTelegramAPI(TOKEN, "newsbot", enforce_limits=True) as fake:
        settings = Settings(
            bot={"content_dir": str(ROOT / "content"), "data_path": str(tmp / "d.json"),
                 "commands_per_minute": QUOTA},
            telegram={"enabled": True, "api_url": fake.base_url},
            console={"enabled": False},
        )  # fmt: skip
        app = build(settings)
        assert isinstance(app.store, TinyBackend)
        table, since = app.store.store.table("subscriptions"), datetime(2024, 1, 1, tzinfo=UTC)
        readers = [FIRST_READER + n for n in range(READERS)]
        for n, user in enumerate(readers):
            fake.add_chat(user, "private")
            when = (since + timedelta(minutes=n)).isoformat()
            record = {"platform": "telegram", "user": str(user), "chat": str(user), "since": when}
            table.put(f"telegram:{user}", record)
        await app.store.store.commit()
        platform = await build_telegram(settings.telegram, TelegramSecrets(), app.service,
                                        pacer=app.engine.pacer)  # fmt: skip
        app.platforms.add(platform)
        await platform.start()
        try:
            run = asyncio.create_task(app.engine.deliver(1))
            await fake.wait_for_calls("sendMessage", 1, 30)
            users = push_flood(fake) if flood else []
            await run
            expected = QUOTA * 11 + 1
            async with asyncio.timeout(300):
                while any(len(fake.messages(u)) < expected for u in users):
                    await fake.wait_for_calls("sendMessage", len(fake.calls_to("sendMessage")) + 1)
        finally:
            await platform.stop()
            await app.store.close()
        return figures(fake, readers, users)


def push_flood(fake: Any) -> list[int]:
    from tests.fakes.telegram_api import FakeTelegramAPI

    assert isinstance(fake, FakeTelegramAPI)
    users, now = [FIRST_FLOODER + n for n in range(FLOODERS)], int(time.time())
    for user in users:
        chat = {"id": user, "first_name": "Flood", "type": "private"}
        for n in range(COMMANDS):
            fake.push_update({"message": {
                "message_id": n + 1, "chat": chat, "date": now, "text": "/issue 1",
                "from": {"id": user, "is_bot": False, "first_name": "Flood"},
                "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]}})  # fmt: skip
    return users


def figures(fake: Any, readers: list[int], users: list[int]) -> Run:
    delivered = sorted(m.at for chat in readers for m in fake.messages(chat))
    first, last = delivered[0], delivered[-1]
    answers = [m for u in users for m in fake.messages(u)]
    return Run(
        rate=(len(delivered) - 1) / (last - first) / 30,
        refused=fake.stats()["rate_limited"],
        incomplete=sum(len(fake.messages(chat)) < 3 for chat in readers),
        during=sum(first <= m.at <= last for m in answers),
        per_user=[len(fake.messages(u)) for u in users],
        notices=sum("다시 해 주세요" in m.plain_text for m in answers),
    )


def main() -> list[str]:
    with bench_environment(), tempfile.TemporaryDirectory() as tmp:
        alone = asyncio.run(one_run(Path(tmp) / "alone", flood=False))
        flooded = asyncio.run(one_run(Path(tmp) / "flood", flood=True))
    prefix = f"flood, readers {READERS:,}"
    flood = f"{FLOODERS} users x {COMMANDS} /issue 1"
    return [
        line(f"{prefix}: delivery rate / 30 per s, no flood", f"{alone.rate:.3f}",
             "0.970 (the pacer's headroom)", f"{alone.rate / 0.97:.3f}"),
        line(f"{prefix}: delivery rate / 30 per s, {flood}", f"{flooded.rate:.3f}",
             f"{alone.rate:.3f} (no flood)", f"{flooded.rate / alone.rate:.3f}"),
        line(f"{prefix}: 429s / readers without the issue, no flood",
             f"{alone.refused} / {alone.incomplete}", "0 / 0", "-"),
        line(f"{prefix}: 429s / readers without the issue, {flood}",
             f"{flooded.refused} / {flooded.incomplete}", "4,559 / 36 (before #23)", "-"),
        line(f"{prefix}: answers' messages during the run, {flood}", str(flooded.during),
             f"{len(flooded.per_user) * (QUOTA * 11 + 1)} (all of them)", "-"),
        line(f"{prefix}: messages per flooding user (quota {QUOTA} x 11 + 1 notice)",
             f"min {min(flooded.per_user)} max {max(flooded.per_user)}, {flooded.notices} notices",
             f"{QUOTA * 11 + 1}, {FLOODERS} notices", "-"),
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(main()))
