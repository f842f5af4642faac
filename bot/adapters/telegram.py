"""The Telegram platform adapter. NOT BUILT YET: enabling [telegram] fails with a clear message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App, Runnable


async def build_telegram(app: App) -> Runnable:
    raise NotImplementedError(
        "the Telegram adapter is not built yet; set [telegram] enabled = false"
    )
