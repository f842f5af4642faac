"""The Telegram platform: python-telegram-bot 22 in the shared event loop.

`build_telegram(section, secrets, service)` reads `[telegram]` and the secrets
(`TELEGRAM_BOT_TOKEN`, and `TELEGRAM_WEBHOOK_SECRET` in webhook mode) and returns a
`TelegramPlatform`, which is both the core's `ChatPlatform` (`send`, `open_dm`) and a runnable
(`start`, `stop`):

- polling mode: `initialize()`, `updater.start_polling()`, `start()`; webhook mode: an
  `Application` without updater, `setWebhook` with the secret, and `http.py`'s
  aiohttp server. Never `run_polling`/`run_webhook`: they own the event loop. Pending updates
  are never dropped. `start(receive=False)` only initializes the bot (send-only, for `post`).
- chat strings are `"<chat_id>"` or `"<chat_id>:<topic_id>"` for a forum topic (see
  `send.py`); a private chat's id is the user's id, so `open_dm(user)` is `user`.
- rendering is `render.py`; updates → commands is `inbound.py`.
- no PTB rate limiter: delivery paces itself (`limits.py`, `bot.adapters.infra.pacing`), and
  AIORateLimiter's answer to a 429 is to pause *every* chat; a 429 here becomes `RateLimited`
  for the core's retry layer to wait out. Command answers go through that layer too, and
  through the deliveries' pacer (ahead of deliveries, within a share of the 30/s).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from telegram import BotCommand, Update
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.adapters.infra.clock import SystemClock
from bot.adapters.infra.sending import SendsThroughSender
from bot.adapters.telegram.http import WebhookServer
from bot.adapters.telegram.inbound import (
    TelegramHandlers,
)
from bot.adapters.telegram.request import AiohttpRequest
from bot.adapters.telegram.send import PLATFORM, TelegramSender
from bot.adapters.telegram.settings import TelegramSecrets, TelegramSection
from bot.adapters.telegram.updates import PerChatUpdateProcessor
from bot.config import ConfigError
from bot.core.conversation.commands import COMMANDS
from bot.core.conversation.inbound import Conversation
from bot.core.delivery.ports import Pacer
from bot.core.delivery.retry import ANSWERS, Retrier, RetryingPlatform, RetryPolicy
from bot.core.i18n import Language, t
from bot.core.ports import InboundClaims

log = logging.getLogger(__name__)
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
# Edits are not asked for: an edited command must not be answered (or posted) a second time.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CHANNEL_POST,
    Update.MY_CHAT_MEMBER,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MESSAGE_REACTION,  # a reader's reactions (groups where the bot is an admin)
    Update.MESSAGE_REACTION_COUNT,  # a channel's anonymous totals
]
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")

START_LINK = "https://t.me/{bot}?start={payload}"


def bot_commands(language: Language) -> list[BotCommand]:
    """What setMyCommands advertises: the table's commands that have a menu entry."""
    return [BotCommand(spec.name, t(language, spec.menu)) for spec in COMMANDS if spec.menu]


def _required(value: SecretStr | None, env: str, what: str) -> str:
    secret = value.get_secret_value().strip() if value is not None else ""
    if not secret:
        raise ConfigError([f"error: {env} is not set: {what} (or set [telegram] enabled = false)"])
    return secret


async def build_telegram(
    section: TelegramSection,
    secrets: TelegramSecrets,
    service: Conversation,
    *,
    listen: str = "0.0.0.0",
    port: int | None = None,
    answers: RetryPolicy = ANSWERS,
    api_timeout: float | None = None,
    shared: Callable[[], web.Application] | None = None,
    claims: InboundClaims | None = None,
    poll_when_leading: bool = False,
    pacer: Pacer | None = None,
) -> TelegramPlatform:
    """The Telegram platform (not started). Knobs for tests and operators: `listen`/`port` of
    the webhook server, `answers` (how command answers are retried), `api_timeout` (seconds per
    Bot API call), `shared` (another application whose routes the webhook server serves too:
    the web archive on the same port), `claims` (update ids answered once across replicas),
    `poll_when_leading` (polling mode: getUpdates only between `lead(True)` and `lead(False)`),
    `pacer` (the deliveries' own: command answers go through it too, ahead of deliveries)."""
    # PTB 22 warns when it builds a RetryAfter with an int delay (a deprecation); with this it
    # uses timedelta, so no 429 can ever surface as a warning (an error under strict filters).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # httpx logs every request URL at INFO, and PTB's URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    token = _required(secrets.telegram_bot_token, TOKEN_ENV, "the bot token from @BotFather")
    secret = None
    if section.mode == "webhook":
        secret = _required(secrets.telegram_webhook_secret, SECRET_ENV, "webhook mode needs it")
        if not _SECRET_CHARS.fullmatch(secret):
            raise ConfigError([f"error: {SECRET_ENV} must be 1-256 characters of A-Z a-z 0-9 _ -"])
        if not section.webhook_url:
            raise ConfigError(["error: [telegram] webhook_url is required in webhook mode"])
    return TelegramPlatform(
        service,
        section,
        token,
        webhook_secret=secret,
        listen=listen,
        port=port,
        answers=answers,
        api_timeout=api_timeout,
        shared=shared,
        claims=claims,
        poll_when_leading=poll_when_leading,
        pacer=pacer,
    )


