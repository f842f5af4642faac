"""The Telegram harness: the real PTB Application, built by the composition root
(`bot.app.build`), against FakeTelegramAPI on a free port, with Telegram's flood limits on and
the fake's clock and the answers' pacer `SCALE` times faster; and the updates Telegram sends, as
real Update JSON (`command`, `private`, `kicked`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.platform import TelegramPlatform, build_telegram
from bot.adapters.telegram.settings import TelegramSecrets
from bot.app import PACE_SCALE_ENV, Bot, Settings, build
from bot.core.delivery.retry import RetryPolicy
from tests.conftest import CONTENT
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage
from tests.support.ports import free_port

TOKEN = "123456:TEST-TOKEN"
ADMIN = 5550001
USER = 5550002
STRANGER = 5550003
FORUM = -1001234567890
GROUP = -1009876543210
SECRET = "s3cret_Token-1"
WEBHOOK_URL = "https://bot.example.com/telegram"
FAST = RetryPolicy(attempts=3, base_delay=0.01, rate_limited_attempts=2, max_wait=5.0)

SCALE = 10  # the fake's flood limits and the answers' pacer run ten times faster than Telegram
PRIVATE_CHAT = {"id": USER, "first_name": "Ada", "type": "private"}
FORUM_CHAT = {"id": FORUM, "title": "CS Reading Group", "type": "supergroup", "is_forum": True}
GROUP_CHAT = {"id": GROUP, "title": "Plain group", "type": "supergroup"}


def command(
    chat: dict[str, Any], message_id: int, text: str, *, user: int = USER, **extra: Any
) -> dict[str, Any]:
    """A message update starting with a bot_command entity, as Telegram sends it."""
    head = text.split()[0]
    return {
        "message": {
            "message_id": message_id,
            "from": {"id": user, "is_bot": False, "first_name": "Ada", "language_code": "ko"},
            "chat": chat,
            "date": 1700000000,
            "text": text,
            "entities": [{"offset": 0, "length": len(head), "type": "bot_command"}],
            **extra,
        }
    }


def private(user: int = USER) -> dict[str, Any]:
    return {"id": user, "first_name": "Ada", "type": "private"}


def kicked(user: int) -> dict[str, Any]:
    bot = {"id": 123456, "is_bot": True, "first_name": "News", "username": "newsbot"}
    person = {"id": user, "is_bot": False, "first_name": "Ada"}
    return {
        "my_chat_member": {
            "chat": private(user),
            "from": person,
            "date": 1700000000,
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
        }
    }


def make_app(tmp_path: Path, telegram: dict[str, Any], content: Path = CONTENT, **bot: Any) -> Bot:
    settings = Settings(
        bot={
            "content_dir": str(content),
            "data_path": str(tmp_path / "d.json"),
            "admins": [f"telegram:{ADMIN}"],
            "language": "ko",
            **bot,
        },
        telegram={"enabled": True, "mode": "polling", **telegram},
        console={"enabled": False},
    )
    return build(settings)


def telegram_for(app: Bot, **options: Any) -> Any:
    """The Telegram platform built from `app`, as the composition root builds it (command
    answers through the deliveries' pacer)."""
    return build_telegram(
        app.settings.telegram, TelegramSecrets(), app.service, pacer=app.engine.pacer, **options
    )


@dataclass
class Harness:
    fake: FakeTelegramAPI
    app: Bot
    platform: TelegramPlatform

    async def answers(self, chat: int, count: int = 1) -> list[SentMessage]:
        """Wait (event-driven) until `chat` has received `count` messages."""
        async with asyncio.timeout(10):
            while len(self.fake.messages(chat)) < count:
                await self.fake.wait_for_calls(
                    "sendMessage", len(self.fake.calls_to("sendMessage")) + 1
                )
        return self.fake.messages(chat)


def webhook_settings() -> dict[str, Any]:
    return {"mode": "webhook", "webhook_url": WEBHOOK_URL, "webhook_port": free_port()}


@asynccontextmanager
async def open_harness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> AsyncIterator[Harness]:
    """A started platform on a fresh fake with Telegram's flood limits on, its clock and the
    pacer's running `scale` times faster (default SCALE; 1 for real time):
    `webhook=True`, `receive=False`, `api_timeout=seconds` or `limits=False` for the other
    set-ups, `content=folder` for other content, `bot={...}` for other `[bot]` settings,
    `within=seconds` for a test that takes longer than 15 s. On exit it is stopped and leaves no task."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    scale = options.get("scale", SCALE)
    monkeypatch.setenv(PACE_SCALE_ENV, str(scale))  # the answers' pacer, as the fake's clock
    async with asyncio.timeout(options.get("within", 15)):
        fake = FakeTelegramAPI(
            TOKEN, "newsbot", enforce_limits=options.get("limits", True), time_scale=scale
        )
        await fake.start()
        fake.add_chat(ADMIN, "private")
        section = webhook_settings() if options.get("webhook") else {}
        app = make_app(
            tmp_path,
            {"api_url": fake.base_url, **section},
            options.get("content", CONTENT),
            **options.get("bot", {}),
        )
        platform = await telegram_for(
            app, listen="127.0.0.1", answers=FAST, api_timeout=options.get("api_timeout")
        )
        app.platforms.add(platform, platform.start_link)  # as the composition root does
        await platform.start(receive=options.get("receive", True))
        try:
            yield Harness(fake, app, platform)
        finally:
            await platform.stop()
            await fake.close()
    await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert left == []
