"""`briefing-bot site OUT_DIR`: the archive as static files with relative links.

The same templates as the server render every page for its place in the folder
(`issues/1.html` links `../terms/np-hard.html`), plus `feed.xml`, `404.html` and `static/`.
The export has no search page (a static host runs no search), so its pages carry no search box.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.content.loader import Content
from bot.content.models import Issue
from bot.core.model.weblinks import issue_path, term_path
from bot.web.feed import FEED_ISSUES, atom_of, newest
from bot.web.pages import Pages
from bot.web.site import ASSETS
from bot.web.urls import Urls, export_path

T = TypeVar("T")


class _Writer:
    """Writes files on worker threads while the caller renders the next page (opening 11,000
    files costs as much as rendering them)."""

    def __init__(self, out: Path) -> None:
        self.out, self.count = out, 0
        self._pool = ThreadPoolExecutor(max_workers=4)
        self._pending: list[Future[None]] = []

    def page(self, page: str, text: str) -> None:
        self.file(export_path(page), text.encode("utf-8"))

    def file(self, name: str, data: bytes) -> None:
        self._pending.append(self._pool.submit(self._write, self.out / name, data))
        self.count += 1

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for done in self._pending:
            done.result()  # raises the first error of a write, if any


def write_site(
    content: Content, out: Path, base_url: str = "", feed_issues: int = FEED_ISSUES
) -> int:
    """Write the archive under `out`, the newest `feed_issues` in its feed; return the number of
    files written."""
    pages = Pages(content, base_url)
    top, nested = Urls.exported(0), Urls.exported(1)
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    try:
        writer.page("", pages.index(top))
        writer.page("terms", pages.terms(nested))
        writer.file("404.html", pages.not_found(top).encode("utf-8"))
        links = Urls.exported(0, base_url)
        in_feed: list[tuple[Issue, str]] = []
        fed = frozenset(newest(content.archive.numbers, feed_issues))
        for number in content.archive.numbers:  # each issue parsed once, for page and feed
            writer.page(issue_path(number), _present(pages.issue(number, nested)))
            if number in fed:
                issue = _present(content.archive.get(number))
                in_feed.append((issue, pages.issue_body(issue, links)))
        for entry in content.glossary.entries:
            slug = content.glossary.slugs.of(entry)
            writer.page(term_path(slug), _present(pages.term(slug, nested)))
        writer.file("feed.xml", atom_of(in_feed, links))
        for asset in sorted(ASSETS.iterdir()):
            writer.file(f"static/{asset.name}", asset.read_bytes())
    finally:
        writer.close()
    return writer.count


def _present(value: T | None) -> T:
    assert value is not None  # every number and slug written comes from the content itself
    return value
