"""Webhook mode: an aiohttp server in the shared event loop that feeds PTB's update queue.

`POST /telegram` accepts an update only with the secret given to `setWebhook`, sent back by
Telegram as `X-Telegram-Bot-Api-Secret-Token` (docs/platforms.md §2.5): a missing or wrong secret is
403 and nothing else happens; a body that is not a JSON update is 400; otherwise the update is
queued for the running `Application` and the answer is 200 at once (handlers run afterwards).
`GET /healthz` answers 200 "ok".

`shared` is another aiohttp application (the web archive, when `[web] port` equals `[telegram]
webhook_port`) whose routes this server serves too, so one port answers both.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Update

log = logging.getLogger(__name__)
PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


class WebhookServer:
    """Serves the webhook on `host:port` while started."""

    def __init__(
        self,
        application: Any,
        secret: str,
        *,
        host: str = "0.0.0.0",
        port: int = 8443,
        shared: Callable[[], web.Application] | None = None,
    ) -> None:
        self.application = application  # a started telegram.ext.Application
        self.shared = shared
        self.secret = secret.encode()
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    def routes(self) -> web.Application:
        # a shared application keeps aiohttp's default body limit, 1 MB: MAX_BODY
        app = (
            self.shared() if self.shared is not None else web.Application(client_max_size=MAX_BODY)
        )
        app.router.add_post(PATH, self.receive)
        app.router.add_get("/healthz", self.health)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.routes(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("telegram webhook listening on %s:%s%s", self.host, self.port, PATH)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def authentic(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self.secret)

    async def receive(self, request: web.Request) -> web.Response:
        if not self.authentic(request):
            log.warning(
                "telegram webhook: request without the right secret from %s", request.remote
            )
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update object")
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="not a Telegram update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")
