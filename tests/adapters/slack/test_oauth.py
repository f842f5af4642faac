"""Distribution with OAuth (`[slack] install = "oauth"`), end to end: the real bolt flow and
slack_sdk against the fake Slack, which hands out one bot token per workspace and records whose
token made every call.

Three workspaces install through the real pages (GET /slack/install, the authorize URL's
state, the redirect with a code); each one's commands and deliveries go out with its own token;
one uninstalled loses its data while the others are still delivered; a token that expires
mid-run is rotated; no token reaches the log.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from pydantic import ValidationError

from bot.adapters.slack.platform import SlackConfigError, SlackPlatform
from bot.app import Settings, build_platforms, started
from bot.cli.logsafe import RedactSecrets
from bot.core.delivery.engine import DeliveryEngine
from bot.core.testing import FakeClock
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.ports import free_port
from tests.support.slack import SECRET
from tests.support.slack_oauth import (
    CLIENT_SECRET,
    PARTS,
    TEAMS,
    Distributed,
    oauth_app,
    use_oauth,
)
from tests.support.wait import until


@pytest.fixture(autouse=True)
def oauth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_oauth(monkeypatch)


@pytest.fixture(params=["tinydb", "postgres"])
async def slack(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Distributed]:
    """The OAuth-distributed app on the fake, its store on each backend (channels pinned in
    the config unless the test is marked `opt_in`: then they opt in with /briefing here)."""
    if request.param == "postgres":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("database_url"))
    pinned = request.node.get_closest_marker("opt_in") is None
    async with FakeSlackAPI() as fake:
        port = free_port()
        app = oauth_app(tmp_path, fake, port, pinned=pinned)
        try:
            async with started(app, receive=True) as [platform]:
                assert isinstance(platform, SlackPlatform)
                async with aiohttp.ClientSession() as session:
                    yield Distributed(app, platform, fake, session)
        finally:
            await app.store.close()


@pytest.fixture
def log_text() -> AsyncIterator[io.StringIO]:
    """Everything logged at debug level, through the log filter the CLI installs."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactSecrets([CLIENT_SECRET, SECRET]))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield out  # type: ignore[misc]
    root.removeHandler(handler)
    root.setLevel(level)


def tokens_of(fake: FakeSlackAPI) -> list[str]:
    issued = [token for w in fake.workspaces.values() for token in w.tokens]
    return issued + [w.refresh_token for w in fake.workspaces.values() if w.refresh_token]


async def test_three_workspaces_install_and_each_is_delivered_with_its_own_token(
    slack: Distributed, log_text: io.StringIO
) -> None:
    for team in TEAMS:
        await slack.install(team, expires_in=3 * 3600 if team == "T3" else None)
    assert await slack.app.store.installations.workspaces() == [f"none-{t}" for t in TEAMS]
    for team in TEAMS:  # each answered with its own token (bolt's authorize)
        url = await slack.command(team, "/subscribe")
        assert slack.fake.responses(url)
        assert slack.fake.dm_channel(f"U{team}") == f"DU{team}"
    opened = {call.params["users"]: call.team for call in slack.fake.calls_to("conversations.open")}
    assert opened == {f"U{team}": team for team in TEAMS}

    await slack.event("T2", {"type": "app_uninstalled"})  # T2 leaves
    slack.fake.uninstall("T2")
    await until(lambda: "slack: workspace none-T2 left" in log_text.getvalue())
    assert await slack.app.store.installations.workspaces() == ["none-T1", "none-T3"]
    assert await slack.app.store.installations.workspace_of("CT2") is None
    assert [s.user for s in await slack.app.store.subscriptions.subscribers()] == ["UT1", "UT3"]

    slack.fake.expire_token("T3")  # expires before the run: Slack says token_expired
    report = await slack.app.engine.deliver(1)
    for team in ("T1", "T3"):
        for chat in (f"C{team}", f"DU{team}"):
            posted = slack.fake.posted_by(chat)
            assert posted and set(posted) == {team}, chat  # one whole thread, its own token
    assert slack.fake.messages("CT2") == [] and slack.fake.messages("DUT2") == []
    assert report.failed == 1  # CT2, still in [slack] channels, is in no workspace now
    refreshed = [c for c in slack.fake.calls_to("oauth.v2.access")
                 if c.params.get("grant_type") == "refresh_token"]  # fmt: skip
    assert len(refreshed) == 1
    saved = await slack.app.store.installations.find("none-T3")
    assert saved is not None and saved["bot_token"] == slack.fake.workspaces["T3"].token
    logged = log_text.getvalue()
    assert "chat.postMessage" in logged and "***" in logged  # debug lines, tokens masked
    for token in tokens_of(slack.fake):
        assert token not in logged, "a token reached the log"


@pytest.mark.opt_in
async def test_a_channel_in_each_workspace_opts_in_and_leaving_ends_only_that_one(
    slack: Distributed, log_text: io.StringIO
) -> None:
    for team in TEAMS:
        await slack.install(team)
        slack.fake.add_user(f"U{team}", admin=True, team=team)  # a workspace admin may opt in
        url = await slack.command(team, "/briefing", "here")
        assert "/briefing stop" in json.dumps(slack.fake.responses(url), ensure_ascii=False)
    opted = await slack.app.store.destinations.opted_in("slack")
    assert sorted(o.chat for o in opted) == [f"C{team}" for team in TEAMS]

    report = await slack.app.engine.deliver(1)
    assert report.failed == 0
    for team in TEAMS:
        assert slack.fake.posted_by(f"C{team}") == [team] * PARTS  # one thread, its own token

    await slack.event("T2", {"type": "app_uninstalled"})
    slack.fake.uninstall("T2")
    await until(lambda: "slack: workspace none-T2 left" in log_text.getvalue())
    opted = await slack.app.store.destinations.opted_in("slack")
    assert sorted(o.chat for o in opted) == ["CT1", "CT3"]
    assert "opt-in ended" in log_text.getvalue()


