"""CPU bench (#27): the bot process's CPU time per delivered message, whole stack.

Issue 1 through the real adapters (python-telegram-bot, slack_sdk), the delivery engine, the
ledger (tinydb with its fsynced journal, and PostgreSQL with fsync on) and the pacer, built by
`bot.app.build` as `run` builds them, against the fake APIs in a process of their own
(bench/fake_servers.py, flood limits on). Only the bot process's CPU is counted
(`time.process_time()` around the delivery run, every thread of this process; the fakes and the
database server are other processes). Runs:

- **telegram free**: `BENCH_CPU_READERS` (500; quick 100) DM readers, packed threads, the fake's
  and the pacer's clock compressed x3 (90 messages a second);
- **telegram paid**: `BENCH_PAID_READERS` (10,000, quick too: fewer never leave the ramp of the
  first second) DM readers with `paid_broadcast = true`, real time: Telegram's 1,000 messages
  a second, end to end (#27's "paid broadcast, whole stack": achieved rate, 429s, the last and
  the median reader);
- **slack**: `BENCH_CPU_CHANNELS` (300; quick 50) channels, real time.

The baseline of each CPU figure, measured in the same run, is the SDK alone: the same number of
`send_message` / `chat_postMessage` calls made directly with the SDK's client as shipped (PTB's
httpx request and `Bot.send_message`; slack_sdk's own client), with no engine, ledger, pacer or
rendering. The bot's Telegram transport is lighter than PTB's shipped one
(`bot/adapters/telegram/request.py`), so its ratio can be below 1. The free run is also set
against PTB alone at its pace (one call at a time, 90 a second, `telegram_paced`): as shipped,
and through the bot's transport, which is the floor under the free run's figure. The goal
is #27's (Telegram <= 1.0 ms, Slack <= 0.7 ms). `python -m bench.bench_cpu profile` runs the
telegram free run (tinydb) under cProfile and writes /tmp/bench_cpu.pstats (outside the repo);
docs/benchmarks.md has its top entries.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.bench_fanout import bench_environment, line
from bench.common import ask_figures, fake_process, percentile
from bench.fake_servers import FIRST_SUBSCRIBER, channel_id

if TYPE_CHECKING:
    from bot.app import Bot
    from tests.pg import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
FREE_READERS = int(os.environ.get("BENCH_CPU_READERS", "100" if QUICK else "500"))
PAID_READERS = int(os.environ.get("BENCH_PAID_READERS", "10000"))  # #27: end to end, also quick
CHANNELS = int(os.environ.get("BENCH_CPU_CHANNELS", "50" if QUICK else "300"))
FREE_SCALE = 3.0
PROFILE = Path("/tmp/bench_cpu.pstats")
GOAL = {"telegram": 1.0, "slack": 0.7}  # ms of the bot's CPU per delivered message
TEXT = "<b>Neural Briefing</b> #1 — " + "a line of the issue. " * 40  # the SDK-alone runs' text


@dataclass(frozen=True)
class Case:
    name: str
    platform: str  # "telegram" or "slack"
    readers: int = 0
    channels: int = 0
    paid: bool = False
    scale: float = 1.0  # the fake's and the pacer's clock run this much faster


@dataclass
class Result:
    cpu: float  # seconds of this process's CPU during the delivery run
    started: float
    wall: float
    failed: int
    servers: dict[str, Any]

    def sent(self, platform: str) -> int:
        return int(self.servers["tg_sent" if platform == "telegram" else "slack_sent"])


def _settings(tmp: Path, urls: dict[str, str], case: Case) -> Any:
    from bot.app import Settings

    telegram = {
        "enabled": case.platform == "telegram",
        "api_url": urls["telegram"],
        "chats": [],
        "packed_threads": "dm",
        "paid_broadcast": case.paid,
    }
    slack = {
        "enabled": case.platform == "slack",
        "mode": "http",
        "api_url": urls["slack"],
        "channels": [channel_id(n) for n in range(case.channels)],
    }
    return Settings(
        bot={"content_dir": ROOT / "content", "data_path": tmp / "briefing.json"},
        console={"enabled": False}, telegram=telegram, slack=slack,
    )  # fmt: skip


async def _subscribe(app: Bot, readers: int, server: PostgresServer | None, db: str) -> None:
    """Reader n (chat 10,000,000 + n) subscribed n minutes after the first."""
    first = datetime(2024, 1, 1, tzinfo=UTC)
    if server is not None:
        server.sql(
            "INSERT INTO subscriptions (platform, user_id, chat, since) SELECT 'telegram',"
            f" (i + {FIRST_SUBSCRIBER})::text, (i + {FIRST_SUBSCRIBER})::text,"
            f" '{first.isoformat()}'::timestamptz + i * interval '1 minute'"
            f" FROM generate_series(0, {readers - 1}) AS i",
            db,
        )
        return
    from bot.store.backend import TinyBackend

    assert isinstance(app.store, TinyBackend)
    store = app.store.store
    table = store.table("subscriptions")
    for n in range(readers):
        user, since = str(FIRST_SUBSCRIBER + n), (first + timedelta(minutes=n)).isoformat()
        table.put(f"telegram:{user}", {"platform": "telegram", "user": user, "chat": user,
                                       "since": since})  # fmt: skip
    await store.commit()


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def _platform(app: Bot, case: Case) -> Any:
    if case.platform == "telegram":
        from bot.adapters.telegram.platform import build_telegram
        from bot.adapters.telegram.settings import TelegramSecrets

        platform = await build_telegram(app.settings.telegram, TelegramSecrets(), app.service)
        await platform.start(receive=False)
    else:
        from bot.adapters.slack.platform import build_slack
        from bot.adapters.slack.settings import SlackSecrets

        platform = await build_slack(
            app.settings.slack, SlackSecrets(), app.service, host="127.0.0.1", port=0
        )
    app.platforms.add(platform)
    return platform


async def deliver(case: Case, server: PostgresServer | None = None) -> Result:
    """Issue 1 to `case`'s destinations through the whole stack, `build` as `run` does it."""
    from bot.app import PACE_SCALE_ENV, build

    args = [str(case.scale), str(case.scale), str(case.readers), str(case.channels)]
    async with fake_process("bench.fake_servers", *args, ready_within=120) as (urls, proc):
        with tempfile.TemporaryDirectory() as tmp:
            env = {PACE_SCALE_ENV: str(case.scale)}
            db = f"cpu_{case.platform}_{'paid' if case.paid else 'free'}_{os.getpid()}"
            if server is not None:
                env["DATABASE_URL"] = server.create_database(db)
            with _environ(**env):
                app = build(_settings(Path(tmp), urls, case))
                await _subscribe(app, case.readers, server, db)
                await app.store.subscriptions.count()  # the pool opens before the figures
                platform = await _platform(app, case)
                cpu, started = time.process_time(), time.monotonic()
                report = await app.engine.deliver(1)
                cpu, wall = time.process_time() - cpu, time.monotonic() - started
                await platform.stop()
                await app.store.close()
        return Result(cpu, started, wall, report.failed, await ask_figures(proc))


