"""The console, as the composition root sees it (`bot.adapters.infra.descriptor`): `[console]`,
no secrets, no limits, no channels (its destination is its subscriber); it talks in this
terminal."""

from __future__ import annotations

from bot.adapters.console.platform import ConsolePlatform, render_thread
from bot.adapters.console.settings import ConsoleSection
from bot.adapters.infra.descriptor import CONCURRENCY, Wiring
from bot.adapters.infra.pacing import Limits
from bot.core.model.messages import Thread
from bot.core.model.packing import Packing


class Console:
    name = "console"
    section = ConsoleSection
    secrets = (None, "")
    in_terminal = True

    def channels(self, section: ConsoleSection) -> list[str]:
        return []

    def limits(self, section: ConsoleSection) -> Limits | None:
        return None

    def concurrency(self, section: ConsoleSection) -> int:
        return CONCURRENCY

    def packing(self, section: ConsoleSection) -> Packing | None:
        return None

    def http_port(self, section: ConsoleSection) -> tuple[str, int] | None:
        return None

    async def build(self, section: ConsoleSection, wiring: Wiring) -> ConsolePlatform:
        return ConsolePlatform(wiring.service)

    def spell(self, command: str, slash: bool) -> str:
        return f"/{command}"

    def preview(self, thread: Thread) -> str:
        return render_thread(thread)


CONSOLE = Console()
