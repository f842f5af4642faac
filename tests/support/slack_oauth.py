"""The OAuth-distributed Slack harness (`[slack] install = "oauth"`): the app built by the
composition root on the fake Slack, and a browser and Slack's signed requests per workspace
(`Distributed`: the install pages, commands and events of one team)."""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.descriptor import Slack
from bot.adapters.slack.platform import SlackPlatform
from bot.app import Bot, Settings, build
from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import SECRET
from tests.support.wait import until

CLIENT_ID, CLIENT_SECRET = "1111.2222", "fake-client-secret"
COOKIE = "slack-app-oauth-state"
TEAMS = ("T1", "T2", "T3")
PARTS = 11  # issue 1: the parent, 9 sections and the useful links


def use_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of an OAuth-distributed app: client id and secret, no bot token, the
    pace compressed (~1 message/s per channel at 100 times)."""
    monkeypatch.setenv("BRIEFING_PACE_SCALE", "100")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)


def oauth_app(tmp_path: Path, fake: FakeSlackAPI, port: int, *, pinned: bool = True) -> Bot:
    """The app as the composition root builds it, its Slack platform on 127.0.0.1:`port`."""
    settings = Settings(
        bot={"data_path": str(tmp_path / "d.json"), "content_dir": str(CONTENT),
             "admins": ["slack:UADMINT1"]},
        slack={"enabled": True, "api_url": fake.base_url, "mode": "http", "install": "oauth",
               "oauth_redirect_url": f"http://127.0.0.1:{port}/slack/oauth_redirect",
               "channels": [f"C{team}" for team in TEAMS] if pinned else []},
        console={"enabled": False},
    )  # fmt: skip
    return build(settings, platforms=[Slack(host="127.0.0.1", port=port)])


@dataclass
class Distributed:
    app: Bot
    platform: SlackPlatform
    fake: FakeSlackAPI
    session: aiohttp.ClientSession

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.platform.port}"

    async def install_page(self) -> tuple[str, str]:
        """GET /slack/install: the authorize URL on the page and the state cookie."""
        async with self.session.get(f"{self.origin}/slack/install") as response:
            assert response.status == 200
            page = await response.text()
            cookie = response.cookies[COOKIE].value
        found = re.search(r'href="(http[^"]*/oauth/v2/authorize[^"]*)"', page)
        assert found is not None and "Add to Slack" in page
        return html.unescape(found.group(1)), cookie

    async def allow(self, authorize_url: str) -> str:
        """The user presses "Allow" at Slack: where Slack sends the browser back."""
        async with self.session.get(authorize_url, allow_redirects=False) as response:
            assert response.status == 302
            return response.headers["Location"]

    async def back(self, redirect: str, cookie: str | None) -> tuple[int, str]:
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        async with self.session.get(redirect, headers=headers) as response:
            return response.status, await response.text()

    async def install(self, team: str, *, expires_in: int | None = None) -> None:
        self.fake.next_install(team, expires_in=expires_in)
        url, cookie = await self.install_page()
        status, page = await self.back(await self.allow(url), cookie)
        assert status == 200 and "/briefing here" in page, page
        self.fake.add_channel(f"C{team}", team=team)
        self.fake.add_user(f"U{team}", team=team)

    async def signed(self, body: str, content_type: str) -> tuple[int, str]:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": signature}  # fmt: skip
        async with self.session.post(
            f"{self.origin}/slack/events", data=body.encode(), headers=headers
        ) as response:
            return response.status, await response.text()

    async def command(self, team: str, command: str, text: str = "", **fields: str) -> str:
        url = self.fake.response_url()
        form = {"team_id": team, "team_domain": team.lower(), "channel_id": f"C{team}",
                "channel_name": "general", "user_id": f"U{team}", "user_name": "reader",
                "command": command, "text": text, "api_app_id": "A0001",
                "is_enterprise_install": "false", "response_url": url, "trigger_id": "1.2.3",
                **fields}  # fmt: skip
        assert await self.signed(urlencode(form), "application/x-www-form-urlencoded") == (200, "")
        await until(lambda: self.fake.responses(url))
        return url

    async def event(self, team: str, event: dict[str, object]) -> None:
        body = {"team_id": team, "api_app_id": "A0001", "type": "event_callback",
                "event_id": f"Ev{team}{event['type']}", "event_time": int(time.time()),
                "event": event}  # fmt: skip
        status, _ = await self.signed(json.dumps(body), "application/json")
        assert status == 200
