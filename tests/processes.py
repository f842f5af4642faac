"""`briefing-bot` as a real subprocess, for the tests that kill it (SIGKILL, SIGTERM)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store, Subscriptions
from tests.conftest import CONTENT, ROOT


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


class Post:
    """One `briefing-bot <command>` subprocess (`post` by default) with `env` added to this
    environment and a compressed pace; always reaped. `logged` reads its stderr up to a log
    line, so a test can wait for what the process did instead of sleeping."""

    def __init__(
        self, config: Path, command: str = "post", *, env: dict[str, str] | None = None
    ) -> None:
        self.config, self.command, self.env = config, command, env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self.err = ""  # stderr read so far by `logged`

    async def start(self) -> Post:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFING_PACE_SCALE": str(PACE_SCALE),
               **self.env}  # fmt: skip
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


async def until(condition: Callable[[], bool], what: str = "", within: float = 8.0) -> None:
    """Poll the fake's record (it is in this process) until `condition`, else fail clearly."""
    try:
        async with asyncio.timeout(within):
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(0.005)
    except TimeoutError:
        pytest.fail(f"timed out after {within} s waiting until {what or condition}")


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
