"""Fixtures of the Slack adapter tests: the tokens in the environment, and the fake Slack API."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from tests.adapters.slack.support import SECRET
from tests.fakes.slack_api import FakeSlackAPI


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.delenv("SLACK_CLIENT_ID", raising=False)
    monkeypatch.delenv("SLACK_CLIENT_SECRET", raising=False)
    monkeypatch.setattr(random, "random", lambda: 0.0)  # the SDK retry handlers' jitter


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as api:
        api.add_channel("C1")
        api.add_user("U1")
        api.add_user("U2")
        yield api
