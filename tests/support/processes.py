"""`briefing-bot` as a real subprocess, for the tests that kill it (SIGKILL, SIGTERM): its
config and data (`post_config`, `telegram_config`), the subprocess (`Post`), holding and
releasing the fake's sends round by round, and the Telegram destinations every one of them
delivers to (`CHATS`), with what a complete delivery looks like."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.store import Store, Subscriptions
from bot.store.postgres.backend import open_postgres
from tests.conftest import CONTENT, ROOT
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.wait import until


async def post_config(
    tmp_path: Path, platform: str, section: str, subscriber: str, dm: str
) -> Path:
    """A config for `briefing-bot post` on `platform` (its `[platform]` table's other lines are
    `section`; the console off) and a data file where `subscriber` subscribed by DM (`dm`) long
    before today's issue."""
    data = tmp_path / "data" / "briefing.json"
    store = Store.open(data)
    early = Subscriptions(store, clock=lambda: datetime(2024, 1, 1, tzinfo=UTC))
    await early.subscribe(platform, subscriber, dm)
    await store.close()
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\ncontent_dir = "{CONTENT}"\ndata_path = "{data}"\n'
        "[console]\nenabled = false\n"
        f"[{platform}]\nenabled = true\n{section}",
        encoding="utf-8",
    )
    return path


PACE_SCALE = 100  # BRIEFING_PACE_SCALE of every subprocess: the fakes enforce limits at this pace
GROUP, READER = -1001, 5550001
CHATS = (GROUP, READER)
PARTS = 11  # one reply per section (`packed_threads = "none"`)
PACKED = 3  # issue 1 packed: the parent and two replies of whole sections
TOKEN = "123456:TEST-TOKEN"
ENV = {"TELEGRAM_BOT_TOKEN": TOKEN, "PTB_TIMEDELTA": "true"}


async def telegram_config(tmp_path: Path, telegram: FakeTelegramAPI, packed: str) -> Path:
    section = f'api_url = "{telegram.base_url}"\nchats = [{GROUP}]\npacked_threads = "{packed}"\n'
    return await post_config(tmp_path, "telegram", section, str(READER), str(READER))


def every_minute(config: Path) -> None:
    with config.open("a", encoding="utf-8") as handle:
        handle.write('[schedule]\ncron = "* * * * *"\n')


class Post:
    """One `briefing-bot <command>` subprocess (`post` by default) with `env` added to this
    environment and a compressed pace; always reaped. `logged` reads its stderr up to a log
    line, so a test can wait for what the process did instead of sleeping."""

    def __init__(
        self,
        config: Path,
        command: str = "post",
        *,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.config, self.command, self.env, self.args = config, command, env or {}, args
        self.proc: asyncio.subprocess.Process | None = None
        self.err = ""  # stderr read so far by `logged`

    async def start(self) -> Post:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFING_PACE_SCALE": str(PACE_SCALE),
               **self.env}  # fmt: skip
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "--config", str(self.config), self.command,
            *self.args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
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


async def kill_mid_thread(
    post: Post, rounds: int, sends: Callable[[], int], release: Callable[[], None], width: int
) -> None:
    """With every send held by the fake: let `rounds` rounds of the `width` destinations'
    sends through (`release`), then SIGKILL `post` while the next round is in flight, so
    every earlier part has been recorded and the one in flight never reached the chat."""
    await hold_rounds(rounds, sends, release, width)
    await post.kill()


async def hold_rounds(
    rounds: int, sends: Callable[[], int], release: Callable[[], None], width: int
) -> None:
    """Let `rounds` rounds of held sends through; return with round `rounds + 1` in flight."""
    for held in range(1, rounds + 2):
        want = width * held
        await until(lambda want=want: sends() == want, f"{want} sends arrived")  # type: ignore[misc]
        if held <= rounds:
            release()


def sends(fake: FakeTelegramAPI) -> int:
    return len(fake.calls_to("sendMessage"))


def delivered(fake: FakeTelegramAPI) -> int:
    return sum(len(fake.messages(chat)) for chat in CHATS)


def assert_one_complete_thread_each(fake: FakeTelegramAPI, parts: int = PARTS) -> None:
    for chat in CHATS:
        sent = fake.messages(chat)
        assert len(sent) == parts, f"chat {chat}: {len(sent)} messages"
        assert sent[0].reply_to is None
        assert [m.reply_to for m in sent[1:]] == [sent[0].message_id] * (parts - 1)
        assert len({m.text for m in sent}) == parts


def on_postgres(url: str) -> dict[str, str]:
    """The environment (`ENV` included) of a bot on the database at `url`, holding the reader (subscribed
    before the issue's release, as in `config`)."""
    open_postgres(url)  # the schema
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO subscriptions (platform, user_id, chat, since) VALUES (%s, %s, %s, %s)",
            ("telegram", str(READER), str(READER), datetime(2024, 1, 1, tzinfo=UTC)),
        )
    return {**ENV, "DATABASE_URL": url}


@asynccontextmanager
async def bot_process(*args: str, **options: Any) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot.cli <args>` (`options` as `asyncio.create_subprocess_exec` takes them),
    killed and waited for on the way out if it is still running."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", *args, **options)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
