"""The shipped Slack app manifest declares exactly what the adapter handles and needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.slack.inbound import SLASH_COMMANDS
from bot.adapters.slack.oauth.flow import BOT_SCOPES
from bot.core.conversation.commands import COMMANDS

REDIRECT_PATH = "/slack/oauth_redirect"  # bolt's default, which the bot serves
MANIFEST = Path(__file__).resolve().parents[3] / "slack-manifest.yaml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_registered_slash_command_is_declared_and_vice_versa(
    manifest: dict[str, Any],
) -> None:
    declared = [entry["command"] for entry in manifest["features"]["slash_commands"]]

    assert sorted(declared) == sorted(SLASH_COMMANDS)
    assert len(declared) == len(set(declared))
    # derived from the command table: its slash commands, and /briefing for the rest
    assert sorted(declared) == sorted([f"/{c.name}" for c in COMMANDS if c.slash] + ["/briefing"])


def test_slash_commands_are_valid_for_socket_mode(manifest: dict[str, Any]) -> None:
    for entry in manifest["features"]["slash_commands"]:
        assert 2 <= len(entry["command"]) <= 32 and entry["command"].startswith("/")
        assert 1 <= len(entry["description"]) <= 2000
        assert "url" not in entry  # Socket Mode: no request URL
    hints = {e["command"]: e.get("usage_hint") for e in manifest["features"]["slash_commands"]}
    assert hints["/term"] and hints["/issue"] and hints["/search"] and hints["/briefing"]


def test_bot_scopes_are_exactly_those_needed(manifest: dict[str, Any]) -> None:
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(
        [
            "chat:write",
            "commands",
            "im:write",
            "im:history",
            "app_mentions:read",
            "users:read",
            "channels:read",
            "groups:read",
            "reactions:read",
        ]
    )
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])  # OAuth asks
    assert "user" not in manifest["oauth_config"]["scopes"]
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.startswith("https://") and redirect.endswith(REDIRECT_PATH)


def test_events_home_interactivity_and_socket_mode(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == sorted(
        [
            "app_home_opened",
            "app_mention",
            "channel_left",
            "group_left",
            "member_joined_channel",
            "app_uninstalled",
            "message.im",
            "tokens_revoked",
            "reaction_added",
            "reaction_removed",
        ]
    )
    assert "request_url" not in settings["event_subscriptions"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True and home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is False  # users type commands there


def test_display_information_fits_slack_limits(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info.get("description", "")) <= 140
    assert len(manifest["features"]["bot_user"]["display_name"]) <= 80
