"""Command round trip through each real adapter against its local fake server: a Telegram
`/term` update in → `sendMessage` out (PTB polling), and a signed Slack `/term` slash command in →
the `response_url` answer out (bolt, http mode). p50/p99 of the whole trip, and the bot's own
share of it (the time inside the core's command handling)."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bench.common import report, summary
from bot.app import Bot, Settings, build
from bot.core.conversation.inbound import Reply
from bot.core.ports import Command
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI

ROOT = Path(__file__).resolve().parent.parent
TRIPS = 200
TOKEN, SECRET, USER = "123456:BENCH-TOKEN", "bench-signing-secret", 5550001


def _app(tmp: Path, **platform: Any) -> Bot:
    settings = Settings(
        # one user sends every trip: no quota, which would silence all but 20 a minute
        bot={
            "content_dir": str(ROOT / "content"),
            "data_path": str(tmp / "d.json"),
            "commands_per_minute": 0,
        },
        console={"enabled": False},
        **platform,
    )
    return build(settings)


def _timed_core(app: Bot) -> list[float]:
    """Record how long each command spends in the core (parse, handle, render to messages)."""
    spent: list[float] = []
    handle = app.service.handle

    async def timed(command: Command) -> Reply:
        start = time.perf_counter()
        try:
            return await handle(command)
        finally:
            spent.append((time.perf_counter() - start) * 1e6)

    app.service.handle = timed  # type: ignore[method-assign]
    return spent


async def _trips(one: Callable[[int], Awaitable[None]]) -> list[float]:
    samples = []
    for n in range(TRIPS + 10):
        start = time.perf_counter()
        await one(n)
        if n >= 10:  # the first trips warm the connections up
            samples.append((time.perf_counter() - start) * 1e6)
    return samples


async def telegram(tmp: Path) -> tuple[list[float], list[float]]:
    from bot.adapters.telegram.platform import build_telegram
    from bot.adapters.telegram.settings import TelegramSecrets

    async with FakeTelegramAPI(TOKEN, "newsbot") as fake:
        fake.add_chat(USER, "private")
        app = _app(tmp, telegram={"enabled": True, "api_url": fake.base_url})
        spent = _timed_core(app)
        platform = await build_telegram(app.settings.telegram, TelegramSecrets(), app.service)
        app.platforms.add(platform)
        await platform.start()
        try:

            async def one(n: int) -> None:
                text = "/term NP-hard"
                fake.push_update(
                    {
                        "message": {
                            "message_id": n + 1,
                            "date": 1700000000,
                            "text": text,
                            "from": {"id": USER, "is_bot": False, "first_name": "A"},
                            "chat": {"id": USER, "type": "private", "first_name": "A"},
                            "entities": [{"offset": 0, "length": 5, "type": "bot_command"}],
                        }
                    }
                )
                await fake.wait_for_calls("sendMessage", n + 1, within=10)

            return await _trips(one), spent
        finally:
            await platform.stop()


async def slack(tmp: Path) -> tuple[list[float], list[float]]:
    from bot.adapters.slack.platform import build_slack
    from bot.adapters.slack.settings import SlackSecrets

    async with FakeSlackAPI() as fake, aiohttp.ClientSession() as session:
        fake.add_channel("C1")
        app = _app(tmp, slack={"enabled": True, "api_url": fake.base_url, "mode": "http"})
        spent = _timed_core(app)
        platform = await build_slack(
            app.settings.slack, SlackSecrets(), app.service, host="127.0.0.1", port=0
        )
        app.platforms.add(platform)
        await platform.start()
        url = f"http://127.0.0.1:{platform.port}/slack/events"
        try:

            async def one(n: int) -> None:
                answer = fake.response_url()
                body = urlencode(
                    {
                        "command": "/term",
                        "text": "NP-hard",
                        "user_id": "U1",
                        "channel_id": "C1",
                        "team_id": fake.team_id,
                        "response_url": answer,
                        "trigger_id": "1",
                    }
                )
                stamp = str(int(time.time()))
                signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": signature,
                }
                async with session.post(url, data=body, headers=headers) as response:
                    assert response.status == 200
                async with asyncio.timeout(10):
                    while not fake.responses(answer):  # noqa: ASYNC110 - the fake has no event for it
                        await asyncio.sleep(0.0005)

            return await _trips(one), spent
        finally:
            await platform.stop()


def main() -> list[str]:
    saved = dict(os.environ)
    os.environ.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SECRET,
        PTB_TIMEDELTA="true",
    )
    logging.disable(logging.WARNING)
    lines = []
    try:
        for name, trip in (
            ("Telegram update → sendMessage", telegram),
            ("Slack slash command → response_url", slack),
        ):
            with tempfile.TemporaryDirectory() as tmp:
                total, core = asyncio.run(trip(Path(tmp)))
            p50, p99, mean = summary(total)
            core_mean = summary(core)[2]
            lines.append(report(f"round trip, {name}: p50", p50, "µs"))
            lines.append(report(f"round trip, {name}: p99", p99, "µs"))
            share = f"{core_mean / mean:.1%} ({core_mean:,.0f} of {mean:,.0f} µs mean"
            lines.append(f"round trip, {name}: the bot's core share {share}; the rest is the SDK)")
    finally:
        logging.disable(logging.NOTSET)
        os.environ.clear()
        os.environ.update(saved)
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
