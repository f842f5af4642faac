"""The Slack platform: bolt's `AsyncApp` on slack_sdk's `AsyncWebClient`, in the shared loop.

Modes (`[slack] mode`):
- `socket`: Socket Mode through bolt's aiohttp handler (`connect_async`, never the blocking
  runner). Needs `SLACK_BOT_TOKEN` (xoxb-…) and `SLACK_APP_TOKEN` (xapp-…, connections:write).
- `http`: an aiohttp server on `[slack] http_port` with `POST /slack/events` (commands, events,
  interactions) and `GET /healthz`. Needs `SLACK_BOT_TOKEN` and `SLACK_SIGNING_SECRET`; bolt
  verifies every signature and answers a bad or stale one with 401 before anything runs.

Web API calls go to `[slack] api_url` with the SDK's retry handlers (connection errors, 429 after
`Retry-After`, 500/503); what still fails is translated once, in `send`, into the core's errors.

Gotcha: with both `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` in the environment, bolt silently
switches to multi-workspace OAuth and drops the bot token. This is a single-workspace bot, so
`build_slack` refuses to start then and names the variables to unset.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import ClientError, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters import slack_render
from bot.adapters.slack_handlers import SLASH_COMMANDS, SlackHandlers
from bot.config import ConfigError
from bot.core.errors import (
    MessageRejected,
    PlatformError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.core.messages import Message, MessageRef

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["SLASH_COMMANDS", "SlackConfigError", "SlackPlatform", "build_slack"]
log = logging.getLogger(__name__)

Mode = Literal["socket", "http"]
EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 3
_INVITE = "invite the app there with /invite @<app name>, or remove it from [slack] channels"
_USER_GONE = "the user is deactivated or no longer in the workspace"
GONE = {
    "channel_not_found": _INVITE,  # also private channels and DMs the app is not in
    "not_in_channel": _INVITE,
    "is_archived": "the channel is archived; unarchive it or remove it from [slack] channels",
    "user_not_found": _USER_GONE,
    "account_inactive": _USER_GONE,
    "user_disabled": _USER_GONE,
}
REJECTED = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long",
     "no_text", "too_many_attachments", "invalid_arguments"}
)  # fmt: skip


class SlackConfigError(ConfigError, ValueError):
    """The Slack adapter cannot start with this configuration: one line, never a secret."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


class _TokenFallbackNoise(logging.Filter):
    """Drops bolt's "`token` will be unused" warning: AsyncApp reads SLACK_BOT_TOKEN from the
    environment even when given a client, then warns about it; the client has that token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _quiet_bolt() -> None:
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenFallbackNoise) for f in bolt_log.filters):
        bolt_log.addFilter(_TokenFallbackNoise())


def _retry_after(headers: Any) -> float:
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return 1.0


def translate(exc: Exception, chat: str, payload: dict[str, Any] | None = None) -> PlatformError:
    """One Slack failure as the core's error, logged once with what an operator needs."""
    if not isinstance(exc, SlackApiError):
        log.warning("slack: %s talking to %s: %s", type(exc).__name__, chat, exc)
        return TransientError(f"slack: {type(exc).__name__}", chat=chat)
    response = exc.response
    status = int(getattr(response, "status_code", None) or getattr(response, "status", 0) or 0)
    data = getattr(response, "data", None)
    code = str(data.get("error", "")) if isinstance(data, dict) else ""
    if status == 429 or code in ("ratelimited", "rate_limited"):
        wait = _retry_after(getattr(response, "headers", None))
        log.warning("slack: still rate limited in %s after retries; retry after %ss", chat, wait)
        return RateLimited(f"slack: {code or 429}", retry_after=wait, chat=chat)
    if code in GONE:
        log.warning("slack: cannot reach %s (%s): %s", chat, code, GONE[code])
        return RecipientGone(f"slack: {code}", chat=chat)
    if code in REJECTED:
        size = len(json.dumps(payload, ensure_ascii=False)) if payload else 0
        blocks = len((payload or {}).get("blocks") or [])
        log.error(
            "slack: %s refused a message (%s): %d characters, %d blocks", chat, code, size, blocks
        )
        return MessageRejected(f"slack: {code}", chat=chat)
    if not code or status >= 500:
        log.warning("slack: transient failure in %s (HTTP %s)", chat, status)
        return TransientError(f"slack: HTTP {status}", chat=chat)
    log.error("slack: the Web API answered %s for %s", code, chat)
    return PlatformError(f"slack: {code}", chat=chat)


