"""The fake Telegram and Slack APIs of tests/fakes in a process of their own, for benchmarks
(so the servers' work does not share a CPU with the bot's).

    python -m bench.fake_servers TG_SCALE SLACK_SCALE SUBSCRIBERS CHANNELS

Prints one JSON line `{"telegram": base_url, "slack": base_url}`, then answers every line on
stdin with a JSON line of figures (monotonic times are comparable across processes on Linux);
end of input stops it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from typing import Any

from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI

FIRST_SUBSCRIBER = 10_000_000


def channel_id(n: int) -> str:
    return f"C{n:04d}"


def figures(telegram: FakeTelegramAPI, slack: FakeSlackAPI, subscribers: int, channels: int) -> Any:
    chats = [[m.at for m in telegram.messages(FIRST_SUBSCRIBER + n)] for n in range(subscribers)]
    tg_times = [at for times in chats for at in times]
    calls = slack.calls_to("chat.postMessage")
    posted = sum(len(slack.messages(channel_id(n))) for n in range(channels))
    return {
        "fake_cpu": time.process_time(),  # the fakes' own CPU seconds since they started
        "tg_sent": len(tg_times),
        "tg_first": min(tg_times, default=0.0),
        "tg_last": max(tg_times, default=0.0),
        "tg_429": telegram.stats()["rate_limited"],
        "tg_429_by": telegram.stats()["flood"],  # "overall" or "chat": which limit
        "tg_done": [max(times, default=0.0) for times in chats],  # per subscriber: its last
        "slack_sent": posted,
        "slack_last": max((c.at for c in calls), default=0.0),
        "slack_429": slack.rate_limited,
    }


async def serve(tg_scale: float, slack_scale: float, subscribers: int, channels: int) -> None:
    telegram = FakeTelegramAPI(enforce_limits=True, time_scale=tg_scale)
    slack = FakeSlackAPI(enforce_limits=True, time_scale=slack_scale)
    async with telegram, slack:
        for n in range(subscribers):
            telegram.add_chat(FIRST_SUBSCRIBER + n, "private")
        for n in range(channels):
            slack.add_channel(channel_id(n))
        print(json.dumps({"telegram": telegram.base_url, "slack": slack.base_url}), flush=True)
        while await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(figures(telegram, slack, subscribers, channels)), flush=True)


if __name__ == "__main__":
    # The fakes keep every message they accepted (30,000 in a paid run, each with its entities):
    # a collection of that heap held the servers for tens of milliseconds, and the requests it
    # held then arrived as one burst in the fake's own clock (a 429 the bot did not cause).
    gc.disable()
    tg, sl, subs, chans = sys.argv[1:5]
    asyncio.run(serve(float(tg), float(sl), int(subs), int(chans)))