async def sdk_alone(platform: str, messages: int, workers: int = 64) -> float:
    """CPU seconds of `messages` sends made with the SDK's client alone, to the fake (clock x100,
    so its limits stay out of the way), `workers` at once: the floor under the stack."""
    chats = min(messages, 2000)
    async with fake_process("bench.fake_servers", "100", "100", str(chats), str(chats)) as (
        urls,
        _,
    ):
        if platform == "telegram":
            bot, send = _telegram("shipped", urls["telegram"], chats)
            await bot.initialize()
        else:
            from slack_sdk.errors import SlackApiError
            from slack_sdk.web.async_client import AsyncWebClient

            client = AsyncWebClient(token="xoxb-test-token", base_url=urls["slack"])

            async def send(n: int) -> None:
                with suppress(SlackApiError):  # a 429 from the fake (x100): the call's CPU counts
                    await client.chat_postMessage(channel=channel_id(n % chats), text=TEXT)

        queue = iter(range(messages))

        async def worker() -> None:
            for n in queue:
                await send(n)

        cpu = time.process_time()
        await asyncio.gather(*(worker() for _ in range(workers)))
        cpu = time.process_time() - cpu
        if platform == "telegram":
            await bot.shutdown()
        return cpu


async def telegram_paced(transport: str, messages: int, rate: float) -> float:
    """CPU seconds of `messages` `sendMessage` calls made one at a time at `rate` a second (the
    free run's pace), with nothing else in the process: PTB as shipped (`transport="shipped"`,
    httpx and `Bot.send_message`), or PTB through the bot's own transport and call
    (`"bot"`: `AiohttpRequest`, `do_api_request`). The floor under the free run: at 30/s every
    message pays the whole request path alone, where a paid run's requests share the loop's
    wake-ups."""
    chats = 500  # each chat every 500 / rate seconds: far inside its own limit
    args = (str(FREE_SCALE), str(FREE_SCALE), str(chats), "1")
    async with fake_process("bench.fake_servers", *args) as (urls, _):
        bot, send = _telegram(transport, urls["telegram"], chats)
        await bot.initialize()
        loop = asyncio.get_running_loop()
        cpu, start = time.process_time(), loop.time()
        for n in range(messages):
            if (delay := start + n / rate - loop.time()) > 0:
                await asyncio.sleep(delay)
            await send(n)
        cpu = time.process_time() - cpu
        await bot.shutdown()
        return cpu


