"""`[slack] channels` under OAuth installs: each configured channel is placed in its workspace
when the app starts (`conversations.info` with each installation's token), so its first
delivery goes out with that workspace's token although no request has come from there; a
channel in none of the installed workspaces refuses the start, naming it. The fake Slack knows
which workspace each channel and token belongs to and answers another workspace's token
`channel_not_found`, as Slack does.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.adapters.slack.descriptor import Slack
from bot.adapters.slack.oauth.flow import BOT_SCOPES
from bot.adapters.slack.oauth.installations import StoreInstallations
from bot.adapters.slack.platform import SlackConfigError, SlackPlatform
from bot.app import Bot, Settings, build, started
from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.ports import free_port
from tests.support.slack_oauth import PARTS, Distributed, use_oauth

Start = Callable[[Sequence[str], Sequence[str]], Awaitable[SlackPlatform]]


@pytest.fixture(autouse=True)
def oauth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_oauth(monkeypatch)


def token(team: str) -> str:
    return f"xoxb-{team}-seeded"


async def seed(app: Bot, fake: FakeSlackAPI, team: str) -> None:
    """`team` installed the app before this start (its record in the store, its token known to
    the fake), with one channel `C<team>`."""
    fake.installed(team, token(team))
    await StoreInstallations(app.store.installations).async_save(
        Installation(
            app_id="A0001", enterprise_id=None, team_id=team, team_name=f"Workspace {team}",
            bot_token=token(team), bot_id=f"B{team}", bot_user_id=f"UBOT{team}",
            bot_scopes=list(BOT_SCOPES), user_id=f"UADMIN{team}", is_enterprise_install=False,
        )
    )  # fmt: skip


@pytest.fixture(params=["tinydb", "postgres"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeSlackAPI, list[Bot], Start]]:
    """The fake Slack, and `start(channels, installed)`: the app with those `[slack] channels`,
    the workspaces `installed` already in its store, its Slack platform started."""
    if request.param == "postgres":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("database_url"))
    apps: list[Bot] = []
    async with FakeSlackAPI() as fake, AsyncExitStack() as running:
        port = free_port()
        for team in ("T1", "T2", "T3"):
            fake.add_channel(f"C{team}", team=team)

        async def start(channels: Sequence[str], installed: Sequence[str]) -> SlackPlatform:
            settings = Settings(
                bot={"data_path": str(tmp_path / "d.json"), "content_dir": str(CONTENT)},
                slack={"enabled": True, "api_url": fake.base_url, "mode": "http",
                       "install": "oauth", "channels": list(channels),
                       "oauth_redirect_url": f"http://127.0.0.1:{port}/slack/oauth_redirect"},
                console={"enabled": False},
            )  # fmt: skip
            app = build(settings, platforms=[Slack(host="127.0.0.1", port=port)])
            apps.append(app)
            for team in installed:
                await seed(app, fake, team)
            [platform] = await running.enter_async_context(started(app, receive=True))
            assert isinstance(platform, SlackPlatform)
            return platform

        try:
            yield fake, apps, start
        finally:
            await running.aclose()  # the platforms stopped before their stores close
            for app in apps:
                await app.store.close()


async def test_a_configured_channel_goes_out_with_its_workspaces_token_before_any_request(
    world: tuple[FakeSlackAPI, list[Bot], Start],
) -> None:
    fake, apps, start = world
    await start(["CT2"], ["T1", "T2"])
    [app] = apps
    assert await app.store.installations.workspace_of("CT2") == "none-T2"
    asked = [(c.params["channel"], c.team) for c in fake.calls_to("conversations.info")]
    assert asked == [("CT2", "T1"), ("CT2", "T2")]  # T1's token: channel_not_found

    report = await app.engine.deliver(1)
    assert (report.sent, report.failed) == (PARTS, 0)
    assert fake.posted_by("CT2") == ["T2"] * PARTS
    assert {c.token for c in fake.calls_to("chat.postMessage")} == {token("T2")}


async def test_a_configured_channel_in_no_installed_workspace_refuses_the_start(
    world: tuple[FakeSlackAPI, list[Bot], Start],
) -> None:
    fake, apps, start = world
    with pytest.raises(SlackConfigError) as refused:
        await start(["CT1", "CT3", "CNOWHERE"], ["T1", "T2"])  # T3 never installed the app
    assert refused.value.problems == [
        "[slack] channels: CT3, CNOWHERE are in none of the 2 workspaces the app is installed in "
        "(or private without the app); install the app there and invite it, or remove it from "
        "[slack] channels"
    ]
    assert await apps[0].store.installations.workspace_of("CT1") == "none-T1"
    asked = [c.team for c in fake.calls_to("conversations.info") if c.params["channel"] == "CT3"]
    assert asked == ["T1", "T2"]  # each installed workspace's token, each channel_not_found


async def test_before_any_install_it_starts_and_an_install_places_the_channel(
    world: tuple[FakeSlackAPI, list[Bot], Start], caplog: pytest.LogCaptureFixture
) -> None:
    """A first start has no installation to ask (and must serve the install page): the
    channel is placed when its workspace installs the app, still before any request."""
    fake, apps, start = world
    with caplog.at_level(logging.WARNING, logger="bot.adapters.slack.oauth.pinned"):
        platform = await start(["CT2"], [])
    assert "[slack] channels CT2: no workspace has installed the app yet" in caplog.text
    [app] = apps
    async with aiohttp.ClientSession() as session:
        slack = Distributed(app, platform, fake, session)
        await slack.install("T1")
        await slack.install("T2")
    assert await app.store.installations.workspace_of("CT2") == "none-T2"
    report = await app.engine.deliver(1)
    assert (report.sent, report.failed) == (PARTS, 0)
    assert fake.posted_by("CT2") == ["T2"] * PARTS
