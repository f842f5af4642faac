"""Several `briefing-bot run` replicas on one PostgreSQL database, as real processes against
the fake Telegram Bot API and the fake Slack Web API: the leader is SIGKILLed in the middle of a
delivery and the standby takes over, finishing every thread once; only the leader polls
getUpdates; a `/post` on the standby is delivered by the leader; one Telegram update or Slack
event given to both replicas is answered once."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.core.i18n import t
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.pg import PostgresServer
from tests.support.processes import (
    CHATS,
    PACE_SCALE,
    PARTS,
    READER,
    assert_one_complete_thread_each,
    delivered,
    hold_rounds,
    kill_mid_thread,
    on_postgres,
    sends,
)
from tests.support.replicas import (
    CHANNEL,
    NEVER_DUE,
    SIGNING,
    Replica,
    leader_then_standby,
    replica,
    to_webhook,
)
from tests.support.telegram import command, private
from tests.support.wait import until

ASKER = 5550009  # a reader who talks to the bot while the replicas run


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(enforce_limits=True, time_scale=PACE_SCALE) as fake:
        fake.add_channel(CHANNEL)
        yield fake


def webhook_pair(
    tmp_path: Path, env: dict[str, str], telegram: FakeTelegramAPI, slack: FakeSlackAPI
) -> tuple[Replica, Replica]:
    """Two replicas in webhook mode, no channels, no scheduled run (only /post delivers)."""
    one, two = (
        replica(tmp_path, name, env, telegram, slack, webhook=True, destinations=False,
                cron=NEVER_DUE)
        for name in "ab"
    )  # fmt: skip
    return one, two


def assert_one_complete_slack_thread(slack: FakeSlackAPI) -> None:
    sent = slack.messages(CHANNEL)
    assert len(sent) == PARTS, f"{CHANNEL}: {len(sent)} messages"
    assert sent[0].thread_ts is None and {m.thread_ts for m in sent[1:]} == {sent[0].ts}
    assert len({json.dumps(m.blocks) for m in sent}) == PARTS


async def test_the_standby_takes_over_from_a_killed_leader_and_finishes_every_thread_once(
    telegram: FakeTelegramAPI, slack: FakeSlackAPI, tmp_path: Path, database_url: str
) -> None:
    env = on_postgres(database_url)
    rounds = 3
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1))  # Telegram sends held
    leader = replica(tmp_path, "a", env, telegram, slack)
    standby = replica(tmp_path, "b", env, telegram, slack)
    try:
        await leader_then_standby(leader, standby)
        await kill_mid_thread(
            leader, rounds, lambda: sends(telegram), telegram.release_hung, width=len(CHATS)
        )
        telegram.release_hung(process=False)  # the sends in flight die with the leader
        assert delivered(telegram) == 2 * rounds
        await standby.logged("this replica leads", within=20)
        await standby.logged("resuming", within=20)  # at once, not at the next /post
        await until(lambda: delivered(telegram) == len(CHATS) * PARTS, "resumed", within=30)
        await until(lambda: len(slack.messages(CHANNEL)) == PARTS, "slack thread", within=30)
        telegram.add_chat(ASKER, "private")  # the new leader polls: a command is answered
        telegram.push_update(command(private(ASKER), 1, "/help", user=ASKER))
        # the asker is an admin: the resumed run's report may reach them too, before or after
        await until(
            lambda: any("/term" in m.plain_text for m in telegram.messages(ASKER)),
            "/help answered",
            within=15,
        )
    finally:
        await leader.kill()
        await standby.kill()
    assert_one_complete_thread_each(telegram)
    assert_one_complete_slack_thread(slack)
    assert telegram.conflicts == 0  # never two pollers at once


async def test_post_on_the_standby_is_queued_and_delivered_by_the_leader(
    telegram: FakeTelegramAPI, slack: FakeSlackAPI, tmp_path: Path, database_url: str
) -> None:
    """Both replicas in webhook mode (every replica serves it): `/post 1` sent to the standby's
    webhook is answered as queued; the leader delivers it and tells the admin how it went."""
    env = on_postgres(database_url)
    one, two = webhook_pair(tmp_path, env, telegram, slack)
    telegram.add_chat(ASKER, "private")
    try:
        await leader_then_standby(one, two)
        update = {"update_id": 900, **command(private(ASKER), 2, "/post 1", user=ASKER)}
        async with aiohttp.ClientSession() as http:
            assert await to_webhook(http, two, update) == 200
        await until(lambda: len(telegram.messages(ASKER)) == 1, "the answer", 20)
        await one.logged("delivering a /post taken on another replica", within=20)
        await until(lambda: len(telegram.messages(READER)) == PARTS, "the thread", 20)
        await until(lambda: len(telegram.messages(ASKER)) == 3, "the reports to the admin", 20)
    finally:
        await one.kill()
        await two.kill()
    answer, run, report = telegram.messages(ASKER)
    assert answer.text == t("ko", "post_queued")
    assert run.text is not None and "발송 보고 · 제 1호" in run.text  # the run's, to every admin
    assert report.text is not None and report.text.startswith("발송 완료: 대상 ")
    assert f"메시지 {PARTS}개, 실패 0곳" in report.text
    thread = telegram.messages(READER)
    assert thread[0].reply_to is None and len({m.text for m in thread}) == PARTS


async def to_slack(
    http: aiohttp.ClientSession, to: Replica, body: dict[str, Any], **headers: str
) -> int:
    raw = json.dumps(body)
    stamp = str(int(time.time()))
    signed = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SIGNING).generate_signature(
            timestamp=stamp, body=raw
        ),
        **headers,
    }
    url = f"http://127.0.0.1:{to.ports['slack']}/slack/events"
    async with http.post(url, data=raw.encode(), headers=signed) as response:
        return response.status


async def test_one_update_or_event_given_to_both_replicas_is_answered_once(
    telegram: FakeTelegramAPI, slack: FakeSlackAPI, tmp_path: Path, database_url: str
) -> None:
    env = on_postgres(database_url)
    one, two = webhook_pair(tmp_path, env, telegram, slack)
    telegram.add_chat(ASKER, "private")
    slack.add_user("U1")
    slack.add_channel("DU1")  # the user's DM with the app
    dm = {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1",
          "text": "help", "ts": "1700000100.000100"}  # fmt: skip
    event = {"token": "t", "team_id": slack.team_id, "api_app_id": "A0001",
             "type": "event_callback", "event_id": "Ev0REPLICA", "event_time": 1, "event": dm}  # fmt: skip
    update = {"update_id": 901, **command(private(ASKER), 3, "/help", user=ASKER)}
    try:
        await asyncio.gather(one.start(), two.start())
        await asyncio.gather(*(r.logged("slack platform started", within=20) for r in (one, two)))
        async with aiohttp.ClientSession() as http:
            statuses = await asyncio.gather(
                to_webhook(http, one, update), to_webhook(http, two, update),
                to_slack(http, one, event), to_slack(http, two, event),
                to_slack(http, two, event, **{"X-Slack-Retry-Num": "1"}),
            )  # fmt: skip
        assert statuses == [200] * 5
        skipped = await first_of(
            [one, two], "was answered already", "ignoring a redelivered event", count=2
        )
        await until(lambda: telegram.messages(ASKER) and slack.messages("DU1"), "answers", 15)
    finally:
        await one.kill()
        await two.kill()
    assert len(skipped) == 2
    assert len(telegram.messages(ASKER)) == 1 and len(slack.messages("DU1")) == 1


async def first_of(replicas: list[Replica], *texts: str, count: int) -> list[str]:
    """Read every replica's log until `count` lines containing one of `texts` were seen."""
    found: list[str] = []

    async def read(process: Replica) -> None:
        assert process.proc is not None and process.proc.stderr is not None
        while len(found) < count and (line := (await process.proc.stderr.readline()).decode()):
            process.err += line
            if any(text in line for text in texts) and len(found) < count:
                found.append(line)  # the other reader may be mid-line when `count` is reached

    async with asyncio.timeout(20):
        tasks = [asyncio.create_task(read(r)) for r in replicas]
        while len(found) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        for task in tasks:
            task.cancel()
    return found


