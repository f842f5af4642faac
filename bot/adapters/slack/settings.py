"""`[slack]` and Slack's secrets (read only from the environment)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import PlatformSection

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
