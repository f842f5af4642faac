"""What an operator sees of `briefing-bot run` replicas, as real processes on a real PostgreSQL
against the fake Telegram and Slack APIs: `/metrics` (read with prometheus-client's own parser)
counts exactly the messages each fake accepted and the 429s it answered, and says which replica
leads; `/readyz` is ready on the leader and the standby, goes unready when the database stops
and ready again when it returns; `/livez` answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.pg import PostgresServer
from tests.support.processes import CHATS, PACE_SCALE, PARTS, on_postgres
from tests.support.replicas import CHANNEL, leader_then_standby, replica
from tests.support.wait import until

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(enforce_limits=True, time_scale=PACE_SCALE) as fake:
        fake.add_channel(CHANNEL)
        yield fake


async def scrape(http: aiohttp.ClientSession, port: int) -> Samples:
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    return sum(
        value
        for (found, pairs), value in samples.items()
        if found == name and set(labels.items()) <= set(pairs)
    )


async def get_json(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url) as response:
        return response.status, await response.json()


async def test_metrics_count_what_the_fakes_accepted_and_which_replica_leads(
    telegram: FakeTelegramAPI, slack: FakeSlackAPI, tmp_path: Path, database_url: str
) -> None:
    """The leader catches up the run due now: the group, the reader and the Slack channel each
    get the thread. Two 429s from Telegram and one from Slack are waited out on the way (on a busy
    machine Slack's enforced 1/s may answer one more: the metric counts what the fake answered)."""
    env = on_postgres(database_url)
    telegram.fail_next(None, "429", count=2, retry_after=1, method="sendMessage")
    slack.fail_next(CHANNEL, "ratelimited", count=1, retry_after=1)
    leader = replica(tmp_path, "a", env, telegram, slack)
    standby = replica(tmp_path, "b", env, telegram, slack)
    try:
        await leader_then_standby(leader, standby)
        await until(lambda: telegram.stats()["sent"] == len(CHATS) * PARTS, "telegram", 30)
        await until(lambda: len(slack.messages(CHANNEL)) == PARTS, "the slack thread", 30)
        await leader.logged("delivery of issue", within=20)  # the run's report: it ended
        async with aiohttp.ClientSession() as http:

            async def counted() -> bool:  # the run's log is kept (awaited) before it is counted
                found = await scrape(http, leader.ports["slack"])
                return total(found, "briefing_delivery_runs_total", kind="scheduled") == 1

            await until(counted, "the run counted", 20)
            led = await scrape(http, leader.ports["slack"])
            stood = await scrape(http, standby.ports["slack"])
            for one in (leader, standby):
                base = f"http://127.0.0.1:{one.ports['slack']}"
                status, ready = await get_json(http, f"{base}/readyz")
                assert (status, ready["ready"], ready["not_ready"]) == (200, True, [])
                assert ready["content"]["issues"] >= 1
                assert (await get_json(http, f"{base}/livez"))[0] == 200
    finally:
        await leader.kill()
        await standby.kill()
    assert total(led, "briefing_is_leader") == 1
    assert total(stood, "briefing_is_leader") == 0
    sent = "briefing_messages_sent_total"
    assert total(led, sent, platform="telegram") == telegram.stats()["sent"] == 2 * PARTS
    assert total(led, sent, platform="slack") == len(slack.messages(CHANNEL)) == PARTS
    assert total(led, sent, platform="telegram", kind="dm") == PARTS
    assert total(stood, sent) == 0
    assert total(led, "briefing_rate_limited_total", platform="telegram") == 2
    slack_429s = slack.rate_limited
    assert slack_429s >= 1
    assert total(led, "briefing_rate_limited_total", platform="slack", limit="group") == slack_429s
    assert total(led, "briefing_messages_retried_total") == 2 + slack_429s
    assert total(led, "briefing_delivery_runs_total", kind="scheduled", outcome="ok") == 1
    assert total(led, "briefing_delivery_run_seconds_count", kind="scheduled") == 1
    assert total(led, "briefing_delivery_last_success_timestamp_seconds", kind="scheduled") > 0
    assert total(led, "briefing_delivery_backlog") == 0
    assert total(led, "briefing_subscribers", platform="telegram") == 1
    assert total(led, "briefing_destinations", platform="slack", kind="channel") == 1
    assert total(led, "briefing_content_issues") >= 1


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    server = PostgresServer(durable=True).start()
    try:
        yield server
    finally:
        server.stop()


async def test_readyz_goes_unready_while_the_database_is_down_and_ready_when_it_returns(
    telegram: FakeTelegramAPI, slack: FakeSlackAPI, tmp_path: Path, own_server: PostgresServer
) -> None:
    env = on_postgres(own_server.url())
    one = replica(tmp_path, "a", env, telegram, slack, destinations=False)
    url = f"http://127.0.0.1:{one.ports['slack']}/readyz"
    seen: list[tuple[int, Any]] = []

    def answers(http: aiohttp.ClientSession, expected: int) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            try:
                seen.append(await get_json(http, url))
            except aiohttp.ClientError:
                return False
            return seen[-1][0] == expected

        return check

    try:
        await one.start()
        await one.logged("this replica leads", within=20)
        async with aiohttp.ClientSession() as http:
            await until(answers(http, 200), "ready", 20)
            await asyncio.to_thread(own_server.halt)
            await until(answers(http, 503), "unready", 20)
            _, body = seen[-1]
            assert body["ready"] is False
            assert [p for p in body["not_ready"] if p.startswith("store: ")], body
            await asyncio.to_thread(own_server.resume)
            await until(answers(http, 200), "ready again", 20)
    finally:
        await one.kill()
