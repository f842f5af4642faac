"""Where the web archive keeps an issue and a term. The paths are shared with `bot/web` (which
serves them) so that a link in a chat message and the page it opens cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass


def issue_path(number: int) -> str:
    return f"issues/{number}"


def term_path(slug: str) -> str:
    return f"terms/{slug}"


@dataclass(frozen=True, slots=True)
class WebLinks:
    """Absolute links into the archive at `[web] base_url`."""

    base_url: str

    @classmethod
    def at(cls, base_url: str) -> WebLinks | None:
        """None when no base URL is set (then messages carry no web link)."""
        return cls(base_url.rstrip("/") + "/") if base_url.strip() else None

    def issue(self, number: int) -> str:
        return self.base_url + issue_path(number)

    def term(self, slug: str) -> str:
        return self.base_url + term_path(slug)
