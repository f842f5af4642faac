"""`briefing-bot post` as real subprocesses against the fake Telegram Bot API: killed with
SIGKILL anywhere in a thread it resumes to exactly one complete thread per destination, and
two started at once deliver once."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.processes import (
    CHATS,
    ENV,
    GROUP,
    PACKED,
    PARTS,
    READER,
    Post,
    assert_one_complete_thread_each,
    delivered,
    every_minute,
    hold_rounds,
    kill_mid_thread,
    on_postgres,
    sends,
    telegram_config,
)
from tests.support.wait import until


@pytest.fixture
async def config(tmp_path: Path, telegram: FakeTelegramAPI) -> Path:
    return await telegram_config(tmp_path, telegram, "none")


@pytest.mark.parametrize(
    ("rounds", "backend"),
    [(0, "tinydb"), (1, "tinydb"), (6, "tinydb"), (PARTS - 1, "tinydb"),
     (1, "postgres"), (6, "postgres")],
)  # fmt: skip
async def test_sigkill_anywhere_in_a_thread_then_a_restart_leaves_one_thread_each(
    telegram: FakeTelegramAPI,
    config: Path,
    rounds: int,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    """Every send is held; `rounds` times both destinations' sends are let through, then the
    process is killed while the next send of each is in flight (so every earlier part has
    been recorded, and the one in flight never reached the chat)."""
    db = on_postgres(request.getfixturevalue("database_url")) if backend == "postgres" else {}
    env = {**ENV, **db}
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1))
    post = await Post(config, env=env).start()
    try:
        await kill_mid_thread(
            post, rounds, lambda: sends(telegram), telegram.release_hung, width=len(CHATS)
        )
        telegram.release_hung(process=False)  # the sends in flight die with the process
        assert delivered(telegram) == 2 * rounds
        code, out, err = await (await Post(config, env=env).start()).finish()
        assert code == 0, err
        assert f"sent {2 * (PARTS - rounds)}, retried 0, skipped 0, failed 0" in out
        assert ("left pending by an interrupted run" in err) == (rounds < PARTS)
    finally:
        await post.kill()
    assert_one_complete_thread_each(telegram)
    if db:
        with psycopg.connect(db["DATABASE_URL"]) as conn:
            done = conn.execute("SELECT destination, parts FROM deliveries_done").fetchall()
            left = conn.execute("SELECT count(*) FROM delivery_parts").fetchall()
        assert sorted(done) == [(f"telegram:{GROUP}", PARTS), (f"telegram:dm:{READER}", PARTS)]
        assert left == [(0,)]


@pytest.mark.parametrize("rounds", [0, 1, PACKED - 1])
async def test_sigkill_between_packed_parts_then_a_restart_sends_no_part_twice(
    telegram: FakeTelegramAPI, tmp_path: Path, rounds: int
) -> None:
    """As above with every thread packed: the ledger's parts are the packed replies, so the
    restart sends exactly the packed parts that never reached the chat."""
    config = await telegram_config(tmp_path, telegram, "all")
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1))
    post = await Post(config, env=ENV).start()
    try:
        await kill_mid_thread(
            post, rounds, lambda: sends(telegram), telegram.release_hung, width=len(CHATS)
        )
        telegram.release_hung(process=False)
        assert delivered(telegram) == 2 * rounds
        code, out, err = await (await Post(config, env=ENV).start()).finish()
        assert code == 0, err
        assert f"sent {2 * (PACKED - rounds)}, retried 0, skipped 0, failed 0" in out
    finally:
        await post.kill()
    assert_one_complete_thread_each(telegram, PACKED)


async def test_two_posts_started_at_once_deliver_once(
    telegram: FakeTelegramAPI, config: Path
) -> None:
    telegram.fail_next(GROUP, "timeout")  # whoever wins holds the lock until we let it go
    first, second = Post(config, env=ENV), Post(config, env=ENV)
    try:
        await asyncio.gather(first.start(), second.start())
        assert first.proc is not None and second.proc is not None
        procs = {asyncio.create_task(p.finish()): p for p in (first, second)}
        done, pending = await asyncio.wait(procs, return_when=asyncio.FIRST_COMPLETED, timeout=8)
        if not done:
            pytest.fail("neither post exited within 8 s: the loser should exit 75 at once")
        code, out, err = done.pop().result()
        assert code == 75 and "is delivering with this data file" in err and out == ""
        await until(
            lambda: any(c.params["chat_id"] == GROUP for c in telegram.calls_to("sendMessage")),
            "the winner's send to the group arrived",
        )
        telegram.release_hung()
        code, out, err = await next(iter(pending))
        assert code == 0 and f"sent {2 * PARTS}" in out, err
    finally:
        await first.kill()
        await second.kill()
    assert_one_complete_thread_each(telegram)
    assert "nothing new 2" in (await (await Post(config, env=ENV).start()).finish())[1]


@pytest.mark.parametrize("command", ["post", "run"])
async def test_sigterm_finishes_and_records_the_sends_in_flight(
    telegram: FakeTelegramAPI, config: Path, command: str
) -> None:
    """`run` catches up the run due this minute at start-up (cron every minute), `post`
    delivers at once; SIGTERM arrives while both parents are in flight."""
    every_minute(config)
    telegram.fail_next(None, "timeout", count=2)
    process = await Post(config, command, env=ENV).start()
    try:
        await until(lambda: sends(telegram) == 2, "both parents are in flight")
        assert process.proc is not None
        process.proc.send_signal(signal.SIGTERM)
        await process.logged("SIGTERM received")
        telegram.release_hung()
        code, out, err = await process.finish()
        assert code == (143 if command == "post" else 0), err
        assert "sent 2, retried 0, skipped 2, failed 0" in err
        assert delivered(telegram) == 2
        code, out, err = await (await Post(config, env=ENV).start()).finish()
        assert code == 0 and f"sent {2 * (PARTS - 1)}" in out, err
        assert "left pending" not in err  # the parents were recorded before the exit
    finally:
        await process.kill()
    assert_one_complete_thread_each(telegram)


def due_minutes_ago(config: Path, minutes: int) -> datetime:
    """A daily cron (in UTC) whose last due time is `minutes` ago: `run` catches it up at
    start, and the next due time is a day away."""
    due = (datetime.now(UTC) - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    text = config.read_text(encoding="utf-8").replace("[bot]\n", '[bot]\ntimezone = "UTC"\n')
    config.write_text(
        text + f'[schedule]\ncron = "{due.minute} {due.hour} * * *"\n', encoding="utf-8"
    )
    return due


async def test_a_scheduled_run_stopped_midway_is_finished_by_the_next_start(
    telegram: FakeTelegramAPI, config: Path
) -> None:
    """`run` catches up a run due 3 minutes ago; SIGTERM arrives while part `rounds + 1` of
    both threads is in flight, so the run is stopped, not done: the next `run` catches the
    same due time up again and sends only the parts not sent yet."""
    due_minutes_ago(config, 3)
    rounds, left = 3, PARTS - 4
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1))
    first, second = Post(config, "run", env=ENV), Post(config, "run", env=ENV)
    try:
        await first.start()
        await hold_rounds(rounds, lambda: sends(telegram), telegram.release_hung, len(CHATS))
        assert first.proc is not None
        first.proc.send_signal(signal.SIGTERM)
        await first.logged("SIGTERM received")
        telegram.release_hung()  # the parts in flight go out and are recorded
        code, _, err = await first.finish()
        assert code == 0, err
        assert "catching up the run due at" in err, err
        assert f"sent {2 * (rounds + 1)}, retried 0, skipped 2, failed 0" in err, err
        assert delivered(telegram) == 2 * (rounds + 1)

        await second.start()
        await second.logged("next delivery run at")  # logged once the catch-up has returned
        assert "catching up the run due at" in second.err, second.err
        assert f"sent {2 * left}, retried 0, skipped 0, failed 0" in second.err, second.err
        assert second.proc is not None
        second.proc.send_signal(signal.SIGTERM)
        code, _, err = await second.finish()
        assert code == 0, err
    finally:
        await first.kill()
        await second.kill()
    assert_one_complete_thread_each(telegram)  # every part once, in order, in one thread


async def test_a_post_from_the_command_line_is_in_the_audit_log(
    telegram: FakeTelegramAPI, config: Path
) -> None:
    code, _, err = await (await Post(config, env=ENV).start()).finish(within=30)
    assert code == 0, err
    logged = await (await Post(config, "audit").start()).finish()
    assert logged[0] == 0, logged[2]
    [line] = logged[1].splitlines()
    assert line[17:].startswith("operator post in cli: the newest issue: destinations 2")
