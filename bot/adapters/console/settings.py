"""`[console]`: the terminal platform, on by default; it has no secrets."""

from __future__ import annotations

from bot.config import PlatformSection


class ConsoleSection(PlatformSection):
    enabled: bool = True
