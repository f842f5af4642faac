"""`briefing-bot test N --to telegram:<id>` as a real subprocess against the fake Bot API: the
issue reaches that person's DM alone, marked as a test, and nothing is recorded in the store;
a `--to` no enabled platform has is refused before anything starts."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.store import Ledger, Store
from tests.conftest import ROOT
from tests.fakes.telegram_api import FakeTelegramAPI
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
