"""The platforms the core can send through, by name: one registry, made by the composition root
and handed by constructor to whoever sends (the delivery engine, the command service). A
platform is in it while it is started: the root adds it after `start()` and removes it before
`stop()`, so a send to a platform that is not running is a clear `PlatformError`."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.errors import PlatformError
from bot.core.ports import ChatPlatform

StartLink = Callable[[str], "str | None"]


class PlatformRegistry:
    def __init__(self, *platforms: ChatPlatform) -> None:
        self._platforms = {platform.name: platform for platform in platforms}
        self._start_links: dict[str, StartLink] = {}

    def add(self, platform: ChatPlatform, start_link: StartLink | None = None) -> None:
        """`start_link(payload)`: the platform's deep link into a private chat with the bot
        (Telegram's `t.me/<bot>?start=<payload>`), None while it does not know it."""
        self._platforms[platform.name] = platform
        if start_link is not None:
            self._start_links[platform.name] = start_link

    def remove(self, name: str) -> None:
        self._platforms.pop(name, None)
        self._start_links.pop(name, None)

    def start_link(self, name: str, payload: str) -> str | None:
        found = self._start_links.get(name)
        return found(payload) if found is not None else None

    def get(self, name: str) -> ChatPlatform:
        platform = self._platforms.get(name)
        if platform is None:
            raise PlatformError(f"the {name} platform is not started")
        return platform

    def __contains__(self, name: object) -> bool:
        return name in self._platforms

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._platforms)
