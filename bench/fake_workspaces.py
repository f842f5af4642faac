"""The fake Slack API with N installed workspaces (one channel each, `C0000`…), enforcing
Slack's per-channel limit, in a process of its own (so its work does not share a CPU with the
bot's).

    python -m bench.fake_workspaces N

Prints one JSON line `{"slack": base_url}`, then answers every line on stdin with a JSON line
of figures; end of input stops it. Workspace n is `T0000`… with bot token `xoxb-T0000-bench`.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from typing import Any

from tests.fakes.slack_api import FakeSlackAPI


def team(n: int) -> str:
    return f"T{n:04d}"


def channel(n: int) -> str:
    return f"C{n:04d}"


def token(n: int) -> str:
    return f"xoxb-{team(n)}-bench"


def figures(slack: FakeSlackAPI, workspaces: int) -> Any:
    calls = slack.calls_to("chat.postMessage")
    posted = [slack.messages(channel(n)) for n in range(workspaces)]
    starts: dict[str, float] = {}  # each channel's first call
    for call in calls:
        starts.setdefault(str(call.params.get("channel")), call.at)
    return {
        "sent": sum(len(p) for p in posted),
        "first": min((c.at for c in calls), default=0.0),
        "last_start": max(starts.values(), default=0.0),  # the channel that started last
        "last": max((c.at for c in calls), default=0.0),
        "rate_limited": slack.rate_limited,
        "own_token": all(set(slack.posted_by(channel(n))) <= {team(n)} for n in range(workspaces)),
    }


async def serve(workspaces: int) -> None:
    slack = FakeSlackAPI(enforce_limits=True)
    async with slack:
        for n in range(workspaces):
            slack.installed(team(n), token(n))
            slack.add_channel(channel(n), team=team(n))
        print(json.dumps({"slack": slack.base_url}), flush=True)
        while await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(figures(slack, workspaces)), flush=True)


if __name__ == "__main__":
    gc.disable()  # as in fake_servers.py: a collection's pause bunches requests into 429s
    asyncio.run(serve(int(sys.argv[1])))
