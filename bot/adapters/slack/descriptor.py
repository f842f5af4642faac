"""Slack, as the composition root sees it (`bot.adapters.infra.descriptor`): `[slack]`, its
secrets, its limits, its channels, how it is built and previewed. Loads no SDK until `build`."""

from __future__ import annotations

from bot.adapters.infra.descriptor import CONCURRENCY, Wiring
from bot.adapters.infra.pacing import Limits
from bot.adapters.slack.limits import LIMITS
from bot.adapters.slack.settings import ENV_SECRETS, SlackSecrets, SlackSection
from bot.core.model.messages import Thread
from bot.core.model.packing import Packing
from bot.core.ports import Runnable

# Slack's limits are per channel (no overall bucket), so with OAuth installs in many
# workspaces every workspace's channel may be in flight at once.
OAUTH_CONCURRENCY = 1024


class Slack:
    name = "slack"
    section = SlackSection
    secrets = (SlackSecrets, ENV_SECRETS)
    in_terminal = False

    def __init__(self, *, host: str = "0.0.0.0", port: int | None = None) -> None:
        """`host`/`port` override `[slack] http_port` (tests: 127.0.0.1 and 0, a free port)."""
        self.host, self.port = host, port

    def channels(self, section: SlackSection) -> list[str]:
        return list(section.channels)

    def limits(self, section: SlackSection) -> Limits:
        return LIMITS

    def concurrency(self, section: SlackSection) -> int:
        return OAUTH_CONCURRENCY if section.install == "oauth" else CONCURRENCY

    def packing(self, section: SlackSection) -> Packing | None:
        return None

    def http_port(self, section: SlackSection) -> tuple[str, int] | None:
        if section.mode != "http":
            return None
        return "http_port", section.http_port if self.port is None else self.port

    async def build(self, section: SlackSection, wiring: Wiring) -> Runnable:
        from bot.adapters.slack.platform import build_slack

        gone = wiring.gone

        async def forget(chats: list[str]) -> int:  # a workspace left: its channels' opt-ins
            return 0 if gone is None else len(await gone(self.name, chats, "the workspace left"))

        return await build_slack(
            section,
            SlackSecrets(),
            wiring.service,
            host=self.host,
            port=self.port,
            shared=wiring.routes,
            installations=wiring.installations,
            subscriptions=wiring.subscriptions,
            claims=wiring.claims,
            forget_destinations=forget,
            pacer=wiring.pacer,
        )

    def spell(self, command: str, slash: bool) -> str:
        """The app's own slash commands, and `/briefing <name>` for the rest (one slash command
        for them all: the manifest's list stays short)."""
        if slash:
            return f"/{command}"
        return "/briefing" if command in ("help", "briefing") else f"/briefing {command}"

    def preview(self, thread: Thread) -> str:
        from bot.adapters.slack.render import preview_json

        return preview_json(thread)


SLACK = Slack()
