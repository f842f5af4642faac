"""`briefing-bot run` replicas as real processes on one PostgreSQL database, against the fake
Telegram Bot API and the fake Slack Web API: each with its own config and HTTP ports, started
leader first; and a Telegram update given to one replica's webhook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.ports import free_port
from tests.support.processes import GROUP, Post

CHANNEL = "C1"
SIGNING = "test-signing-secret"
WEBHOOK_SECRET = "replica_secret"
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING,
             "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET}  # fmt: skip
NEVER_DUE = "0 0 1 1 *"  # long past, too old to catch up: only /post delivers


class Replica(Post):
    """One `briefing-bot run` replica with its own config (its own HTTP ports)."""

    def __init__(self, config: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        super().__init__(config, "run", env=env)
        self.ports = ports


def replica(
    tmp_path: Path,
    name: str,
    env: dict[str, str],
    telegram: FakeTelegramAPI,
    slack: FakeSlackAPI,
    *,
    webhook: bool = False,
    destinations: bool = True,
    cron: str = "* * * * *",
) -> Replica:
    """A replica on the shared database: Telegram (polling, or webhook on a port of its own),
    Slack in HTTP mode on a port of its own, a schedule due every minute (the leader catches
    up the run due now when it starts; NEVER_DUE: no run at all), and the group and the Slack
    channel as destinations (besides the reader `on_postgres` subscribes)."""
    ports = {"slack": free_port(), "telegram": free_port()}
    mode = (
        f'mode = "webhook"\nwebhook_url = "https://bot.example.com/telegram"\n'
        f"webhook_port = {ports['telegram']}\n"
        if webhook
        else 'mode = "polling"\n'
    )
    chats, channels = (f"[{GROUP}]", f'["{CHANNEL}"]') if destinations else ("[]", "[]")
    config = tmp_path / f"{name}.toml"
    config.write_text(
        f'[bot]\ncontent_dir = "{CONTENT}"\ndata_path = "{tmp_path / name / "briefing.json"}"\n'
        'timezone = "UTC"\nadmins = ["telegram:5550009"]\n'
        f'[console]\nenabled = false\n[schedule]\ncron = "{cron}"\n'
        f'[telegram]\nenabled = true\napi_url = "{telegram.base_url}"\nchats = {chats}\n'
        f'packed_threads = "none"\n{mode}'
        f'[slack]\nenabled = true\nmode = "http"\napi_url = "{slack.base_url}"\n'
        f"channels = {channels}\nhttp_port = {ports['slack']}\n",
        encoding="utf-8",
    )
    return Replica(config, {**env, **SLACK_ENV}, ports)


async def leader_then_standby(leader: Replica, standby: Replica) -> None:
    """Start `leader` and wait until it leads, then `standby` until it stands by."""
    await leader.start()
    await leader.logged("this replica leads", within=20)
    await standby.start()
    await standby.logged("standing by", within=20)


async def to_webhook(http: aiohttp.ClientSession, to: Replica, update: dict[str, Any]) -> int:
    url = f"http://127.0.0.1:{to.ports['telegram']}/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with http.post(url, json=update, headers=headers) as response:
        return response.status
