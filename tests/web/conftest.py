"""The archive served by aiohttp's test server on a free port, read over real HTTP, and the
HTML5 parsing the tests read pages with."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import html5lib
import pytest
from aiohttp.test_utils import TestServer

from bot.content.loader import Content
from bot.core.live_content import LiveContent
from bot.web.feed import FEED_ISSUES
from bot.web.server import application
from bot.web.site import WebArchive
from tests.support.ports import free_port

NS = {"h": "http://www.w3.org/1999/xhtml"}


def parse(html: str):  # type: ignore[no-untyped-def]
    """The document as a browser builds it (html5lib, the WHATWG parsing algorithm)."""
    return html5lib.parse(html, namespaceHTMLElements=True)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(element) -> str:  # type: ignore[no-untyped-def]
    return squash("".join(element.itertext()))


def find_all(doc, path: str) -> list:  # type: ignore[no-untyped-def, type-arg]
    """ElementTree paths with `h:` for the XHTML namespace html5lib puts elements in."""
    return list(doc.iterfind(path, NS))


@dataclass
class Fetched:
    status: int
    text: str
    content_type: str


class Client:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base

    async def get(self, path: str, **params: str) -> Fetched:
        async with self.session.get(self.base + path.lstrip("/"), params=params or None) as resp:
            return Fetched(resp.status, await resp.text(), resp.content_type)


@pytest.fixture
def live(content: Content) -> LiveContent:
    return LiveContent(content)


@asynccontextmanager
async def serve(
    live: LiveContent,
    base_url: str = "https://briefing.example.com/",
    feed_issues: int = FEED_ISSUES,
) -> AsyncIterator[Client]:
    """The archive of `live` on a free port, and a client of it."""
    archive = WebArchive(lambda: live.current, base_url, feed_issues=feed_issues)
    server = TestServer(application(archive), host="127.0.0.1", port=free_port())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield Client(session, str(server.make_url("/")))
    finally:
        await server.close()


@pytest.fixture
async def client(live: LiveContent) -> AsyncIterator[Client]:
    async with serve(live) as web:
        yield web
