"""The served archive: each page rendered once per content version and kept in memory.

`/reload` puts a new `Content` object in `LiveContent`; the first request after it finds the
cache keyed on another object, drops every page and renders from the new content. Search pages
are cached too (the last `SEARCH_CACHE` queries), since a link to a search is shared as well.
"""

from __future__ import annotations

import dataclasses
import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.content.loader import Content
from bot.web.feed import FEED_ISSUES, atom_feed
from bot.web.pages import Pages
from bot.web.urls import Urls

HTML = "text/html"
ATOM = "application/atom+xml"
PAGE_CACHE = 4096
SEARCH_CACHE = 256
GZIP_ABOVE = 128 * 1024  # bytes; smaller pages cost more to inflate than to send
MAX_QUERY = 10_000  # characters kept of a query; the search itself reads its first 8 words
ASSETS = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    body: bytes
    content_type: str = HTML
    gzipped: bytes | None = None  # kept beside a large cached page (the feed of a big archive)

    def compressed(self) -> Page:
        if len(self.body) < GZIP_ABOVE:
            return self
        return dataclasses.replace(self, gzipped=gzip.compress(self.body, 6, mtime=0))


class WebArchive:
    """The pages of whatever content `current()` returns, the newest `feed_issues` in the feed;
    `cache=False` renders every time (the benchmark's baseline)."""

    def __init__(
        self,
        current: Callable[[], Content],
        base_url: str = "",
        *,
        feed_issues: int = FEED_ISSUES,
        cache: bool = True,
        corrected: Callable[[], Mapping[int, datetime]] | None = None,
    ) -> None:
        self._current, self.base_url, self.cache = current, base_url, cache
        self._corrected = corrected or dict  # when each corrected issue was last corrected
        self._stamp: Mapping[int, datetime] = {}
        self.feed_issues = feed_issues
        self.urls = Urls.served()
        self._content: Content | None = None
        self._pages: Pages | None = None
        self._cached: dict[str, OrderedDict[str, Page]] = {
            "page": OrderedDict(),
            "search": OrderedDict(),
        }
        self._lock = threading.Lock()

    def pages(self) -> Pages:
        content, stamp = self._current(), self._corrected()
        with self._lock:
            if content is not self._content or self._pages is None or stamp != self._stamp:
                self._content, self._stamp = content, stamp
                self._pages = Pages(content, self.base_url, stamp)
                for kind in self._cached.values():
                    kind.clear()
            return self._pages

    def _get(self, key: str, render: Callable[[Pages], Page], kind: str = "page") -> Page:
        pages = self.pages()
        if not self.cache:
            return render(pages)
        cached = self._cached[kind]
        with self._lock:
            page = cached.get(key)
            if page is not None:
                cached.move_to_end(key)
                return page
        page = render(pages).compressed()
        with self._lock:
            if pages is self._pages:  # not rendered from content replaced meanwhile
                cached[key] = page
                if len(cached) > (SEARCH_CACHE if kind == "search" else PAGE_CACHE):
                    cached.popitem(last=False)
        return page

    def _html(self, status: int, text: str) -> Page:
        return Page(status, text.encode("utf-8"))

    def _missing(self, pages: Pages, what: str) -> Page:
        return self._html(404, pages.not_found(self.urls, what))

    def index(self) -> Page:
        return self._get("", lambda p: self._html(200, p.index(self.urls)))

    def issue(self, number: int) -> Page:
        def render(p: Pages) -> Page:
            text = p.issue(number, self.urls)
            if text is None:
                return self._missing(p, f"제 {number}호는 없습니다.")
            return self._html(200, text)

        return self._get(f"issues/{number}", render)

    def terms(self) -> Page:
        return self._get("terms", lambda p: self._html(200, p.terms(self.urls)))

    def term(self, slug: str) -> Page:
        def render(p: Pages) -> Page:
            text = p.term(slug, self.urls)
            return (
                self._missing(p, "용어집에 없는 용어입니다.")
                if text is None
                else self._html(200, text)
            )

        return self._get(f"terms/{slug}", render)

    def search(self, query: str) -> Page:
        query = query[:MAX_QUERY]
        return self._get(query, lambda p: self._html(200, p.search(query, self.urls)), "search")

    def not_found(self) -> Page:
        return self._get("404", lambda p: self._missing(p, ""))

    def feed(self) -> Page:
        links = Urls.served(self.base_url)
        return self._get(
            "feed.xml", lambda p: Page(200, atom_feed(p, links, self.feed_issues), ATOM)
        )


def asset(name: str) -> tuple[bytes, str] | None:
    """A file of `static/` and its media type; None for anything else."""
    path = ASSETS / name
    if "/" in name or name.startswith(".") or not path.is_file():
        return None
    media = {".css": "text/css", ".svg": "image/svg+xml"}.get(
        path.suffix, "application/octet-stream"
    )
    return path.read_bytes(), media
