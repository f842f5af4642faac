"""`briefing-bot post` as real subprocesses against the fake Telegram Bot API: killed with
SIGKILL anywhere in a thread it resumes to exactly one complete thread per destination, and
two started at once deliver once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, Subscriptions
from tests.conftest import CONTENT, ROOT
from tests.fakes.telegram_api import FakeTelegramAPI

GROUP, READER = -1001, 5550001
CHATS = (GROUP, READER)
PARTS = 11
TOKEN = "123456:TEST-TOKEN"
PACE_SCALE = 100


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    # Telegram's flood limits at the pace the subprocesses run (BRIEFING_PACE_SCALE)
    async with FakeTelegramAPI(TOKEN, enforce_limits=True, time_scale=PACE_SCALE) as fake:
        fake.add_chat(GROUP, "supergroup")
        fake.add_chat(READER, "private")
        yield fake


@pytest.fixture
async def config(tmp_path: Path, telegram: FakeTelegramAPI) -> Path:
    data = tmp_path / "data" / "briefing.json"
    early = Subscriptions(Store.open(data), clock=lambda: datetime(2024, 1, 1, tzinfo=UTC))
    await early.subscribe("telegram", str(READER), str(READER))
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\ncontent_dir = "{CONTENT}"\ndata_path = "{data}"\n'
        "[console]\nenabled = false\n"
        f'[telegram]\nenabled = true\napi_url = "{telegram.base_url}"\nchats = [{GROUP}]\n',
        encoding="utf-8",
    )
    return path


class Post:
    """One `briefing-bot post` (or `run`) subprocess; always reaped. `logged` reads its stderr
    up to a log line, so a test can wait for what the process did instead of sleeping."""

    def __init__(self, config: Path, command: str = "post") -> None:
        self.config, self.command = config, command
        self.proc: asyncio.subprocess.Process | None = None
        self.err = ""  # stderr read so far by `logged`

    async def start(self) -> Post:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
               "PTB_TIMEDELTA": "true", "BRIEFING_PACE_SCALE": str(PACE_SCALE)}  # fmt: skip
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "--config", str(self.config), self.command,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        return self

    async def logged(self, text: str, within: float = 8.0) -> None:
        """Read stderr until a line contains `text`; fail clearly if it never comes."""
        assert self.proc is not None and self.proc.stderr is not None
        try:
            async with asyncio.timeout(within):
                while True:
                    line = (await self.proc.stderr.readline()).decode()
                    self.err += line
                    if text in line:
                        return
                    if not line:
                        pytest.fail(f"{self.command} exited without logging {text!r}:\n{self.err}")
        except TimeoutError:
            pytest.fail(f"{self.command} did not log {text!r} within {within} s:\n{self.err}")

    async def finish(self, within: float = 8.0) -> tuple[int, str, str]:
        assert self.proc is not None
        try:
            out, err = await asyncio.wait_for(self.proc.communicate(), within)
        except TimeoutError:
            pytest.fail(f"{self.command} did not exit within {within} s:\n{self.err}")
        assert self.proc.returncode is not None
        self.err += err.decode()
        return self.proc.returncode, out.decode(), self.err

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()


async def until(condition: Callable[[], bool], what: str, within: float = 8.0) -> None:
    """Poll the fake's record (it is in this process) until `condition`, else fail clearly."""
    try:
        async with asyncio.timeout(within):
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(0.005)
    except TimeoutError:
        pytest.fail(f"timed out after {within} s waiting until {what}")


def sends(fake: FakeTelegramAPI, count: int) -> Callable[[], bool]:
    return lambda: len(fake.calls_to("sendMessage")) == count


def delivered(fake: FakeTelegramAPI) -> int:
    return sum(len(fake.messages(chat)) for chat in CHATS)


def assert_one_complete_thread_each(fake: FakeTelegramAPI) -> None:
    for chat in CHATS:
        sent = fake.messages(chat)
        assert len(sent) == PARTS, f"chat {chat}: {len(sent)} messages"
        assert sent[0].reply_to is None
        assert [m.reply_to for m in sent[1:]] == [sent[0].message_id] * (PARTS - 1)
        assert len({m.text for m in sent}) == PARTS


@pytest.mark.parametrize("rounds", [0, 1, 6, PARTS - 1])
async def test_sigkill_anywhere_in_a_thread_then_a_restart_leaves_one_thread_each(
    telegram: FakeTelegramAPI, config: Path, rounds: int
) -> None:
    """Every send is held; `rounds` times both destinations' sends are let through, then the
    process is killed while the next send of each is in flight (so every earlier part has
    been recorded, and the one in flight never reached the chat)."""
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1))
    post = await Post(config).start()
    try:
        for held in range(1, rounds + 2):
            await until(sends(telegram, 2 * held), f"{2 * held} sendMessage calls arrived")
            if held <= rounds:
                telegram.release_hung()
        await post.kill()
        telegram.release_hung(process=False)  # the sends in flight die with the process
        assert delivered(telegram) == 2 * rounds
        code, out, err = await (await Post(config).start()).finish()
        assert code == 0, err
        assert f"sent {2 * (PARTS - rounds)}, retried 0, skipped 0, failed 0" in out
        assert ("left pending by an interrupted run" in err) == (rounds < PARTS)
    finally:
        await post.kill()
    assert_one_complete_thread_each(telegram)


async def test_two_posts_started_at_once_deliver_once(
    telegram: FakeTelegramAPI, config: Path
) -> None:
    telegram.fail_next(GROUP, "timeout")  # whoever wins holds the lock until we let it go
    first, second = Post(config), Post(config)
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
    assert "nothing new 2" in (await (await Post(config).start()).finish())[1]


def every_minute(config: Path) -> None:
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[schedule]\ncron = "* * * * *"\n')


@pytest.mark.parametrize("command", ["post", "run"])
async def test_sigterm_finishes_and_records_the_sends_in_flight(
    telegram: FakeTelegramAPI, config: Path, command: str
) -> None:
    """`run` catches up the run due this minute at start-up (cron every minute), `post`
    delivers at once; SIGTERM arrives while both parents are in flight."""
    every_minute(config)
    telegram.fail_next(None, "timeout", count=2)
    process = await Post(config, command).start()
    try:
        await until(sends(telegram, 2), "both parents are in flight")
        assert process.proc is not None
        process.proc.send_signal(signal.SIGTERM)
        await process.logged("SIGTERM received")
        telegram.release_hung()
        code, out, err = await process.finish()
        assert code == (143 if command == "post" else 0), err
        assert "sent 2, retried 0, skipped 2, failed 0" in err
        assert delivered(telegram) == 2
        code, out, err = await (await Post(config).start()).finish()
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
    first, second = Post(config, "run"), Post(config, "run")
    try:
        await first.start()
        for held in range(1, rounds + 2):
            await until(sends(telegram, 2 * held), f"{2 * held} sendMessage calls arrived")
            if held <= rounds:
                telegram.release_hung()
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
