"""Fixtures of the Slack adapter tests: the tokens in the environment, the fake Slack API, and
the app started on it (tests/support/slack.py): in HTTP mode with an admin (`slack`), on a
two-issue archive (`two`), in Socket Mode (`socket`)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.content.issue_files import content_copy, second_issue
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import SECRET, Harness, make_app, open_slack, slack_for


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


@pytest.fixture
async def slack(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    async with open_slack(make_app(tmp_path, fake, "http", admins=("slack:U2",)), fake) as h:
        yield h


@pytest.fixture
async def two(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    """The Slack app on a two-issue archive."""
    folder = content_copy(tmp_path)
    (folder / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")
    async with open_slack(make_app(tmp_path, fake, "http", content=folder), fake) as h:
        yield h


@pytest.fixture
async def socket(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    app = make_app(tmp_path, fake, "socket")
    platform = await slack_for(app)
    app.platforms.add(platform)  # as the composition root does
    await platform.start()
    try:
        await fake.wait_socket_connected()
        async with aiohttp.ClientSession() as session:
            yield Harness(app, platform, fake, session)
    finally:
        await platform.stop()