def _telegram(transport: str, url: str, chats: int) -> tuple[Any, Callable[[int], Awaitable[None]]]:
    """A PTB bot on the fake, and `send(n)`: `TEXT` to reader n % `chats`. As shipped
    (`"shipped"`: httpx, `Bot.send_message`), or through the bot's own transport and call
    (`"bot"`: `AiohttpRequest`, `do_api_request`). A 429 from the fake is swallowed: the call's
    CPU counts all the same."""
    from telegram import Bot
    from telegram.error import RetryAfter

    from bot.adapters.telegram.request import AiohttpRequest
    from bot.adapters.telegram.send import SEND_MESSAGE

    if transport == "shipped":
        bot = Bot("123456:TEST-TOKEN", base_url=url)
    else:
        bot = Bot("123456:TEST-TOKEN", base_url=url,
                  request=AiohttpRequest(), get_updates_request=AiohttpRequest())  # fmt: skip

    async def send(n: int) -> None:
        with suppress(RetryAfter):
            if transport == "shipped":
                await bot.send_message(FIRST_SUBSCRIBER + n % chats, TEXT, parse_mode="HTML")
            else:
                call = {"chat_id": FIRST_SUBSCRIBER + n % chats, "text": TEXT, "parse_mode": "HTML"}
                await bot.do_api_request(SEND_MESSAGE, api_kwargs=call)

    return bot, send


CASES = (
    Case("telegram free", "telegram", readers=FREE_READERS, scale=FREE_SCALE),
    Case("telegram paid", "telegram", readers=PAID_READERS, paid=True),
    Case("slack", "slack", channels=CHANNELS),
)


def _cpu_line(case: Case, backend: str, result: Result, floor: float) -> str:
    sent = max(result.sent(case.platform), 1)
    ms, base = result.cpu / sent * 1e3, floor * 1e3
    goal = GOAL[case.platform]
    return line(f"cpu {case.name} ({backend}): bot CPU per message (ms)", f"{ms:.3f}",
                f"{base:.3f} (the SDK alone)", f"{ms / base:.2f}x the SDK") + (
        f" [goal: <= {goal} ms: {'met' if ms <= goal else 'NOT met'}; {sent} sent,"
        f" {result.failed} failed]")  # fmt: skip


