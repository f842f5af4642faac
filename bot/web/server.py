"""The archive's HTTP routes on aiohttp: a translator from requests to `WebArchive` pages.

`/`, `/issues/<n>`, `/terms`, `/terms/<slug>`, `/search?q=`, `/feed.xml`, `/static/<file>`,
`/healthz` (and, given `more`, the root's /metrics, /livez, /readyz); anything else gets the
archive's own 404 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from bot.web.site import Page, WebArchive, asset

log = logging.getLogger(__name__)
ARCHIVE: web.AppKey[WebArchive] = web.AppKey("archive", WebArchive)
# A search of 10,000 Korean characters is a 90 KB request line (9 bytes each, percent-encoded);
# aiohttp's default (8 KB) would refuse it with a 400 before the archive sees it.
MAX_REQUEST_LINE = 128 * 1024


def _response(request: web.Request, page: Page) -> web.Response:
    """The page, gzipped when a compressed copy is cached and the client takes gzip."""
    if page.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return web.Response(status=page.status, body=page.gzipped, headers=headers,
                            content_type=page.content_type, charset="utf-8")  # fmt: skip
    return web.Response(
        status=page.status, body=page.body, content_type=page.content_type, charset="utf-8"
    )


def _archive(request: web.Request) -> WebArchive:
    return request.app[ARCHIVE]


async def _index(request: web.Request) -> web.Response:
    return _response(request, _archive(request).index())


async def _issue(request: web.Request) -> web.Response:
    return _response(request, _archive(request).issue(int(request.match_info["number"])))


async def _terms(request: web.Request) -> web.Response:
    return _response(request, _archive(request).terms())


async def _term(request: web.Request) -> web.Response:
    return _response(request, _archive(request).term(request.match_info["slug"]))


async def _search(request: web.Request) -> web.Response:
    return _response(request, _archive(request).search(request.query.get("q", "")))


async def _feed(request: web.Request) -> web.Response:
    return _response(request, _archive(request).feed())


async def _static(request: web.Request) -> web.Response:
    found = asset(request.match_info["name"])
    if found is None:
        return _response(request, _archive(request).not_found())
    body, media = found
    return web.Response(body=body, content_type=media, headers={"Cache-Control": "max-age=3600"})


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "issues": len(_archive(request).pages().archive)})


async def _not_found(request: web.Request) -> web.Response:
    """Any other path gets the archive's 404 page, not aiohttp's plain text (a route, not a
    middleware: a middleware would cost every request a coroutine)."""
    return _response(request, _archive(request).not_found())


More = Callable[[web.Application], None]  # adds the operators' routes (/metrics, …) to an app


def application(archive: WebArchive, more: More | None = None) -> web.Application:
    """The archive's routes; `more` adds others first (the 404 page answers any other path)."""
    app = web.Application(handler_args={"max_line_size": MAX_REQUEST_LINE})
    if more is not None:
        more(app)
    app[ARCHIVE] = archive
    app.router.add_get("/", _index)
    app.router.add_get(r"/issues/{number:\d{1,9}}", _issue)
    app.router.add_get("/terms", _terms)
    app.router.add_get("/terms/{slug}", _term)
    app.router.add_get("/search", _search)
    app.router.add_get("/feed.xml", _feed)
    app.router.add_get("/static/{name}", _static)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/{tail:.*}", _not_found)
    return app


class WebServer:
    """Serves the archive on `host:port` while started; `port` is the real one after `start()`
    (0 picks a free port)."""

    def __init__(
        self, archive: WebArchive, *, host: str, port: int, more: More | None = None
    ) -> None:
        self.archive, self.host, self.port, self.more = archive, host, port, more
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> None:
        self._runner = web.AppRunner(application(self.archive, self.more), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        log.info("web archive: %s", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
