"""The bolt listeners of an OAuth-distributed app (`[slack] install = "oauth"`): every request
teaches `Workspaces` which workspace its channel and user are in (so a later delivery finds
the token), and `app_uninstalled` / `tokens_revoked` (for the bot) make that workspace leave.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.adapters.slack.oauth.installations import workspace_key
from bot.adapters.slack.oauth.workspaces import Workspaces

log = logging.getLogger(__name__)
LEAVING = ("app_uninstalled", "tokens_revoked")


def register(bolt: AsyncApp, workspaces: Workspaces) -> None:
    async def remember(
        context: AsyncBoltContext,
        body: dict[str, Any],
        next: Callable[[], Awaitable[None]],  # bolt injects by name
    ) -> None:
        event = body.get("event")
        leaving = isinstance(event, dict) and event.get("type") in LEAVING
        if (context.team_id or context.enterprise_id) and not leaving:
            key = _key(context)
            for chat in (context.channel_id, context.user_id):
                if chat:
                    await workspaces.remember(chat, key)
        await next()

    async def uninstalled(context: AsyncBoltContext) -> None:
        await workspaces.leave(_key(context), reason="app_uninstalled")

    async def revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if (event.get("tokens") or {}).get("bot"):
            await workspaces.leave(_key(context), reason="tokens_revoked")

    bolt.middleware(remember)
    bolt.event("app_uninstalled")(uninstalled)
    bolt.event("tokens_revoked")(revoked)


def _key(context: AsyncBoltContext) -> str:
    return workspace_key(context.enterprise_id, context.team_id, context.is_enterprise_install)
