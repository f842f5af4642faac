"""The content being served, shared by everything that reads it: `/reload` replaces it in one
place, and the delivery engine, the command service and the adapters all see the new one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.content.loader import Content

log = logging.getLogger(__name__)


class LiveContent:
    def __init__(self, content: Content, load: Callable[[], Content] | None = None) -> None:
        self.current = content
        self._load = load

    @property
    def reloadable(self) -> bool:
        return self._load is not None

    def reload(self) -> Content:
        """Load the content again and serve it; a `ContentError` keeps the previous one."""
        if self._load is None:
            raise RuntimeError("this content has no source to reload from")
        self.current = self._load()
        return self.current
