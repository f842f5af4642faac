"""`[telegram]` and Telegram's secrets (read only from the environment)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import PlatformSection

ENV_SECRETS = "TELEGRAM_BOT_TOKEN or TELEGRAM_WEBHOOK_SECRET"  # named when the file holds one


class TelegramSection(PlatformSection):
    mode: Literal["polling", "webhook"] = "polling"
    api_url: str = "https://api.telegram.org/bot"
    chats: tuple[int | str, ...] = ()
    webhook_url: str = ""
    webhook_port: int = Field(8443, ge=1, le=65535)
    packed_threads: Literal["dm", "all", "none"] = "dm"  # which threads pack their sections
    paid_broadcast: bool = False  # allow_paid_broadcast: up to 1,000 msg/s, billed in Stars


class TelegramSecrets(BaseSettings):
    """Telegram's tokens, from the environment; SecretStr keeps them out of reprs and logs."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
