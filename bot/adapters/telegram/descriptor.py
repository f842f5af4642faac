"""Telegram, as the composition root sees it (`bot.adapters.infra.descriptor`): `[telegram]`,
its secrets, its limits and packing, its chats, how it is built and previewed. Loads no SDK
until `build`, `packing` or `preview`."""

from __future__ import annotations

from bot.adapters.infra.descriptor import Wiring
from bot.adapters.infra.pacing import Limits
from bot.adapters.telegram import limits
from bot.adapters.telegram.settings import ENV_SECRETS, TelegramSecrets, TelegramSection
from bot.core.model.messages import Thread
from bot.core.model.packing import Packing
from bot.core.ports import Runnable


class Telegram:
    name = "telegram"
    section = TelegramSection
    secrets = (TelegramSecrets, ENV_SECRETS)
    in_terminal = False

    def channels(self, section: TelegramSection) -> list[str]:
        return [str(chat) for chat in section.chats]

    def limits(self, section: TelegramSection) -> Limits:
        return limits.limits(paid_broadcast=section.paid_broadcast)

    def concurrency(self, section: TelegramSection) -> int:
        return limits.workers(paid_broadcast=section.paid_broadcast)

    def packing(self, section: TelegramSection) -> Packing:
        from bot.adapters.telegram.render import BUDGET

        return Packing(BUDGET, section.packed_threads)

    def http_port(self, section: TelegramSection) -> tuple[str, int] | None:
        return ("webhook_port", section.webhook_port) if section.mode == "webhook" else None

    async def build(self, section: TelegramSection, wiring: Wiring) -> Runnable:
        from bot.adapters.telegram.platform import build_telegram

        return await build_telegram(
            section,
            TelegramSecrets(),
            wiring.service,
            shared=wiring.routes,
            claims=wiring.claims,
            poll_when_leading=True,
            pacer=wiring.pacer,
        )

    def spell(self, command: str, slash: bool) -> str:
        return f"/{command}"

    def preview(self, thread: Thread) -> str:
        from bot.adapters.telegram.render import preview_lines

        return "\n".join(preview_lines(thread))


TELEGRAM = Telegram()
