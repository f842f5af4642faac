"""The Slack platform: bolt's `AsyncApp` on slack_sdk's `AsyncWebClient`, in the shared loop.

Modes (`[slack] mode`):
- `socket`: Socket Mode through bolt's aiohttp handler (`connect_async`, never the blocking
  runner). Needs `SLACK_BOT_TOKEN` (xoxb-…) and `SLACK_APP_TOKEN` (xapp-…, connections:write).
- `http`: `http.py`'s aiohttp server on `[slack] http_port`. Needs `SLACK_BOT_TOKEN` and
  `SLACK_SIGNING_SECRET`.

Installs (`[slack] install`):
- `single`: one workspace, `SLACK_BOT_TOKEN`.
- `oauth` (http mode only): any workspace installs the app (`oauth.py`); no bot token, but
  `SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET`, `SLACK_SIGNING_SECRET`. Installations are kept in the
  store (`installations.py`), each call goes out with its workspace's token (`workspaces.py`).

Sending and error translation are `send.py`; inbound traffic → commands is `inbound.py`.

Gotcha: with both `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` in the environment, bolt silently
switches to multi-workspace OAuth and drops the bot token. With `install = "single"`,
`build_slack` refuses to start then and names the variables to unset.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

from bot.adapters.infra.sending import SendsThroughSender
from bot.adapters.slack.http import SlackHttpServer
from bot.adapters.slack.inbound import SlackHandlers
from bot.adapters.slack.oauth import distribution, pinned
from bot.adapters.slack.oauth.flow import oauth_settings
from bot.adapters.slack.oauth.installations import StoreInstallations
from bot.adapters.slack.oauth.workspaces import ForgetDestinations, Workspaces
from bot.adapters.slack.send import (
    PLATFORM,
    SlackSender,
    error_code,
    make_client,
    pooled_session,
    translate,
)
from bot.adapters.slack.settings import (
    SlackConfigError,
    SlackSecrets,
    SlackSection,
    oauth_secrets,
    tokens,
)
from bot.core.conversation.inbound import Conversation
from bot.core.delivery.ports import Pacer
from bot.core.errors import PlatformError
from bot.core.i18n import Language, t
from bot.core.ports import InboundClaims, SubscriptionStore
from bot.store.common import InstallationStore

log = logging.getLogger(__name__)
Mode = Literal["socket", "http"]
SharedRoutes = Callable[[], web.Application]


class _TokenFallbackNoise(logging.Filter):
    """Drops bolt's "`token` will be unused" warning: AsyncApp reads SLACK_BOT_TOKEN from the
    environment even when given a client, then warns about it; the client has that token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _quiet_bolt() -> None:
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenFallbackNoise) for f in bolt_log.filters):
        bolt_log.addFilter(_TokenFallbackNoise())


def _refused(variable: str, exc: SlackApiError) -> PlatformError | SlackConfigError:
    """A start-up failure: Slack's "no" to a token is a configuration error; anything else
    (5xx, a reset) is the usual platform error."""
    code = error_code(exc)
    if code is None or code in ("ratelimited", "fatal_error", "internal_error"):
        return translate(exc, "auth")
    return SlackConfigError(f"{variable} was refused by Slack ({code})")


class SlackPlatform(SendsThroughSender):
    """The `ChatPlatform` port for Slack (through its `SlackSender`), plus `start`/`stop`."""

    name = PLATFORM
    sender: SlackSender

    def __init__(
        self,
        bolt: AsyncApp,
        sender: SlackSender,
        *,
        mode: Mode,
        app_token: str | None = None,
        host: str = "0.0.0.0",
        port: int = 3000,
        shared: SharedRoutes | None = None,
        channels: tuple[str, ...] = (),
    ) -> None:
        self.bolt = bolt
        self.channels = channels  # [slack] channels, placed in their workspaces at start (OAuth)
        self.sender = sender
        self.workspaces = sender.workspaces
        self.client = sender.client
        self.mode: Mode = mode
        self._app_token = app_token
        self._http = (
            SlackHttpServer(bolt, host=host, port=port, shared=shared) if mode == "http" else None
        )
        self._socket: AsyncSocketModeHandler | None = None

    async def chat_name(self, chat: str) -> str | None:
        """A channel's name for the run reports (`NamesChats`)."""
        return await self.sender.chat_name(chat)

    @property
    def port(self) -> int:
        """The HTTP port (the real one once started, when 0 asked for a free one)."""
        return self._http.port if self._http is not None else 0

    async def start(self, *, receive: bool = True) -> None:
        """Check the bot token, then connect (socket) or listen (http); a refused token is a
        `SlackConfigError` naming its variable. `receive=False` (`briefing-bot post`) only
        sends: no socket, which would take a share of the workspace's events, and no server.
        OAuth installs have no one token to check: each workspace's is checked per request;
        each of `[slack] channels` is placed in its workspace (`pinned.py`), or the start is
        refused naming those in none."""
        if self.workspaces is not None:
            count = len(await self.workspaces.store.workspaces())
            log.info("slack: distributed with OAuth, installed in %d workspaces", count)
            await self._place_channels(count)
        else:
            await self._sign_in()
        if not receive:
            return
        if self._http is not None:
            await self._http.start()
        else:
            await self._connect_socket()

    async def connected(self) -> bool:
        """Socket Mode: the SDK's connection is open and answers its pings (`/readyz`); the
        HTTP mode has nothing to lose."""
        if self._socket is None:
            return self._http is not None
        return bool(await self._socket.client.is_connected())

    async def stats_line(self, language: Language) -> str | None:
        """`/stats`: the workspaces installed, and those that left since the start (OAuth)."""
        if self.workspaces is None:
            return None
        installed = len(await self.workspaces.store.workspaces())
        return t(language, "slack_workspaces", installed=installed, left=self.workspaces.left)

    async def _place_channels(self, installed: int) -> None:
        assert self.workspaces is not None
        nowhere = await pinned.unplaced(self.channels, self.workspaces, self.client)
        if nowhere:
            await self.stop()
            names, are = ", ".join(nowhere), "are" if len(nowhere) > 1 else "is"
            raise SlackConfigError(
                f"[slack] channels: {names} {are} in none of the {installed} workspaces the app "
                "is installed in (or private without the app); install the app there and invite "
                "it, or remove it from [slack] channels"
            )

    async def _sign_in(self) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            raise _refused("SLACK_BOT_TOKEN", exc) from None
        log.info("slack: signed in as %s in %s", identity.get("user"), identity.get("team"))

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

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._http is not None:
            await self._http.stop()
        if self.client.session is not None:
            await self.client.session.close()


