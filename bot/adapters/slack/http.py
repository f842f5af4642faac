"""HTTP mode: an aiohttp server with `POST /slack/events` (commands, events, interactions) and
`GET /healthz`, handing each request to bolt through its aiohttp adapter; with OAuth installs,
also bolt's `GET /slack/install` and `GET /slack/oauth_redirect` (as bolt's own server does).

bolt verifies every signature (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) and answers a bad
or stale one (older than 5 minutes) with 401 before anything runs. A signature is valid for those
5 minutes, so `_Replays` remembers the accepted ones and refuses the same request a second time.
A body bolt cannot parse is 400.

`shared` is another aiohttp application (the web archive, when `[web] port` equals `[slack]
http_port`) whose routes this server serves too: Slack's routes are added to it, so one port
answers both. The composition root makes it; this adapter does not know what it serves.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class SlackHttpServer:
    """Serves bolt on `host:port` while started; `port` is the real one after `start()`."""

    def __init__(
        self,
        bolt: AsyncApp,
        *,
        host: str,
        port: int,
        shared: Callable[[], web.Application] | None = None,
    ) -> None:
        self.bolt, self.shared = bolt, shared
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None
        self._replays = _Replays()

    async def start(self) -> None:
        server = self.shared() if self.shared is not None else web.Application()
        server.router.add_post(EVENTS_PATH, self._events)
        server.router.add_get("/healthz", self._healthz)
        flow = self.bolt.oauth_flow
        if flow is not None:
            server.router.add_get(flow.install_path, self._install)
            server.router.add_get(flow.redirect_uri_path, self._redirect)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("slack: listening on http://%s:%d%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
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

    async def _install(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        answer = await self.bolt.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def _redirect(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        answer = await self.bolt.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "platform": "slack", "mode": "http"})


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
