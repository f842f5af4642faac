"""Failover: seconds from the leader's SIGKILL, in the middle of a delivery, to the next message
the new leader sends. Two `briefing-bot run` replicas on one PostgreSQL database (a temporary
server, as the tests start theirs) against the fake Telegram and Slack APIs in this process;
each trial on a fresh database. The standby tries the lock every 2 s (bot/app/replica.py), so
the figure is at most that poll plus the new leader's refresh and resume (~50 ms); here the kill
comes just after the standby's first try, so it is close to the worst case."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import report
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.pg import PostgresServer
from tests.support.processes import (
    CHATS,
    GROUP,
    PACE_SCALE,
    READER,
    TOKEN,
    hold_rounds,
    on_postgres,
    sends,
)
from tests.support.replicas import CHANNEL, leader_then_standby, replica

TRIALS = 3
ROUNDS = 3  # parts of each thread sent before the kill


async def _trial(server: PostgresServer, n: int, tmp: Path) -> float:
    url = server.create_database(f"failover{n}")
    env = on_postgres(url)
    async with (
        FakeTelegramAPI(TOKEN, enforce_limits=True, time_scale=PACE_SCALE) as telegram,
        FakeSlackAPI(enforce_limits=True, time_scale=PACE_SCALE) as slack,
    ):
        telegram.add_chat(GROUP, "supergroup")
        telegram.add_chat(READER, "private")
        slack.add_channel(CHANNEL)
        telegram.fail_next(None, "timeout", count=len(CHATS) * (ROUNDS + 1))
        folder = tmp / str(n)
        folder.mkdir()
        leader = replica(folder, "a", env, telegram, slack)
        standby = replica(folder, "b", env, telegram, slack)
        try:
            await leader_then_standby(leader, standby)
            await hold_rounds(ROUNDS, lambda: sends(telegram), telegram.release_hung, len(CHATS))
            killed = time.monotonic()
            await leader.kill()
            telegram.release_hung(process=False)
            async with asyncio.timeout(60):
                while not [c for c in telegram.calls_to("sendMessage") if c.at > killed]:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
            first = min(c.at for c in telegram.calls_to("sendMessage") if c.at > killed)
            return first - killed
        finally:
            await leader.kill()
            await standby.kill()


async def _trials(server: PostgresServer) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        return [await _trial(server, n, Path(tmp)) for n in range(TRIALS)]


def main() -> list[str]:
    server = PostgresServer().start()
    try:
        seconds = asyncio.run(_trials(server))
    finally:
        server.stop()
    return [
        report(f"failover, SIGKILL to the new leader's next message (median of {TRIALS})",
               statistics.median(seconds), "s", goal="< 10 s"),
        report(f"failover, SIGKILL to the new leader's next message (worst of {TRIALS})",
               max(seconds), "s", goal="< 10 s"),
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(main()))
