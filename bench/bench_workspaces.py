"""Distribution benchmark: issue 1 to 1,000 Slack workspaces installed with OAuth, one channel
each, through the real adapter (slack_sdk, each call with its workspace's token looked up in the
store), delivery engine, ledger and pacer, against the fake Slack enforcing its per-channel
limit (a burst of 3, then 1/s) in real time.

The theoretical minimum is the slowest workspace alone: 11 messages in one channel, 3 at once
and then 8 at 1/s, so 8 s. Goal: the whole run within 1.2 of it. Figures: wall time against
that minimum, 429s, and whether every message went out with its own workspace's token.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.bench_fanout import bench_environment, line
from bench.common import ask_figures, fake_process
from bench.fake_workspaces import channel, team, token

if TYPE_CHECKING:
    from bot.app import Bot

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = int(os.environ.get("BENCH_WORKSPACES", "1000"))
PARTS, BURST, RATE = 11, 3, 1.0


async def _installed(app: Bot, workspaces: int) -> None:
    """The store as 1,000 finished installs leave it: an installation per workspace and the
    workspace of its channel (learnt from its `/briefing here`)."""
    from slack_sdk.oauth.installation_store.models.installation import Installation

    from bot.adapters.slack.oauth.installations import StoreInstallations, workspace_key

    store = StoreInstallations(app.store.installations)
    for n in range(workspaces):
        await store.async_save(Installation(
            app_id="A0001", team_id=team(n), bot_token=token(n), bot_id=f"B{team(n)}",
            bot_user_id=f"UBOT{team(n)}", bot_scopes="chat:write", user_id=f"U{team(n)}",
        ))  # fmt: skip
        await app.store.installations.remember_chat(channel(n), workspace_key(None, team(n)))


async def deliver(workspaces: int) -> tuple[float, int, dict[str, Any]]:
    """The run's start (monotonic, as the fake's times), its failed destinations, the fake's
    figures."""
    from bot.adapters.slack.platform import build_slack
    from bot.adapters.slack.settings import SlackSecrets
    from bot.app import Settings, build

    async with fake_process("bench.fake_workspaces", str(workspaces), ready_within=120) as (
        first,
        proc,
    ):
        url = first["slack"]
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                bot={"content_dir": ROOT / "content", "data_path": Path(tmp) / "briefing.json"},
                console={"enabled": False},
                slack={"enabled": True, "mode": "http", "install": "oauth", "api_url": url,
                       "channels": [channel(n) for n in range(workspaces)]},
            )  # fmt: skip
            app = build(settings)
            await _installed(app, workspaces)
            slack = await build_slack(
                settings.slack, SlackSecrets(), app.service,
                installations=app.store.installations, subscriptions=app.store.subscriptions,
            )  # fmt: skip
            app.platforms.add(slack)
            started = time.monotonic()
            report = await app.engine.deliver(1)
            await slack.stop()
            await app.store.close()
        figures = await ask_figures(proc)
    return started, report.failed, figures


def main() -> list[str]:
    with bench_environment():
        os.environ.pop("SLACK_BOT_TOKEN", None)
        os.environ.update(SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="bench-secret")
        started, failed, f = asyncio.run(deliver(WORKSPACES))
    wall = f["last"] - started
    minimum = (PARTS - BURST) / RATE
    expected = WORKSPACES * PARTS
    return [
        line(f"workspaces {WORKSPACES} slack wall (s, real time)", f"{wall:.2f}",
             f"{minimum:.2f}", f"{minimum / wall:.3f}") + " [goal: ratio >= 0.833 (within 1.2x)]",
        line("workspaces messages sent", str(f["sent"]), str(expected),
             f"{f['sent'] / expected:.3f}"),
        line("workspaces first message / the last channel's first (s)",
             f"{f['first'] - started:.2f} / {f['last_start'] - started:.2f}", "0", "-"),
        line("workspaces slack 429s", str(f["rate_limited"]), "0", "-"),
        line("workspaces failed destinations", str(failed), "0", "-"),
        line("workspaces every message with its own workspace's token", str(f["own_token"]),
             "True", "-"),
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(main()))
