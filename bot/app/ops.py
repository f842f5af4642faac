"""What an operator's tools ask every HTTP server of the bot: `GET /metrics` (Prometheus),
`GET /livez` (the event loop answers) and `GET /readyz` (content loaded, store reachable, every
enabled platform started and connected; a standby replica is ready: it answers commands). The
composition root adds these routes to the web archive's server, Slack's HTTP server and
Telegram's webhook server, and serves them alone on `[metrics] port` when that is set.

`/readyz` answers 200 or 503 with JSON naming what is not ready, and the content's version.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.app.metrics import Metrics, Revision
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Connected
from bot.store.backend import Backend

if TYPE_CHECKING:  # aiohttp loads only when a server starts: `post` and `validate` skip it
    from aiohttp import web

log = logging.getLogger(__name__)
PING = 2.0  # seconds the store has to answer /readyz


@dataclass(frozen=True)
class Readiness:
    """What `/readyz` checks."""

    live: LiveContent
    store: Backend
    platforms: PlatformRegistry
    enabled: Collection[str]  # the platforms that should be started
    revision: Revision
    metrics: Metrics

    def version(self) -> dict[str, Any]:
        archive = self.live.current.archive
        return {
            "issues": len(archive),
            "newest": archive.numbers[-1] if archive.numbers else None,
            "terms": len(self.live.current.glossary),
            "revision": self.revision(),
        }

    async def problems(self) -> list[str]:
        """What is not ready, in words (none: ready)."""
        found = []
        if not len(self.live.loaded.archive):
            found.append("content: no issue loaded")
        try:
            await asyncio.wait_for(self.store.ping(), PING)
        except Exception as exc:
            self.metrics.store_errors.labels("ready").inc()
            found.append(f"store: {exc or type(exc).__name__}")
        for name in self.enabled:
            if name not in self.platforms:
                found.append(f"{name}: not started")
                continue
            platform = self.platforms.get(name)
            if isinstance(platform, Connected) and not await platform.connected():
                found.append(f"{name}: not connected")
        return found


@dataclass(frozen=True)
class Ops:
    metrics: Metrics
    readiness: Readiness

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/livez", self._livez)
        app.router.add_get("/readyz", self._readyz)

    async def _metrics(self, request: web.Request) -> web.Response:
        from aiohttp import web

        body = await self.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _livez(self, request: web.Request) -> web.Response:
        from aiohttp import web

        return web.json_response({"live": True})  # answered: the event loop runs

    async def _readyz(self, request: web.Request) -> web.Response:
        from aiohttp import web

        problems = await self.readiness.problems()
        body = {"ready": not problems, "not_ready": problems,
                "content": self.readiness.version()}  # fmt: skip
        return web.json_response(body, status=503 if problems else 200)

    def application(self) -> web.Application:
        """Only these routes (and `/healthz`): `[metrics] port`'s server."""
        from aiohttp import web

        app = web.Application()
        self.add_routes(app)
        app.router.add_get("/healthz", self._livez)
        return app


class OpsServer:
    """`[metrics] port`: the operators' routes on their own port while started."""

    def __init__(self, ops: Ops, *, host: str, port: int) -> None:
        self.ops, self.host, self.port = ops, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        from aiohttp import web

        self._runner = web.AppRunner(self.ops.application(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        log.info("metrics: http://%s:%d/metrics (and /livez, /readyz)", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