async def test_a_refused_token_on_delivery_ends_that_workspace_only(slack: Distributed) -> None:
    for team in ("T1", "T2"):
        await slack.install(team)
        await slack.command(team, "/subscribe")
    slack.fake.uninstall("T1")  # no event reached the bot
    await slack.app.engine.deliver(1)
    assert slack.fake.messages("CT1") == [] and set(slack.fake.posted_by("DUT2")) == {"T2"}
    assert await slack.app.store.installations.workspaces() == ["none-T2"]
    assert [s.user for s in await slack.app.store.subscriptions.subscribers()] == ["UT2"]


async def test_revoked_bot_tokens_end_the_workspace_and_a_reinstall_starts_clean(
    slack: Distributed, log_text: io.StringIO
) -> None:
    await slack.install("T1")
    await slack.command("T1", "/subscribe")
    await slack.event("T1", {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTT1"]}})
    await until(lambda: "slack: workspace none-T1 left (tokens_revoked)" in log_text.getvalue())
    assert "1 subscribers" in log_text.getvalue()
    assert await slack.app.store.installations.workspaces() == []
    assert await slack.app.store.subscriptions.count() == 0
    await slack.install("T1")  # installs again, with nothing left over from before
    assert await slack.app.store.installations.workspaces() == ["none-T1"]
    assert await slack.app.store.subscriptions.count() == 0
    slack.fake.add_user("UADMINT1", team="T1")
    url = await slack.command("T1", "/briefing", "stats", user_id="UADMINT1")
    stats = json.dumps(slack.fake.responses(url), ensure_ascii=False)
    assert "Slack 워크스페이스 1곳에 설치됨 (시작 뒤 떠난 곳 1곳)" in stats


async def test_a_refused_rotation_fails_the_delivery_but_keeps_the_workspace(
    slack: Distributed, log_text: io.StringIO
) -> None:
    await slack.install("T1", expires_in=3 * 3600)
    await slack.command("T1", "/subscribe")
    slack.fake.refuse_refresh("T1")
    slack.fake.expire_token("T1")
    report = await slack.app.engine.deliver(1)
    assert report.failed == 4 and slack.fake.messages("DUT1") == []  # CT1-3 (2 unknown), DM
    assert "rotating the token of workspace none-T1 failed (invalid_refresh_token)" in (
        log_text.getvalue()
    )
    assert await slack.app.store.installations.workspaces() == ["none-T1"]
    assert await slack.app.store.subscriptions.count() == 1


async def test_a_429_in_one_workspace_never_slows_another(slack: Distributed) -> None:
    """Slack's limits are per workspace (and per channel): the engine, on a fake clock, keeps
    one workspace's rate-limited channel waiting while another workspace gets its thread."""
    for team in ("T1", "T2"):
        await slack.install(team)
        await slack.command(team, "/latest")  # the app learns each channel's workspace
    slack.fake.fail_next("CT1", "ratelimited", retry_after=7, method="chat.postMessage")
    clock = FakeClock()
    app = slack.app
    engine = DeliveryEngine(
        content=lambda: app.content, channels={"slack": ["CT1", "CT2"]},
        platforms=app.platforms, subscriptions=app.store.subscriptions, ledger=app.store.ledger,
        pacer=app.engine.pacer, clock=clock, progress_every=None,
    )  # fmt: skip
    run = asyncio.create_task(engine.deliver(1))
    try:
        await until(lambda: clock.sleeping == 1 and len(slack.fake.messages("CT2")) == PARTS)
        assert clock.sleeps == [7.0] and slack.fake.messages("CT1") == []
        clock.advance(7)
        report = await asyncio.wait_for(run, 15)
    finally:
        run.cancel()
    assert (report.sent, report.retried, report.failed) == (2 * PARTS, 1, 0)
    assert set(slack.fake.posted_by("CT1")) == {"T1"} and set(slack.fake.posted_by("CT2")) == {"T2"}


async def test_a_forged_missing_replayed_or_expired_state_is_refused(slack: Distributed) -> None:
    url, cookie = await slack.install_page()
    redirect = await slack.allow(url)
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    base = f"{slack.origin}/slack/oauth_redirect"
    forged = f"{base}?{urlencode({'code': code, 'state': 'forged'})}"
    assert (await slack.back(forged, "forged"))[0] == 401  # never issued
    assert (await slack.back(redirect, None))[0] == 400  # no state cookie: another browser
    assert (await slack.back(redirect, cookie))[0] == 200
    assert (await slack.back(redirect, cookie))[0] == 401  # the same state again
    await slack.app.store.installations.issue_state("old", time.time() - 1)
    old = f"{base}?{urlencode({'code': code, 'state': 'old'})}"
    assert (await slack.back(old, "old"))[0] == 401
    assert len(await slack.app.store.installations.workspaces()) == 1
    exchanged = [c for c in slack.fake.calls_to("oauth.v2.access") if "code" in c.params]
    assert len(exchanged) == 1  # a refused state never reaches oauth.v2.access


async def test_oauth_needs_http_mode_and_its_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationError, match='needs mode = "http"'):
        Settings(slack={"enabled": True, "install": "oauth", "mode": "socket"})
    monkeypatch.delenv("SLACK_CLIENT_SECRET")
    async with FakeSlackAPI() as fake:
        app = oauth_app(tmp_path, fake, free_port())
        with pytest.raises(SlackConfigError, match="SLACK_CLIENT_SECRET must be set"):
            await build_platforms(app)
        await app.store.close()