def _oauth_app(
    section: SlackSection,
    secrets: SlackSecrets,
    service: Conversation,
    installations: InstallationStore,
    subscriptions: SubscriptionStore,
) -> tuple[AsyncApp, SlackSender]:
    """bolt with the OAuth flow and authorize on our installation store; a sender that finds
    each chat's workspace token."""
    client_id, client_secret, signing = oauth_secrets(secrets)
    store = StoreInstallations(installations)
    # one connection pool for every workspace's calls (closed by `SlackPlatform.stop`)
    client = make_client(None, section.api_url, pooled_session())
    rotator = AsyncTokenRotator(client_id=client_id, client_secret=client_secret, client=client)
    workspaces = Workspaces(store, rotator, subscriptions)
    sender = SlackSender(client, workspaces)
    settings = oauth_settings(
        client_id=client_id,
        client_secret=client_secret,
        redirect_url=section.oauth_redirect_url,
        api_url=section.api_url,
        installations=store,
        language=service.language,
        installed=lambda key: pinned.installed(key, section.channels, workspaces, client),
    )
    bolt = AsyncApp(
        client=client,
        signing_secret=signing,
        installation_store=store,
        installation_store_bot_only=True,
        oauth_settings=settings,
        name="neural-briefing",
    )
    return bolt, sender


async def build_slack(
    section: SlackSection,
    secrets: SlackSecrets,
    service: Conversation,
    *,
    host: str = "0.0.0.0",
    port: int | None = None,
    shared: SharedRoutes | None = None,
    installations: InstallationStore | None = None,
    subscriptions: SubscriptionStore | None = None,
    forget_destinations: ForgetDestinations | None = None,
    claims: InboundClaims | None = None,
    pacer: Pacer | None = None,
) -> SlackPlatform:
    """The Slack platform (not started). `host`/`port` override `[slack] http_port` (tests pass
    127.0.0.1 and 0 for a free port; `platform.port` tells which after start); `shared` makes
    the HTTP server serve another application's routes too (the web archive on the same port);
    `claims` answers each event_id once across replicas. OAuth installs keep their
    installations in `installations` and remove a leaving workspace's readers from
    `subscriptions`; `forget_destinations` (the hook for opted-in channels, `/briefing here`)
    is called with a leaving workspace's chats."""
    _quiet_bolt()
    app_token = None
    if section.install == "oauth":
        if installations is None or subscriptions is None:
            raise SlackConfigError('install = "oauth" needs the store (installations)')
        bolt, sender = _oauth_app(section, secrets, service, installations, subscriptions)
        if sender.workspaces is not None:
            sender.workspaces.forget_destinations = forget_destinations
    else:
        bot_token, app_token, signing = tokens(secrets, section.mode)
        # one connection pool for every call (closed by `SlackPlatform.stop`)
        sender = SlackSender(make_client(bot_token, section.api_url, pooled_session()))
        bolt = AsyncApp(
            client=sender.client,
            signing_secret=signing or "",
            request_verification_enabled=section.mode == "http",
            name="neural-briefing",
        )
    SlackHandlers(sender, service, sender.client, claims, pacer).register(bolt)
    if sender.workspaces is not None:
        distribution.register(bolt, sender.workspaces)
    return SlackPlatform(
        bolt,
        sender,
        mode=section.mode,
        app_token=app_token,
        host=host,
        port=section.http_port if port is None else port,
        shared=shared,
        channels=section.channels if section.install == "oauth" else (),
    )
