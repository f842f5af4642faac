"""Fan-out benchmark: issue 1 to 500 Telegram subscribers (`BENCH_SUBSCRIBERS`) and 50 Slack
channels, through the real adapters (python-telegram-bot, slack_sdk) and the real delivery
engine, ledger and pacer, against the local fake APIs enforcing the assumed limits with
compressed time. Threads are unpacked (11 messages each, as groups get them); the readers'
figures, packed, are bench_readers'.

Telegram allows 30 messages/s overall: 500 threads of 11 messages need 183 s of real time,
so its clock runs `TG_SCALE` (3) times faster (fake and pacer alike). Slack's limit is per channel
(a burst of 3, then 1/s), so 50 channels take ~9 s: it runs in real time, beside Telegram.
Figures: achieved rate / allowed rate, 429s received, wall time / theoretical minimum.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import ask_figures, fake_process

if TYPE_CHECKING:
    from bot.app import Bot, Settings

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "500"))
CHANNELS = 50
# x3: the bot and the fake need ~5 ms of CPU per Telegram message between them, so at x10
# (291 msg/s) the bench measures this shared 2-core machine's CPU instead of the pacing.
TG_SCALE = float(os.environ.get("BENCH_TG_SCALE", "3"))
SLACK_SCALE = 1.0
TG_RATE = 30.0  # messages/s overall
SLACK_BURST, SLACK_RATE = 3, 1.0  # per channel
# Telegram: private chats in flight, ~3x what fills 30/s at ~1/s each; Slack: every channel.
CONCURRENCY = {"telegram": int(os.environ.get("BENCH_CONCURRENCY", "96")), "slack": CHANNELS}


class ScaledPacer:
    """The real `Pacer`, one per platform, each on its platform's compressed clock; with
    `in_turn=False` every send comes with rank 0, so the overall limit serves them FIFO."""

    def __init__(self, scales: dict[str, float], *, in_turn: bool = True) -> None:
        from bot.adapters.infra.pacing import Pacer
        from bot.app import RATE_LIMITS

        self.pacers = {name: Pacer(RATE_LIMITS, time_scale=scale) for name, scale in scales.items()}
        self.in_turn = in_turn

    def slot(self, platform: str, chat: str, kind: str, rank: int = 0) -> AsyncIterator[None]:
        rank = rank if self.in_turn else 0
        return self.pacers[platform].slot(platform, chat, kind, rank)  # type: ignore[return-value]


@dataclass
class Run:
    started: float  # time.monotonic() when the delivery run began
    wall: float
    failed: int
    servers: dict[str, Any]  # bench/fake_servers.py's figures


@dataclass(frozen=True)
class Fanout:
    """One delivery run of issue 1: to whom, and how."""

    subscribers: int = SUBSCRIBERS
    channels: int = CHANNELS
    packed_threads: str = "none"  # [telegram] packed_threads
    in_turn: bool = True  # readers completed in turn (False: the overall limit is FIFO)
    tg_scale: float = TG_SCALE  # Telegram's clock (fake and pacer) runs this much faster
    tg_workers: int = CONCURRENCY["telegram"]  # Telegram destinations delivered at once


def _settings(tmp: Path, urls: dict[str, str], fanout: Fanout) -> Settings:
    from bot.app import Settings

    return Settings(
        bot={"content_dir": ROOT / "content", "data_path": tmp / "briefing.json"},
        console={"enabled": False},
        telegram={"enabled": True, "api_url": urls["telegram"], "chats": [],
                  "packed_threads": fanout.packed_threads},
        slack={"enabled": True, "mode": "http", "api_url": urls["slack"],
               "channels": [f"C{n:04d}" for n in range(fanout.channels)]},
    )  # fmt: skip


async def _subscribe_all(app: Bot, subscribers: int) -> None:
    """Subscriber n (chat 10,000,000 + n) subscribed n minutes after the first."""
    from bot.store.backend import TinyBackend

    assert isinstance(app.store, TinyBackend), "the fan-out bench seeds the tinydb file"
    store = app.store.store
    table = store.table("subscriptions")
    first = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(subscribers):
        user, since = str(10_000_000 + n), (first + timedelta(minutes=n)).isoformat()
        table.put(f"telegram:{user}", {"platform": "telegram", "user": user, "chat": user,
                                       "since": since})  # fmt: skip
    await store.commit()


def _servers(
    fanout: Fanout,
) -> AbstractAsyncContextManager[tuple[dict[str, Any], asyncio.subprocess.Process]]:
    args = [str(TG_SCALE), str(SLACK_SCALE), str(fanout.subscribers), str(fanout.channels)]
    return fake_process("bench.fake_servers", *args)


async def _platforms(app: Bot) -> list[Any]:
    """Telegram started send-only and Slack built, both in the app's registry (no PTB rate
    limiter: the engine's pacer paces)."""
    from bot.adapters.slack.platform import build_slack
    from bot.adapters.slack.settings import SlackSecrets
    from bot.adapters.telegram.platform import build_telegram
    from bot.adapters.telegram.settings import TelegramSecrets

    telegram = await build_telegram(app.settings.telegram, TelegramSecrets(), app.service)
    await telegram.start(receive=False)
    slack = await build_slack(
        app.settings.slack, SlackSecrets(), app.service, host="127.0.0.1", port=0
    )
    app.platforms.add(telegram)
    app.platforms.add(slack)
    return [telegram, slack]  # each stopped after the run (closing its connections)


