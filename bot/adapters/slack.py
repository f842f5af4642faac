"""The Slack platform adapter. NOT BUILT YET: enabling [slack] fails with a clear message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App, Runnable


async def build_slack(app: App) -> Runnable:
    raise NotImplementedError("the Slack adapter is not built yet; set [slack] enabled = false")
