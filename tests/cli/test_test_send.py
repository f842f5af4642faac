"""The editors' command line as real subprocesses: `briefing-bot test N --to telegram:<id>`
against the fake Bot API (the issue reaches that person's DM alone, marked as a test, nothing
recorded; a `--to` no enabled platform has is refused before anything starts), and `validate`
and `preview` saying "waiting for approval" or who approved."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

from bot.content.loader import load_content
from bot.core.approvals import Approvals
from bot.store import Ledger, Store
from bot.store.backend import open_tinydb
from tests.conftest import ROOT
from tests.content.issue_files import content_copy, second_issue
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.cli import run
from tests.support.processes import ENV, GROUP, PACE_SCALE, READER, telegram_config

EDITOR = 5550077


async def briefing_bot(config: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFING_PACE_SCALE": str(PACE_SCALE), **ENV}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", str(config), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_a_test_send_from_the_command_line_reaches_only_that_dm(
    tmp_path: Path, telegram: FakeTelegramAPI
) -> None:
    config = await telegram_config(tmp_path, telegram, "dm")
    telegram.add_chat(EDITOR, "private")
    code, out, err = await briefing_bot(config, "test", "1", "--to", f"telegram:{EDITOR}")
    assert code == 0, err
    assert "제 1호 시험 발송을 DM으로 보냈습니다" in out
    sent = telegram.messages(EDITOR)
    assert "시험 발송 · 아직 독자에게 보내지 않았습니다" in sent[0].plain_text
    assert len(sent) == 3 and all(m.reply_to == sent[0].message_id for m in sent[1:])  # packed
    assert telegram.messages(READER) == [] and telegram.messages(GROUP) == []
    ledger = Ledger(Store.open(tmp_path / "data" / "briefing.json", fold=False))
    assert ledger.released_at(1) is None and ledger.parts(1, f"telegram:dm:{EDITOR}") == {}


async def test_a_platform_that_is_not_enabled_is_refused(
    tmp_path: Path, telegram: FakeTelegramAPI
) -> None:
    config = await telegram_config(tmp_path, telegram, "dm")
    code, _, err = await briefing_bot(config, "test", "1", "--to", "slack:U1")
    assert code == 2 and "telegram:<user id>" in err
    assert telegram.calls_to("sendMessage") == []


async def test_validate_and_preview_say_waiting_for_approval_then_who_approved(
    tmp_path: Path,
) -> None:
    folder = content_copy(tmp_path)
    ahead = "publish_at = 2099-01-01T08:30:00+09:00\n"
    (folder / "issues" / "0002.md").write_text(second_issue(ahead), encoding="utf-8")
    data = tmp_path / "d.json"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ncontent_dir = "{folder}"\ndata_path = "{data}"\nrequire_approval = true\n',
        encoding="utf-8",
    )
    waiting = run("--config", str(config), "validate")
    assert waiting.returncode == 0, waiting.stderr
    assert "issue 2 (" in waiting.stdout and "waiting for approval" in waiting.stdout
    assert "waiting for approval" in run("--config", str(config), "preview", "2").stderr

    backend = open_tinydb(data)
    entry = load_content(folder).archive.entry(2)
    assert entry is not None
    approvals = Approvals(backend.approvals, required=True)
    await approvals.approve(entry, "slack:U0456", dt.datetime(2026, 12, 7, 23, 40, tzinfo=dt.UTC))
    await backend.close()
    approved = run("--config", str(config), "validate")
    assert "approved by slack:U0456 at 2026-12-07 23:40 UTC" in approved.stdout
    assert "approved by slack:U0456" in run("--config", str(config), "preview", "2").stderr


def test_the_console_operator_may_test_send_to_the_console(config: Path) -> None:
    done = run("--config", str(config), "console", stdin="/test 1\n")
    assert done.returncode == 0, done.stderr
    assert "시험 발송 · 아직 독자에게 보내지 않았습니다" in done.stdout
    assert "제 1호 시험 발송을 DM으로 보냈습니다" in done.stdout
