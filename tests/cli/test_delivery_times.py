"""A delivery time set a few minutes ahead is delivered that day, at that minute, once: real
`briefing-bot run` processes against the fake Telegram Bot API, on the tinydb file and on
PostgreSQL (there the standby answers the `/subscribe` and the leader delivers).

Delivery times are whole minutes, so each test waits for the wall clock: the time set is the
first minute boundary at least `LEAD` seconds ahead (the scheduler of the code before this
change re-read its times every 5 minutes, so it learnt of such a time only after it had passed;
these tests fail on it within `LEAD` seconds). Each costs `LEAD` to `LEAD` + 60 s (45 s on
average) plus the start of the processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from tests.content.issue_files import content_copy, second_issue
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.ports import free_port
from tests.support.processes import ENV, PACKED, READER, Post
from tests.support.replicas import NEVER_DUE, WEBHOOK_SECRET, Replica, to_webhook
from tests.support.telegram import command, private
from tests.support.wait import until

SEOUL = ZoneInfo("Asia/Seoul")
LEAD = 15  # seconds: the time is set at least this long before it comes


def config(tmp_path: Path, name: str, telegram: FakeTelegramAPI, webhook_port: int = 0) -> Path:
    """Telegram only, no channel, no edition run (`NEVER_DUE`): only the reader's own time
    delivers. Polling, or a webhook on a port of its own (every replica serves it)."""
    mode = (
        f'mode = "webhook"\nwebhook_url = "https://bot.example.com/telegram"\n'
        f"webhook_port = {webhook_port}\n"
        if webhook_port
        else 'mode = "polling"\n'
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[bot]\ncontent_dir = "{tmp_path / "content"}"\n'
        f'data_path = "{tmp_path / name / "briefing.json"}"\ntimezone = "UTC"\n'
        f'[console]\nenabled = false\n[schedule]\ncron = "{NEVER_DUE}"\n'
        f'[telegram]\nenabled = true\napi_url = "{telegram.base_url}"\nchats = []\n{mode}',
        encoding="utf-8",
    )
    return path


def time_ahead() -> datetime:
    """The first whole minute at least `LEAD` seconds from now, in Seoul."""
    soon = datetime.now(SEOUL) + timedelta(seconds=LEAD)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def release_before(tmp_path: Path, due: datetime) -> None:
    """Issue 2, released 5 s before `due` (after the reader subscribed): the content watcher
    reads it while the bot runs."""
    front = f"publish_at = {(due - timedelta(seconds=5)).isoformat()}\n"
    text = second_issue(front).replace("date = 2019-05-30", "date = 2019-05-31")
    (tmp_path / "content" / "issues" / "0002.md").write_text(text, encoding="utf-8")


def subscribe_at(due: datetime) -> dict[str, object]:
    return command(private(READER), 1, f"/subscribe {due:%H:%M} Asia/Seoul", user=READER)


async def delivered_at_its_minute(leader: Post, telegram: FakeTelegramAPI, due: datetime) -> None:
    """The reader's answer came; the leader's scheduler knew the time before it came, sent
    issue 2's thread at that minute, and went on to the next time with nothing sent twice."""
    await until(lambda: len(telegram.messages(READER)) == 1, "the answer to /subscribe")
    assert f"{due:%H:%M} (Asia/Seoul)" in (telegram.messages(READER)[0].text or "")
    await leader.logged(f"next delivery run at {due.isoformat(timespec='minutes')}", within=LEAD)
    left = (due - datetime.now(SEOUL)).total_seconds()
    await until(lambda: len(telegram.messages(READER)) > 1, "the thread's parent", left + 30)
    arrived = datetime.now(SEOUL)
    assert due <= arrived < due + timedelta(minutes=1)  # at that minute, not a day (or 5 min) late
    await leader.logged("delivery of issue 2 done: ", within=30)
    assert f"sent {PACKED}, retried 0, skipped 0, failed 0" in leader.err.splitlines()[-1]
    await leader.logged("next delivery run at", within=10)  # past the due time: nothing more
    thread = telegram.messages(READER)[1:]
    assert len(thread) == PACKED and "제2호 첫 기사" in (thread[0].text or "") + (
        thread[1].text or ""
    )


@pytest.mark.timeout(180)
async def test_a_time_set_minutes_ahead_is_delivered_at_that_minute_on_tinydb(
    telegram: FakeTelegramAPI, tmp_path: Path
) -> None:
    content_copy(tmp_path)
    bot = Post(config(tmp_path, "a", telegram), "run", env=ENV)
    try:
        await bot.start()
        await bot.logged("next delivery run at", within=20)  # the scheduler is running
        due = time_ahead()
        telegram.push_update(subscribe_at(due))
        release_before(tmp_path, due)
        await delivered_at_its_minute(bot, telegram, due)
    finally:
        await bot.kill()
    assert len(telegram.messages(READER)) == 1 + PACKED


@pytest.mark.timeout(180)
async def test_a_time_set_on_the_standby_is_delivered_by_the_leader_at_that_minute(
    telegram: FakeTelegramAPI, tmp_path: Path, database_url: str
) -> None:
    content_copy(tmp_path)
    env = {**ENV, "DATABASE_URL": database_url, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET}
    ports = {name: {"telegram": free_port()} for name in "ab"}
    leader, standby = (
        Replica(config(tmp_path, name, telegram, ports[name]["telegram"]), env, ports[name])
        for name in "ab"
    )
    try:
        await leader.start()
        await leader.logged("next delivery run at", within=20)  # it leads, its scheduler runs
        await standby.start()
        await standby.logged("standing by", within=20)
        due = time_ahead()
        async with aiohttp.ClientSession() as http:
            assert await to_webhook(http, standby, {"update_id": 1, **subscribe_at(due)}) == 200
        release_before(tmp_path, due)
        await delivered_at_its_minute(leader, telegram, due)
        await standby.kill()
        _, _, err = await standby.finish()
    finally:
        await leader.kill()
        await standby.kill()
    assert "delivery of issue" not in err  # the standby answered and never delivered
    assert len(telegram.messages(READER)) == 1 + PACKED
