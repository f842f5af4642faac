"""Fixtures of the CLI tests: the example config on the real content (`config`; the tests of
`briefing-bot post` have their own), and the fake Telegram Bot API at the subprocesses' pace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.backend import open_tinydb
from tests.conftest import CONTENT, ROOT
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.ports import free_port
from tests.support.processes import GROUP, PACE_SCALE, READER, TOKEN
from tests.support.records import every_kind


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('content_dir = "content"', f'content_dir = "{CONTENT}"')
    text = text.replace("port = 8080", f"port = {free_port()}")  # [web]: each test its own port
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    # Telegram's flood limits at the pace the subprocesses run (BRIEFING_PACE_SCALE)
    async with FakeTelegramAPI(TOKEN, enforce_limits=True, time_scale=PACE_SCALE) as fake:
        fake.add_chat(GROUP, "supergroup")
        fake.add_chat(READER, "private")
        yield fake


@pytest.fixture
async def data_file(tmp_path: Path) -> Path:
    """A tinydb file holding one record or more of every kind (tests/support/records.py)."""
    path = tmp_path / "briefing.json"
    backend = open_tinydb(path)
    await every_kind(backend)
    await backend.close()
    return path
