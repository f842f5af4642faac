"""Links between the archive's pages, in the two shapes it is published in.

Served, a page links root-relative routes (`/issues/1`); exported, it links relative files
(`../issues/1.html`) so that the folder works on any static host and from the disk. The route
paths themselves are `bot.core.model.weblinks`'s, the ones chat messages link to.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.model.weblinks import issue_path, term_path


@dataclass(frozen=True, slots=True)
class Urls:
    prefix: str  # "/" served; "", "../" ... exported; a base URL for absolute links (the feed)
    static: bool = False

    @classmethod
    def served(cls, base_url: str = "") -> Urls:
        return cls(base_url.rstrip("/") + "/" if base_url else "/")

    @classmethod
    def exported(cls, depth: int, base_url: str = "") -> Urls:
        return cls(base_url.rstrip("/") + "/" if base_url else "../" * depth, static=True)

    def _page(self, path: str) -> str:
        return self.prefix + (f"{path}.html" if self.static else path)

    def home(self) -> str:
        return self.prefix + "index.html" if self.static else self.prefix

    def issue(self, number: int, anchor: str = "") -> str:
        return self._page(issue_path(number)) + (f"#{anchor}" if anchor else "")

    def terms(self) -> str:
        return self.prefix + ("terms/index.html" if self.static else "terms")

    def term(self, slug: str) -> str:
        return self._page(term_path(slug))

    def feed(self) -> str:
        return self.prefix + "feed.xml"

    def asset(self, name: str) -> str:
        return f"{self.prefix}static/{name}"

    def search(self) -> str | None:
        """The search route; None in an export (a static host runs no search)."""
        return None if self.static else self.prefix + "search"


def export_path(page: str) -> str:
    """The file an exported page is written to: `issues/1` → `issues/1.html`."""
    if page == "":
        return "index.html"
    if page == "terms":
        return "terms/index.html"
    return f"{page}.html"
