"""The platforms the core can send through, by name: one registry, made by the composition root
and handed by constructor to whoever sends (the delivery engine, the command service). A
platform is in it while it is started: the root adds it after `start()` and removes it before
`stop()`, so a send to a platform that is not running is a clear `PlatformError`."""

from __future__ import annotations

from bot.core.errors import PlatformError
from bot.core.ports import ChatPlatform


class PlatformRegistry:
    def __init__(self, *platforms: ChatPlatform) -> None:
        self._platforms = {platform.name: platform for platform in platforms}

    def add(self, platform: ChatPlatform) -> None:
        self._platforms[platform.name] = platform

    def remove(self, name: str) -> None:
        self._platforms.pop(name, None)

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