def _refused(variable: str, exc: SlackApiError) -> PlatformError | SlackConfigError:
    """A start-up failure: Slack's "no" to a token is a configuration error; anything else
    (5xx, a reset) is the usual platform error."""
    data = getattr(exc.response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    if code is None or code in ("ratelimited", "fatal_error", "internal_error"):
        return translate(exc, "auth")
    return SlackConfigError(f"{variable} was refused by Slack ({code})")


class SlackPlatform:
    """The `ChatPlatform` port for Slack, plus `start`/`stop` for the composition root."""

    name = "slack"

    def __init__(
        self,
        bolt: AsyncApp,
        client: AsyncWebClient,
        *,
        mode: Mode,
        app_token: str | None = None,
        host: str = "0.0.0.0",
        port: int = 3000,
    ) -> None:
        self.bolt = bolt
        self.client = client
        self.mode: Mode = mode
        self._app_token = app_token
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._replays = _Replays()
        self._socket: AsyncSocketModeHandler | None = None

    # the port ----------------------------------------------------------------------------

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        """Post every payload of `message`; parts after the first go into the same thread."""
        thread = (reply_to.thread or reply_to.id) if reply_to else None
        first: MessageRef | None = None
        for payload in slack_render.render_message(message, reply=reply_to is not None):
            ts = await self._post(chat, payload, thread)
            if first is None:
                first = MessageRef(self.name, chat, ts, thread)
                thread = thread or ts
        assert first is not None  # render_message always returns at least one payload
        return first

    async def _post(self, chat: str, payload: dict[str, Any], thread: str | None) -> str:
        try:
            response = await self.client.chat_postMessage(channel=chat, thread_ts=thread, **payload)
        except (SlackClientError, ClientError, TimeoutError) as exc:
            raise translate(exc, chat, payload) from exc
        return str(response["ts"])

    async def open_dm(self, user: str) -> str:
        try:
            response = await self.client.conversations_open(users=user)
        except (SlackClientError, ClientError, TimeoutError) as exc:
            raise translate(exc, user) from exc
        return str(response["channel"]["id"])

    # lifecycle ---------------------------------------------------------------------------

    async def start(self, *, receive: bool = True) -> None:
        """Check the bot token, then connect (socket) or listen (http); a refused token is a
        `SlackConfigError` naming its variable. `receive=False` (`briefing-bot post`) only
        sends: no socket, which would take a share of the workspace's events, and no server."""
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            raise _refused("SLACK_BOT_TOKEN", exc) from None
        log.info("slack: signed in as %s in %s", identity.get("user"), identity.get("team"))
        if not receive:
            return
        if self.mode == "socket":
            await self._connect_socket()
        else:
            await self._listen()

    async def _connect_socket(self) -> None:
        self._socket = AsyncSocketModeHandler(
            self.bolt, app_token=self._app_token, web_client=self.client
        )
        try:  # the SDK's connect() retries forever; a refused app token must fail here
            self._socket.client.wss_uri = await self._socket.client.issue_new_wss_url()
        except SlackApiError as exc:
            await self.stop()
            raise _refused("SLACK_APP_TOKEN", exc) from None
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: connected in Socket Mode")

    async def _listen(self) -> None:
        server = web.Application()
        server.router.add_post(EVENTS_PATH, self._events)
        server.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("slack: listening on http://%s:%d%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _events(self, request: web.Request) -> web.Response:
        signature = request.headers.get("X-Slack-Signature", "")
        if self._replays.seen(signature):
            log.warning("slack: refused a replayed request (same signature within 5 minutes)")
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, UnicodeDecodeError):  # bolt parses the body before it checks it
            return web.json_response({"error": "invalid request body"}, status=400)
        response = await self.bolt.async_dispatch(bolt_request)
        if response.status == 200:
            self._replays.remember(signature)
        return await to_aiohttp_response(response)

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "platform": self.name, "mode": self.mode})


class _Replays:
    """Signatures of requests already accepted. Slack's signature covers the timestamp, and bolt
    refuses timestamps older than 5 minutes, so remembering 5 minutes of them stops a captured
    request from being played again."""

    WINDOW = 5 * 60 + 30
    LIMIT = 100_000

    def __init__(self) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen(self, signature: str) -> bool:
        self._expire()
        return bool(signature) and signature in self._seen

    def remember(self, signature: str) -> None:
        if signature:
            self._seen[signature] = time.monotonic()
            if len(self._seen) > self.LIMIT:
                self._seen.popitem(last=False)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.WINDOW
        while self._seen and next(iter(self._seen.values())) < cutoff:
            self._seen.popitem(last=False)


def _secret(app: App, field: str) -> str | None:
    value = getattr(app.secrets, field)
    return value.get_secret_value() if value is not None and value.get_secret_value() else None


def _tokens(app: App, mode: Mode) -> tuple[str, str | None, str | None]:
    """(bot token, app token, signing secret) for `mode`, or a SlackConfigError naming the
    missing environment variable."""
    if os.environ.get("SLACK_CLIENT_ID") and os.environ.get("SLACK_CLIENT_SECRET"):
        raise SlackConfigError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: bolt would switch to OAuth and "
            "ignore SLACK_BOT_TOKEN; unset them (this bot uses one workspace's bot token)"
        )
    bot = _secret(app, "slack_bot_token")
    if bot is None or not bot.startswith("xoxb-"):
        raise SlackConfigError("SLACK_BOT_TOKEN must be set to the app's bot token (xoxb-…)")
    app_token = _secret(app, "slack_app_token")
    if mode == "socket" and (app_token is None or not app_token.startswith("xapp-")):
        raise SlackConfigError(
            "SLACK_APP_TOKEN must be set to an app-level token (xapp-…, scope connections:write)"
            ' for [slack] mode = "socket"'
        )
    signing = _secret(app, "slack_signing_secret")
    if mode == "http" and signing is None:
        raise SlackConfigError(
            "SLACK_SIGNING_SECRET must be set to the app's signing secret"
            ' for [slack] mode = "http"'
        )
    return bot, app_token, signing


def make_client(token: str, api_url: str) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


async def build_slack(app: App, *, host: str = "0.0.0.0", port: int | None = None) -> SlackPlatform:
    """The Slack platform for `app` (not started). `host`/`port` override `[slack] http_port`
    (tests pass 127.0.0.1 and 0 for a free port; `platform.port` tells which after start)."""
    settings = app.settings.slack
    bot_token, app_token, signing = _tokens(app, settings.mode)
    client = make_client(bot_token, settings.api_url)
    _quiet_bolt()
    bolt = AsyncApp(
        client=client,
        signing_secret=signing or "",
        request_verification_enabled=settings.mode == "http",
        name="neural-briefing",
    )
    platform = SlackPlatform(
        bolt,
        client,
        mode=settings.mode,
        app_token=app_token,
        host=host,
        port=settings.http_port if port is None else port,
    )
    SlackHandlers(platform, app.service, client).register(bolt)
    return platform