def file_url(api_url: str) -> str:
    """`https://api.telegram.org/bot` → `https://api.telegram.org/file/bot`."""
    base = api_url.rstrip("/")
    return base.removesuffix("/bot") + "/file/bot"


class TelegramPlatform(SendsThroughSender):
    name = PLATFORM
    sender: TelegramSender

    def __init__(
        self,
        service: Conversation,
        section: TelegramSection,
        token: str,
        *,
        webhook_secret: str | None = None,
        listen: str = "0.0.0.0",
        port: int | None = None,
        answers: RetryPolicy = ANSWERS,
        api_timeout: float | None = None,
        shared: Callable[[], web.Application] | None = None,
        claims: InboundClaims | None = None,
        poll_when_leading: bool = False,
        pacer: Pacer | None = None,
    ) -> None:
        self.section = section
        self.webhook_secret = webhook_secret
        self.poll_when_leading = poll_when_leading
        self.application = self._application(token, api_timeout)
        self.sender = TelegramSender(self.application.bot, paid_broadcast=section.paid_broadcast)
        retrier = Retrier(answers, SystemClock())
        patient = RetryingPlatform(self.sender, retrier, pacer)
        TelegramHandlers(service, patient, self.sender, retrier, claims, pacer).install(
            self.application
        )
        self.webhook: WebhookServer | None = None
        if section.mode == "webhook":
            self.webhook = WebhookServer(
                self.application,
                webhook_secret or "",
                host=listen,
                port=port or section.webhook_port,
                shared=shared,
            )

    async def chat_name(self, chat: str) -> str | None:
        """A channel's name for the run reports (`NamesChats`)."""
        return await self.sender.chat_name(chat)

    async def resolve(self, name: str) -> str | None:
        """`/briefing why @name`: the chat id of a public channel or group (`ResolvesNames`)."""
        return await self.sender.resolve(name)

    def _application(
        self, token: str, timeout: float | None
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(self.section.api_url)
            .base_file_url(file_url(self.section.api_url))
            .concurrent_updates(PerChatUpdateProcessor())
            .job_queue(None)
        )
        if timeout is not None:
            request = AiohttpRequest(
                connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout
            )
        else:
            request = AiohttpRequest()
        builder = builder.request(request)  # aiohttp, JSON bodies: see request.py
        if self.section.mode == "webhook":
            builder = builder.updater(None)
        return builder.build()

    def start_link(self, payload: str) -> str | None:
        """`https://t.me/<bot>?start=<payload>`, once getMe has told the bot's username."""
        try:
            username = self.application.bot.username
        except RuntimeError:  # PTB: not initialized yet
            return None
        return START_LINK.format(bot=username, payload=payload)

    # ---- lifecycle -----------------------------------------------------------------------
    async def start(self, *, receive: bool = True) -> None:
        """Connect (getMe); with `receive`, also register commands and take updates. A start
        that fails half-way stops what it started before raising."""
        try:
            await self._connect()
            if receive:
                await self._register_commands()
                await (self._serve_webhook() if self.webhook else self._poll())
        except BaseException:
            await self.stop()
            raise

    async def _connect(self) -> None:
        try:
            await self.application.initialize()
        except InvalidToken:
            raise ConfigError(
                [f"error: the Bot API at {self.section.api_url} refused {TOKEN_ENV}"]
            ) from None
        log.info("telegram: connected as @%s", self.application.bot.username)

    async def _poll(self) -> None:
        if not self.poll_when_leading:
            await self._start_polling()
        await self.application.start()

    async def _start_polling(self) -> None:
        updater = self.application.updater
        assert updater is not None  # polling mode always has one
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)

    async def lead(self, leading: bool) -> None:
        """With `poll_when_leading`, only the leader replica polls getUpdates (Telegram
        answers a second poller 409 Conflict); in webhook mode every replica serves the
        webhook and this does nothing."""
        updater = self.application.updater
        if updater is None or not self.poll_when_leading or not self.application.running:
            return
        if leading and not updater.running:
            await self._start_polling()
            log.info("telegram: polling for updates (this replica leads)")
        elif not leading and updater.running:
            await updater.stop()
            log.info("telegram: stopped polling (another replica leads)")

    async def _serve_webhook(self) -> None:
        assert self.webhook is not None
        await self.application.start()
        url = self.section.webhook_url
        try:
            await self.application.bot.set_webhook(
                url=url,
                secret_token=self.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        except BadRequest as exc:
            raise ConfigError([f"error: setWebhook refused {url!r}: {exc.message}"]) from None
        try:
            await self.webhook.start()
        except OSError as exc:
            where = f"{self.webhook.host}:{self.webhook.port}"
            raise ConfigError([f"error: cannot serve the webhook on {where}: {exc}"]) from None

    async def _register_commands(self) -> None:
        bot = self.application.bot
        try:
            await bot.set_my_commands(bot_commands("en"))
            await bot.set_my_commands(bot_commands("en"), language_code="en")
            await bot.set_my_commands(bot_commands("ko"), language_code="ko")
        except TelegramError as exc:  # a missing command menu must not keep the bot down
            log.warning("telegram: setMyCommands failed: %s", exc)

    async def stop(self) -> None:
        """Stop taking updates, finish the ones in progress, close connections. Idempotent."""
        if self.webhook is not None:
            await self.webhook.stop()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
