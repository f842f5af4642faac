"""`briefing-bot post` as real subprocesses against the fake Telegram Bot API: killed with
SIGKILL anywhere in a thread it resumes to exactly one complete thread per destination (on the
tinydb file and on PostgreSQL), and two started at once deliver once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from bot.store import Store, Subscriptions
from bot.store.postgres import open_postgres
from tests.conftest import CONTENT, ROOT
from tests.fakes.telegram_api import FakeTelegramAPI

GROUP, READER = -1001, 5550001
CHATS = (GROUP, READER)
PARTS = 11
TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(TOKEN) as fake:
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
    """One `briefing-bot post` subprocess; always reaped."""

    def __init__(self, config: Path, command: str = "post", env: dict[str, str] | None = None):
        self.config, self.command, self.env = config, command, env or {}
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Post:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
               "PTB_TIMEDELTA": "true", "BRIEFING_PACE_SCALE": "100", **self.env}  # fmt: skip
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "--config", str(self.config), self.command,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        return self

    async def finish(self, within: float = 8.0) -> tuple[int, str, str]:
        assert self.proc is not None
        out, err = await asyncio.wait_for(self.proc.communicate(), within)
        assert self.proc.returncode is not None
        return self.proc.returncode, out.decode(), err.decode()

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()


async def until(condition: Callable[[], bool], within: float = 8.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def delivered(fake: FakeTelegramAPI) -> int:
    return sum(len(fake.messages(chat)) for chat in CHATS)


def assert_one_complete_thread_each(fake: FakeTelegramAPI) -> None:
    for chat in CHATS:
        sent = fake.messages(chat)
        assert len(sent) == PARTS, f"chat {chat}: {len(sent)} messages"
        assert sent[0].reply_to is None
        assert [m.reply_to for m in sent[1:]] == [sent[0].message_id] * (PARTS - 1)
        assert len({m.text for m in sent}) == PARTS


def on_postgres(url: str) -> dict[str, str]:
    """The environment of a bot on the database at `url`, holding the reader (subscribed
    before the issue's release, as in `config`)."""
    open_postgres(url)  # the schema
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO subscriptions (platform, user_id, chat, since) VALUES (%s, %s, %s, %s)",
            ("telegram", str(READER), str(READER), datetime(2024, 1, 1, tzinfo=UTC)),
        )
    return {"DATABASE_URL": url}


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
    env = on_postgres(request.getfixturevalue("database_url")) if backend == "postgres" else {}
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1))
    post = await Post(config, env=env).start()
    try:
        for held in range(1, rounds + 2):
            await until(lambda held=held: len(telegram.calls_to("sendMessage")) == 2 * held)  # type: ignore[misc]
            if held <= rounds:
                telegram.release_hung()
        await post.kill()
        telegram.release_hung(process=False)  # the sends in flight die with the process
        assert delivered(telegram) == 2 * rounds
        code, out, err = await (await Post(config, env=env).start()).finish()
        assert code == 0, err
        assert f"sent {2 * (PARTS - rounds)}, retried 0, skipped 0, failed 0" in out
        assert ("left pending by an interrupted run" in err) == (rounds < PARTS)
    finally:
        await post.kill()
    assert_one_complete_thread_each(telegram)
    if env:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            done = conn.execute("SELECT destination, parts FROM deliveries_done").fetchall()
            left = conn.execute("SELECT count(*) FROM delivery_parts").fetchall()
        assert sorted(done) == [(f"telegram:{GROUP}", PARTS), (f"telegram:dm:{READER}", PARTS)]
        assert left == [(0,)]


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
        code, out, err = next(iter(done)).result()
        assert code == 75 and "is delivering with this data file" in err and out == ""
        await until(
            lambda: any(c.params["chat_id"] == GROUP for c in telegram.calls_to("sendMessage"))
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
        await until(lambda: len(telegram.calls_to("sendMessage")) == 2)
        assert process.proc is not None
        process.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.2)
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