async def fan_out(fanout: Fanout) -> Run:
    """Issue 1 through the real adapters, engine, ledger and pacer to the fakes, as asked."""
    from bot import app as application
    from bot.adapters.infra.clock import SystemClock
    from bot.app import delivery_packing
    from bot.core.delivery.engine import DeliveryEngine

    async with _servers(fanout) as (urls, proc):
        with tempfile.TemporaryDirectory() as tmp:
            app = application.build(_settings(Path(tmp), urls, fanout))
            await _subscribe_all(app, fanout.subscribers)
            running = await _platforms(app)
            pacer = ScaledPacer(
                {"telegram": fanout.tg_scale, "slack": SLACK_SCALE}, in_turn=fanout.in_turn
            )
            engine = DeliveryEngine(
                content=lambda: app.content, channels=application.delivery_channels(app.settings),
                platforms=app.platforms, subscriptions=app.store.subscriptions,
                ledger=app.store.ledger, pacer=pacer, clock=SystemClock(),
                concurrency={"telegram": fanout.tg_workers, "slack": max(fanout.channels, 1)},
                progress_every=None,
                packing=delivery_packing(app.settings),
            )  # fmt: skip
            started = time.monotonic()
            report = await engine.deliver()
            wall = time.monotonic() - started
            for platform in running:
                await platform.stop()
        return Run(started, wall, report.failed, await ask_figures(proc))


def _quiet_failed_imports() -> None:
    """httpcore tries `import sniffio` on every request; where it is not installed each failed
    import searches sys.path again (a sixth of the bench's CPU). A None entry makes the same
    ImportError immediate."""
    try:
        import sniffio  # noqa: F401
    except ImportError:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def line(name: str, value: str, baseline: str, ratio: str) -> str:
    return f"{name}: {value} (baseline: {baseline}, ratio: {ratio})"


@contextmanager
def bench_environment() -> Iterator[None]:
    """Tokens for the fakes; the benches that follow start from the environment as it was."""
    saved = dict(os.environ)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    os.environ.update(TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN", SLACK_BOT_TOKEN="xoxb-test-token",
                      SLACK_SIGNING_SECRET="bench-secret")  # fmt: skip
    logging.basicConfig(level=logging.WARNING)
    _quiet_failed_imports()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main() -> list[str]:
    with bench_environment():
        run = asyncio.run(fan_out(Fanout()))
    f, parts = run.servers, 11
    tg_wall = f["tg_last"] - run.started
    tg_rate = f["tg_sent"] / tg_wall / TG_SCALE  # in the platform's (uncompressed) seconds
    tg_min = f["tg_sent"] / (TG_RATE * TG_SCALE)
    slack_wall = f["slack_last"] - run.started
    slack_min = (parts - SLACK_BURST) / (SLACK_RATE * SLACK_SCALE)
    expected = (SUBSCRIBERS + CHANNELS) * parts
    sent = f["tg_sent"] + f["slack_sent"]
    return [
        line("fanout telegram rate (msg/s, uncompressed)", f"{tg_rate:.2f}", f"{TG_RATE:.0f}",
              f"{tg_rate / TG_RATE:.3f}"),
        line("fanout telegram 429s (by limit)", f"{f['tg_429']} {f['tg_429_by']}", "0", "-"),
        line(f"fanout telegram wall (s, compressed x{TG_SCALE:g})", f"{tg_wall:.1f}",
              f"{tg_min:.1f}", f"{tg_min / tg_wall:.3f}"),
        line("fanout slack wall (s, real time)", f"{slack_wall:.2f}", f"{slack_min:.2f}",
              f"{slack_min / slack_wall:.3f}"),
        line("fanout slack 429s", str(f["slack_429"]), "0", "-"),
        line("fanout messages sent", str(sent), str(expected), f"{sent / expected:.3f}"),
        line("fanout failed destinations", str(run.failed), "0", "-"),
        line("fanout run wall (s)", f"{run.wall:.1f}", f"{max(tg_min, slack_min):.1f}",
              f"{max(tg_min, slack_min) / run.wall:.3f}"),
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(main()))
