"""`briefing-bot run` serves the archive and says where; `briefing-bot site` writes it."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp

from tests.cli.test_cli import config, run  # noqa: F401  (the fixture)
from tests.conftest import ROOT


async def test_run_prints_the_archive_address_and_serves_it(config: Path) -> None:  # noqa: F811
    port = re.search(r"port = (\d+)", config.read_text(encoding="utf-8").split("[web]")[1])  # noqa: ASYNC240
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", str(config), "run",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=config.parent,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stderr is not None
    try:
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
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_site_writes_the_archive_as_static_files(config: Path, tmp_path: Path) -> None:  # noqa: F811
    done = run("site", "--config", str(config), str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"wrote \d+ files to .*out\n", done.stdout)
    assert (
        (tmp_path / "out" / "issues" / "1.html")
        .read_text(encoding="utf-8")
        .startswith("<!doctype html>")
    )
    assert (tmp_path / "out" / "terms" / "np-hard.html").is_file()


def test_the_archive_on_a_platform_port_is_refused_clearly(config: Path) -> None:  # noqa: F811
    text = config.read_text(encoding="utf-8").replace('mode = "polling"', 'mode = "webhook"')
    port = re.search(r"\[web\][^\[]*?port = (\d+)", text)
    assert port is not None
    text = text.replace("webhook_port = 8443", f"webhook_port = {port.group(1)}")
    text = text.replace("[telegram]\nenabled = false", "[telegram]\nenabled = true")
    config.write_text(text, encoding="utf-8")
    done = run("run", "--config", str(config), env={"TELEGRAM_BOT_TOKEN": "1:x"})
    assert done.returncode == 2
    assert (
        "[web] port" in done.stderr
        and "[telegram] webhook_port" in done.stderr
        and "not supported yet" in done.stderr
    )