def _paid_lines(result: Result, readers: int) -> list[str]:
    f = result.servers
    sent, last = f["tg_sent"], f["tg_last"] - result.started
    rate = (sent - 1) / max(f["tg_last"] - f["tg_first"], 1e-9) / 1000
    done = [at - result.started for at in f["tg_done"]]
    median = percentile(done, 50)
    minimum = sent / 1000
    prefix = f"cpu telegram paid, whole stack, {readers:,} readers"
    return [
        line(f"{prefix}: achieved rate / 1000 per s", f"{rate:.3f}", "0.900 (the goal)",
             f"{rate / 0.9:.3f}"),
        line(f"{prefix}: last reader has the issue (s)", f"{last:.1f}",
             f"{minimum:.1f} ({sent} / 1000 per s)", f"{last / minimum:.3f}"),
        line(f"{prefix}: median reader has the issue (s)", f"{median:.1f}", f"{last:.1f} (the run)",
             f"{median / last:.3f}"),
        line(f"{prefix}: 429s / failed destinations", f"{f['tg_429']} / {result.failed}",
             "0 / 0", "-"),
    ]  # fmt: skip


def _free_lines(result: Result, paced: Mapping[str, float]) -> list[str]:
    f = result.servers
    rate = (f["tg_sent"] - 1) / max(f["tg_last"] - f["tg_first"], 1e-9) / FREE_SCALE / 30
    ms = result.cpu / max(result.sent("telegram"), 1) * 1e3
    shipped, floor = paced["shipped"] * 1e3, paced["bot"] * 1e3
    prefix = f"cpu telegram free (compressed x{FREE_SCALE:g})"
    return [
        line(f"{prefix}, whole stack: rate / 30 per s", f"{rate:.3f}", "0.960 (the goal)",
             f"{rate / 0.96:.3f}") + f" [429s: {f['tg_429']}]",
        line(f"{prefix}: bot CPU per message (ms) against PTB as shipped alone at that pace",
             f"{ms:.3f}", f"{shipped:.3f}", f"{ms / shipped:.2f}x"),
        line(f"{prefix}: PTB alone at that pace through the bot's transport (ms), the floor",
             f"{floor:.3f}", "1.000 (#27's goal)", f"{floor:.2f}x the goal"),
    ]  # fmt: skip


def main() -> list[str]:
    from tests.pg import PostgresServer

    lines: list[str] = []
    with bench_environment():
        floors = {p: asyncio.run(sdk_alone(p, 2000)) / 2000 for p in ("telegram", "slack")}
        pace, count = 30 * FREE_SCALE, 3 * FREE_READERS
        paced = {t: asyncio.run(telegram_paced(t, count, pace)) / count for t in ("shipped", "bot")}
        server = PostgresServer(durable=True).start()
        try:
            for case in CASES:
                for backend in ("tinydb", "postgres"):
                    result = asyncio.run(deliver(case, server if backend == "postgres" else None))
                    new = [_cpu_line(case, backend, result, floors[case.platform])]
                    if case.paid:
                        new += _paid_lines(result, case.readers)
                    elif case.platform == "telegram":
                        new += _free_lines(result, paced)
                    print("\n".join(new), file=sys.stderr, flush=True)  # as they come
                    lines += new
        finally:
            server.stop()
    return lines


def profile(which: str = "telegram free", backend: str = "tinydb") -> None:
    """One run (`python -m bench.bench_cpu profile [free|paid|slack] [postgres]`) under cProfile,
    counting CPU time; the top entries on stdout, the whole profile in /tmp."""
    import cProfile
    import pstats

    from tests.pg import PostgresServer

    case = next(c for c in CASES if c.name.endswith(which))
    server = PostgresServer(durable=True).start() if backend == "postgres" else None
    try:
        with bench_environment():
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            result = asyncio.run(deliver(case, server))
            profiler.disable()
    finally:
        if server is not None:
            server.stop()
    profiler.dump_stats(PROFILE)
    print(f"{result.sent(case.platform)} messages, {result.cpu:.2f} s CPU; profile in {PROFILE}")
    stats = pstats.Stats(str(PROFILE))
    stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    if sys.argv[1:2] == ["profile"]:
        profile(*sys.argv[2:])
    else:
        print("\n".join(main()))