async def test_a_database_outage_pauses_the_delivery_and_it_resumes_once_back(
    telegram: FakeTelegramAPI, slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """The server goes down while both threads' fourth parts are in flight: they are sent, but
    their records cannot be written; the replica stops leading, and once the server is back it
    leads again, writes those records first and sends only the rest."""
    server = PostgresServer(durable=True).start()  # its own: this test shuts it down
    rounds = 3
    try:
        env = on_postgres(server.url())
        telegram.fail_next(None, "timeout", count=2 * (rounds + 1))
        bot = replica(tmp_path, "a", env, telegram, slack)
        try:
            await bot.start()
            await bot.logged("this replica leads", within=20)
            await hold_rounds(rounds, lambda: sends(telegram), telegram.release_hung, len(CHATS))
            await asyncio.to_thread(server.halt)
            telegram.release_hung()  # the parts in flight reach the chats
            await bot.logged("standing by", within=30)
            assert delivered(telegram) == 2 * (rounds + 1)
            await asyncio.to_thread(server.resume)
            await bot.logged("this replica leads", within=30)
            await until(lambda: delivered(telegram) == len(CHATS) * PARTS, "resumed", within=30)
            # Slack's thread goes at its channel's 1/s: wait for it too before the kill
            await until(lambda: len(slack.messages(CHANNEL)) >= PARTS, "Slack resumed", within=30)
            await bot.kill()
            _, _, err = await bot.finish()  # the whole log
        finally:
            await bot.kill()
    finally:
        server.stop()
    assert "half-sent thread(s) left by an interrupted run" in err
    pending = [line for line in err.splitlines() if "left pending" in line]
    assert not [line for line in pending if "telegram:" in line]  # sent in the outage: recorded
    assert_one_complete_slack_thread(slack)  # a Slack part may have been pending, never sent
    assert_one_complete_thread_each(telegram)
