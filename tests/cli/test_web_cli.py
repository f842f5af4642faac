"""`briefing-bot run` serves the archive and says where; `briefing-bot site` writes it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import aiohttp
import feedparser

from tests.conftest import CONTENT, ROOT
from tests.content.issue_files import add_issues, content_copy
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.cli import run
from tests.support.processes import bot_process


async def test_run_prints_the_archive_address_and_serves_it(config: Path) -> None:
    port = re.search(r"port = (\d+)", config.read_text(encoding="utf-8").split("[web]")[1])  # noqa: ASYNC240
    async with bot_process(
        "--config", str(config), "run",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=config.parent,
    ) as proc:  # fmt: skip
        assert proc.stdin is not None and proc.stderr is not None
        async with asyncio.timeout(60):
            while not (
                found := re.search(
                    rb"web archive: (http://127\.0\.0\.1:\d+/)",
                    line := await proc.stderr.readline(),
                )
            ):
                assert line, "the bot ended before serving the archive"
        address = found.group(1).decode()
        assert port is not None and address == f"http://127.0.0.1:{port.group(1)}/"
        async with aiohttp.ClientSession() as session:
            async with session.get(address + "issues/1") as resp:
                assert resp.status == 200 and "제 0001호 뉴랄브리핑" in await resp.text()
            async with session.get(address + "healthz") as resp:
                assert (await resp.json())["issues"] == 1
        proc.stdin.close()  # end of console input ends the bot
        async with asyncio.timeout(30):
            assert await proc.wait() == 0


def test_site_writes_the_archive_as_static_files(config: Path, tmp_path: Path) -> None:
    done = run("site", "--config", str(config), str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"wrote \d+ files to .*out\n", done.stdout)
    assert (
        (tmp_path / "out" / "issues" / "1.html")
        .read_text(encoding="utf-8")
        .startswith("<!doctype html>")
    )
    assert (tmp_path / "out" / "terms" / "np-hard.html").is_file()


def test_site_writes_the_feed_of_the_newest_feed_issues_released_issues(
    config: Path,
    tmp_path: Path,
) -> None:
    """Issues 2..6 released, 7 a draft, 8 out in 2999: with `feed_issues = 3` the feed holds
    6, 5 and 4, and neither unreleased issue is written at all (as the served archive)."""
    folder = content_copy(tmp_path)
    add_issues(folder, range(2, 7))
    add_issues(folder, [7], "draft = true\n")
    add_issues(folder, [8], "publish_at = 2999-01-01T08:30:00+09:00\n")
    text = config.read_text(encoding="utf-8").replace(
        f'content_dir = "{CONTENT}"', f'content_dir = "{folder}"'
    )
    config.write_text(text.replace("feed_issues = 20", "feed_issues = 3"), encoding="utf-8")
    done = run("site", "--config", str(config), str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert [entry.id.rsplit(":", 1)[1] for entry in feed.entries] == ["6", "5", "4"]
    issues = sorted(p.name for p in (tmp_path / "out" / "issues").iterdir())
    assert issues == [f"{n}.html" for n in range(1, 7)]


def test_site_refuses_a_feed_of_no_issues_with_the_config_line(
    config: Path,
    tmp_path: Path,
) -> None:
    text = config.read_text(encoding="utf-8").replace("feed_issues = 20", "feed_issues = 0")
    config.write_text(text, encoding="utf-8")
    done = run("site", "--config", str(config), str(tmp_path / "out"))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert re.search(r"config\.toml:\d+: \[web\] feed_issues: must be 1 or more", done.stderr)
    assert not (tmp_path / "out").exists()


async def test_the_archive_on_the_slack_port_is_served_by_one_server_with_slacks_routes(
    config: Path,
) -> None:
    """`[web] port` = `[slack] http_port`: one server answers the archive's pages and Slack's
    signed events (bolt refuses an unsigned one with 401, as on its own port)."""
    text = config.read_text(encoding="utf-8")  # noqa: ASYNC240
    port = re.search(r"\[web\][^\[]*?port = (\d+)", text)
    assert port is not None
    async with FakeSlackAPI() as fake:
        slack = text.replace(
            '[slack]\nenabled = false\nmode = "socket"', '[slack]\nenabled = true\nmode = "http"'
        )
        slack = slack.replace(
            'api_url = "https://slack.com/api/"',
            f'api_url = "{fake.base_url}"',
        )
        slack = slack.replace("http_port = 3000", f"http_port = {port.group(1)}")
        config.write_text(slack, encoding="utf-8")  # noqa: ASYNC240
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-test-token",
               "SLACK_SIGNING_SECRET": "test-signing-secret"}  # fmt: skip
        env.pop("SLACK_CLIENT_ID", None)
        async with bot_process(
            "--config", str(config), "run",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env, cwd=config.parent,
        ) as proc:  # fmt: skip
            assert proc.stderr is not None
            seen = b""
            async with asyncio.timeout(60):
                while b"slack: listening on" not in (line := await proc.stderr.readline()):
                    seen += line
                    assert line, f"the bot ended before listening:\n{seen.decode()}"
            assert b"web archive: served on [slack] http_port" in seen
            address = f"http://127.0.0.1:{port.group(1)}/"
            async with aiohttp.ClientSession() as session:
                async with session.get(address + "issues/1") as resp:
                    assert resp.status == 200 and "제 0001호 뉴랄브리핑" in await resp.text()
                async with session.post(address + "slack/events", data="command=/term") as resp:
                    assert resp.status == 401  # Slack's route, signature checked by bolt
            assert proc.stdin is not None
            proc.stdin.close()  # the console's reader thread would hold the exit otherwise
            proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                assert await proc.wait() == 0
