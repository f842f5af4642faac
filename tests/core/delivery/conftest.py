"""Fixtures of the delivery tests: the engine's bench (tests/support/delivery.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content
from tests.support.delivery import Bench, Scripted


@pytest.fixture
def bench(tmp_path: Path, content: Content) -> Bench:
    return Bench(tmp_path / "briefing.json", content, Scripted())
