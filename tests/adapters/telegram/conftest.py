"""Fixtures of the Telegram adapter tests: a started harness (tests/support/telegram.py),
its options given by indirect parametrization."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.telegram import Harness, open_harness


@pytest.fixture
async def harness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> AsyncIterator[Harness]:
    async with open_harness(tmp_path, monkeypatch, **getattr(request, "param", {})) as started:
        yield started
