"""The Slack harness: the app as the composition root (`bot.app.build`) makes it, Slack only,
against the fake Slack API; its platform started in HTTP mode on a free port (`open_slack`), with
signed requests in (`Harness.post`, `.command`, `.event`); and the payloads Slack sends (a slash
command's form, an event's envelope, a DM, a press of a Home tab or ◀ ▶ button)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.platform import SlackPlatform, build_slack
from bot.adapters.slack.settings import SlackSecrets
from bot.app import Bot, Settings, build
from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackAPI, block_actions
from tests.support.wait import until

SECRET = "test-signing-secret"
JsonDict = dict[str, Any]


def make_app(
    tmp_path: Path,
    fake: FakeSlackAPI,
    mode: str,
    admins: tuple[str, ...] = (),
    channels: Sequence[str] = ("C1",),
    content: Path = CONTENT,
    base_url: str = "",
    **bot: Any,
) -> Bot:
    """The app as `bot.app.build` makes it: Slack only, on the fake, data in `tmp_path`; `bot`
    adds `[bot]` settings (`editors=[...]`, `require_approval=True`)."""
    settings = Settings(
        bot={
            "data_path": str(tmp_path / "d.json"),
            "content_dir": str(content),
            "admins": list(admins),
            **bot,
        },
        slack={"enabled": True, "api_url": fake.base_url, "mode": mode, "channels": list(channels)},
        console={"enabled": False},
        web={"base_url": base_url},
    )
    return build(settings)


def slack_for(app: Bot, **options: Any) -> Any:
    """The Slack platform built from `app`, as the composition root builds it."""
    return build_slack(app.settings.slack, SlackSecrets(), app.service, **options)


@dataclass
class Harness:
    app: Bot
    platform: SlackPlatform
    fake: FakeSlackAPI
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.platform.port}/slack/events"

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def command(self, command: str, text: str = "", **fields: str) -> str:
        """Send a slash command; return its response_url (the answer lands there)."""
        body, url = slash_body(self.fake, command, text, **fields)
        status, answer = await self.post(body)
        assert (status, answer) == (200, "")  # acked at once, with an empty body
        return url

    async def event(
        self, event: JsonDict, event_id: str, *, delay: int = 0, **headers: str
    ) -> tuple[int, str]:
        """Deliver an event; `delay` seconds later than now, as Slack re-signs a redelivery."""
        body = json.dumps(event_body(event, event_id))
        stamp = int(time.time()) + delay
        return await self.post(
            body, content_type="application/json", timestamp=stamp, headers=headers
        )


def slash_body(fake: FakeSlackAPI, command: str, text: str, **fields: str) -> tuple[str, str]:
    url = fake.response_url()
    form = {
        "token": "legacy-verification-token",
        "team_id": fake.team_id,
        "team_domain": "fake",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "reader",
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": url,
        "trigger_id": "1.2.3",
        **fields,
    }
    return urlencode(form), url


def event_body(event: JsonDict, event_id: str) -> JsonDict:
    return {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": event,
    }


def dm(text: str, *, ts: str = "1700000100.000100", **extra: Any) -> JsonDict:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "DU1",
        "user": "U1",
        "text": text,
        "ts": ts,
        **extra,
    }


@asynccontextmanager
async def open_slack(app: Bot, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    """The app's Slack platform started in HTTP mode on a free port, stopped on exit."""
    platform = await slack_for(app, host="127.0.0.1", port=0)
    app.platforms.add(platform)  # as the composition root does
    await platform.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Harness(app, platform, fake, session)
    finally:
        await platform.stop()


def button_of(view: JsonDict) -> JsonDict:
    (actions,) = [b for b in view["blocks"] if b.get("block_id") == "subscription"]
    element: JsonDict = actions["elements"][0]
    return element


def home_button(action_id: str) -> str:
    """The signed form body of a press on the Home tab's button."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "reader", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "team": {"id": "T0001", "domain": "fake"},
        "trigger_id": "1.2.3",
        "container": {"type": "view", "view_id": "VU1"},
        "view": {"id": "VU1", "type": "home"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "subscription",
                "value": action_id.removeprefix("home_"),
                "action_ts": "1700000000.1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


# ◀ ▶ between issues
def buttons(message: JsonDict, kind: str = "nav") -> list[JsonDict]:
    """The message's buttons of one kind (the prefix of their data: "nav" for ◀ ▶)."""
    return [
        element
        for block in message.get("blocks", [])
        if block["type"] == "actions" and block.get("block_id") == f"buttons_{kind}"
        for element in block["elements"]
    ]


async def press(h: Harness, button: JsonDict) -> JsonDict:
    """Press `button`; the one answer that reaches the action's response_url."""
    url = h.fake.response_url()
    status, _ = await h.post(urlencode({"payload": json.dumps(block_actions(button, url))}))
    assert status == 200
    await until(lambda: h.fake.responses(url))
    [answer] = h.fake.responses(url)
    return answer


async def issue(h: Harness, number: str) -> JsonDict:
    url = await h.command("/issue", number)
    await until(lambda: h.fake.responses(url))
    return h.fake.responses(url)[0]
