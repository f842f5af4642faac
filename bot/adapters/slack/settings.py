"""`[slack]` and Slack's secrets (read only from the environment)."""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import ConfigError, PlatformSection

# named when a secret is found in the config file
ENV_SECRETS = "SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET or SLACK_CLIENT_SECRET"


class SlackSection(PlatformSection):
    mode: Literal["socket", "http"] = "socket"
    api_url: str = "https://slack.com/api/"
    channels: tuple[str, ...] = ()
    http_port: int = Field(3000, ge=1, le=65535)
    # "single": one workspace's SLACK_BOT_TOKEN; "oauth": any workspace installs the app with
    # "Add to Slack" (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET; http mode only)
    install: Literal["single", "oauth"] = "single"
    oauth_redirect_url: str = ""  # the public URL of GET /slack/oauth_redirect

    @field_validator("oauth_redirect_url")
    @classmethod
    def _redirect_absolute(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+/\S*$", value):
            raise ValueError(
                f"{value!r} is not an absolute http(s) URL "
                "(e.g. https://bot.example.com/slack/oauth_redirect)"
            )
        return value

    @model_validator(mode="after")
    def _oauth_needs_http(self) -> SlackSection:
        if self.install == "oauth" and self.mode != "http":
            raise ValueError(
                'install = "oauth" needs mode = "http": the install page and its redirect are '
                "served on http_port"
            )
        return self


class SlackSecrets(BaseSettings):
    """Slack's tokens, from the environment; SecretStr keeps them out of reprs and logs."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: SecretStr | None = None  # [slack] install = "oauth"
    slack_client_secret: SecretStr | None = None


class SlackConfigError(ConfigError, ValueError):
    """The Slack adapter cannot start with this configuration: one line, never a secret."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None and value.get_secret_value() else None


def tokens(
    secrets: SlackSecrets, mode: Literal["socket", "http"]
) -> tuple[str, str | None, str | None]:
    """(bot token, app token, signing secret) for `mode`, or a SlackConfigError naming the
    missing environment variable."""
    if os.environ.get("SLACK_CLIENT_ID") and os.environ.get("SLACK_CLIENT_SECRET"):
        raise SlackConfigError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: bolt would switch to OAuth and "
            'ignore SLACK_BOT_TOKEN; unset them, or set [slack] install = "oauth"'
        )
    bot = _secret(secrets.slack_bot_token)
    if bot is None or not bot.startswith("xoxb-"):
        raise SlackConfigError("SLACK_BOT_TOKEN must be set to the app's bot token (xoxb-…)")
    app_token = _secret(secrets.slack_app_token)
    if mode == "socket" and (app_token is None or not app_token.startswith("xapp-")):
        raise SlackConfigError(
            "SLACK_APP_TOKEN must be set to an app-level token (xapp-…, scope connections:write)"
            ' for [slack] mode = "socket"'
        )
    signing = _secret(secrets.slack_signing_secret)
    if mode == "http" and signing is None:
        raise SlackConfigError(
            "SLACK_SIGNING_SECRET must be set to the app's signing secret"
            ' for [slack] mode = "http"'
        )
    return bot, app_token, signing


def oauth_secrets(secrets: SlackSecrets) -> tuple[str, str, str]:
    values = {
        "SLACK_CLIENT_ID": _secret(secrets.slack_client_id),
        "SLACK_CLIENT_SECRET": _secret(secrets.slack_client_secret),
        "SLACK_SIGNING_SECRET": _secret(secrets.slack_signing_secret),
    }
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise SlackConfigError(
            f'{" and ".join(missing)} must be set for [slack] install = "oauth" '
            "(the app's Basic Information page)"
        )
    client_id, client_secret, signing = values.values()
    assert client_id and client_secret and signing
    return client_id, client_secret, signing
