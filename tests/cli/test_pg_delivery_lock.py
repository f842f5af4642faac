"""One process delivers per PostgreSQL database (the advisory lock, bot/store/postgres/lock.py), with
real `briefing-bot` processes against the fake Telegram Bot API: a second `post` is refused, a
waiting `run` takes over from a killed `post` and finishes its threads, and a process whose
lock session is lost stops sending at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.processes import (
    CHATS,
    PARTS,
    Post,
    assert_one_complete_thread_each,
    delivered,
    every_minute,
    on_postgres,
    telegram_config,
)
from tests.support.wait import until

LOCK_SESSION = "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'briefing-bot %'"


@pytest.fixture
async def config(tmp_path: Path, telegram: FakeTelegramAPI) -> Path:
    return await telegram_config(tmp_path, telegram, "none")


def lock_sessions(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return [pid for (pid,) in conn.execute(LOCK_SESSION).fetchall()]


async def line_of(process: Post, text: str) -> str:
    """The first stderr line of `process` that contains `text`."""
    assert process.proc is not None and process.proc.stderr is not None
    async with asyncio.timeout(20):
        while line := (await process.proc.stderr.readline()).decode():
            if text in line:
                return line
    raise AssertionError(f"{text!r} never appeared")


async def test_a_second_post_on_the_database_is_refused(
    telegram: FakeTelegramAPI, config: Path, database_url: str
) -> None:
    env = on_postgres(database_url)
    telegram.fail_next(None, "timeout")  # the first holds the lock until we let it go
    first = await Post(config, env=env).start()
    try:
        await until(
            lambda: len(telegram.calls_to("sendMessage")) >= 1
        )  # the other chat is not held: it may be further on
        code, out, err = await (await Post(config, env=env).start()).finish()
        assert code == 75 and "is delivering with this database" in err and out == ""
        assert "nothing sent" in err and len(lock_sessions(database_url)) == 1
        telegram.release_hung()
        code, out, err = await first.finish()
        assert code == 0 and f"sent {2 * PARTS}" in out, err
    finally:
        await first.kill()
    assert_one_complete_thread_each(telegram)
    assert lock_sessions(database_url) == []  # released with the process


async def test_a_waiting_run_takes_over_from_a_killed_post_and_finishes_its_threads(
    telegram: FakeTelegramAPI, config: Path, database_url: str
) -> None:
    env = on_postgres(database_url)
    every_minute(config)  # the run catches up the delivery due this minute when it starts
    telegram.fail_next(None, "timeout", count=4)  # hold the second parts (after two sent)
    post, run = Post(config, env=env), Post(config, "run", env=env)
    try:
        await post.start()
        await until(lambda: len(telegram.calls_to("sendMessage")) == 2)
        telegram.release_hung()
        await until(lambda: len(telegram.calls_to("sendMessage")) == 4)
        await run.start()
        await line_of(run, "standing by")
        await post.kill()
        telegram.release_hung(process=False)
        assert delivered(telegram) == 2
        await until(lambda: delivered(telegram) == len(CHATS) * PARTS, within=30)
    finally:
        await post.kill()
        await run.kill()
    assert_one_complete_thread_each(telegram)


async def test_a_lost_lock_session_stops_sending_at_once(
    telegram: FakeTelegramAPI, config: Path, database_url: str
) -> None:
    env = on_postgres(database_url)
    telegram.fail_next(None, "timeout", count=2)  # both parents in flight
    post = await Post(config, env=env).start()
    try:
        await until(lambda: len(telegram.calls_to("sendMessage")) == 2)
        [pid] = lock_sessions(database_url)
        with psycopg.connect(database_url) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        telegram.release_hung()
        code, out, err = await post.finish()
        assert "the delivery lock is lost" in err
        assert delivered(telegram) == 2 and len(telegram.calls_to("sendMessage")) == 2
        assert "skipped 2" in out + err
    finally:
        await post.kill()
    with psycopg.connect(database_url) as conn:
        sent = conn.execute("SELECT count(*) FROM delivery_parts WHERE state = 'sent'").fetchall()
    assert sent == [(2,)]  # what was sent is recorded; the rerun goes on from there
    code, out, err = await (await Post(config, env=env).start()).finish()
    assert code == 0 and f"sent {2 * (PARTS - 1)}" in out, err
    assert_one_complete_thread_each(telegram)


@pytest.fixture(autouse=True)
def _no_lock_left(database_url: str) -> Iterator[None]:
    yield
    assert lock_sessions(database_url) == []
