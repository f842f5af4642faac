"""Which workspace a Slack chat is in, with which token to reach it, and leaving one.

`[slack] install = "oauth"` only. A command answers with its request's token (bolt's
`authorize`); a delivery runs outside any request, so the sender asks `token_for(chat)`:
the chat's workspace (remembered from every request, `remember`, and from each DM the bot
opens) → its installation → its bot token, rotated first with slack-sdk's `AsyncTokenRotator`
when it expires within `ROTATE_MINUTES` (the rotated installation is saved; one rotation at a
time per workspace, since a refresh token is good once). A token Slack calls expired
mid-run is rotated at once (`refresh`).

A workspace leaves (`leave`) on `app_uninstalled`, on `tokens_revoked` for the bot, or when a
delivery is refused with `invalid_auth`/`account_inactive`/`token_revoked` (`lost`): its
installation, its chats and its subscribers are removed and counted in the log;
`forget_destinations` is the hook for opted-in channels (`/briefing here`), called with the
workspace's chats.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

from bot.adapters.slack.oauth.installations import StoreInstallations, key_of
from bot.core.errors import PlatformError, RecipientGone
from bot.core.ports import SubscriptionStore

log = logging.getLogger(__name__)
ROTATE_MINUTES = 120  # bolt's default: rotate a token that expires within two hours
ForgetDestinations = Callable[[list[str]], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Departure:
    workspace: str
    installation: bool
    chats: int
    subscribers: int
    destinations: int


class Workspaces:
    def __init__(
        self,
        installations: StoreInstallations,
        rotator: AsyncTokenRotator,
        subscriptions: SubscriptionStore,
        *,
        forget_destinations: ForgetDestinations | None = None,
    ) -> None:
        self.installations, self.store = installations, installations.store
        self.rotator, self.subscriptions = rotator, subscriptions
        self.forget_destinations = forget_destinations
        self._known: dict[str, str] = {}  # chat or user -> workspace, as stored
        self._rotating: dict[str, asyncio.Lock] = {}
        self.left = 0  # workspaces that left since the bot started (for /stats)

    async def remember(self, chat: str, workspace: str) -> None:
        if chat and self._known.get(chat) != workspace:
            await self.store.remember_chat(chat, workspace)
            self._known[chat] = workspace

    async def workspace_of(self, chat: str) -> str | None:
        if chat not in self._known:
            workspace = await self.store.workspace_of(chat)
            if workspace is None:
                return None
            self._known[chat] = workspace
        return self._known[chat]

    async def token_for(self, chat: str) -> str:
        """The bot token that reaches `chat`; `RecipientGone` if its workspace is unknown or
        has left."""
        workspace = await self.workspace_of(chat)
        if workspace is None:
            log.warning(
                "slack: %s is in no workspace the app knows (no command came from it)", chat
            )
            raise RecipientGone("slack: no workspace", chat=chat)
        return await self._token(workspace, chat, ROTATE_MINUTES)

    async def token_of(self, workspace: str) -> str:
        """The bot token of an installed `workspace` (rotated when due); `RecipientGone` if it
        has left."""
        return await self._token(workspace, workspace, ROTATE_MINUTES)

    async def refresh(self, chat: str, expired: str) -> str:
        """A new token for `chat`'s workspace now: Slack said `expired` had expired (unless
        another send has rotated it meanwhile)."""
        workspace = await self.workspace_of(chat)
        if workspace is None:
            raise RecipientGone("slack: no workspace", chat=chat)
        return await self._token(workspace, chat, None, expired)

    async def _token(
        self, workspace: str, chat: str, minutes: int | None, expired: str | None = None
    ) -> str:
        lock = self._rotating.setdefault(workspace, asyncio.Lock())
        async with lock:
            installation = await self.installations.find(workspace)
            if installation is None or not installation.bot_token:
                raise RecipientGone("slack: workspace left", chat=chat)
            bot = installation.to_bot()
            if bot.bot_refresh_token is None or (expired and bot.bot_token != expired):
                return bot.bot_token
            rotated = await self._rotate(bot, minutes, chat)
            if rotated is None:
                return bot.bot_token
            await self.installations.async_save_bot(rotated)
            log.info("slack: rotated the bot token of workspace %s", workspace)
            return rotated.bot_token

    async def _rotate(self, bot: Bot, minutes: int | None, chat: str) -> Bot | None:
        """The rotated bot, or None if not due. A refused refresh never ends the workspace
        (bolt's authorize, or another replica, may have just rotated it: then its new token is
        in the store); `app_uninstalled` and a refused post do that."""
        if minutes is None:  # now: make the stored expiry due
            bot = Bot(**{**bot.to_dict_for_copying(), "bot_token_expires_at": 0})
        try:
            return await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=minutes or 0
            )
        except SlackTokenRotationError as exc:
            code = exc.api_error.response.get("error")
            stored = await self.installations.find(key_of(bot))
            if stored is not None and stored.bot_token and stored.bot_token != bot.bot_token:
                return stored.to_bot()  # rotated meanwhile elsewhere
            log.error("slack: rotating the token of workspace %s failed (%s)", key_of(bot), code)
            raise PlatformError(f"slack: token rotation failed ({code})", chat=chat) from None

    async def lost(self, chat: str, code: str) -> None:
        """Slack refused the workspace's token for good: the workspace has left."""
        workspace = await self.workspace_of(chat)
        if workspace is not None:
            await self.leave(workspace, reason=code)

    async def remember_like(self, chat: str, other: str) -> None:
        """`chat` is in the same workspace as `other` (a DM just opened with a user)."""
        workspace = await self.workspace_of(other)
        if workspace is not None:
            await self.remember(chat, workspace)

    async def leave(self, workspace: str, *, reason: str) -> Departure:
        """Remove the workspace's installation, chats, subscribers (and destinations)."""
        had = await self.store.delete(workspace)
        chats = await self.store.forget_chats(workspace)
        for chat in chats:
            self._known.pop(chat, None)
        gone = set(chats)
        subscribers = 0
        for sub in await self.subscriptions.subscribers("slack"):
            if (sub.user in gone or sub.chat in gone) and await self.subscriptions.unsubscribe(
                "slack", sub.user
            ):
                subscribers += 1
        destinations = await self.forget_destinations(chats) if self.forget_destinations else 0
        departure = Departure(workspace, had, len(chats), subscribers, destinations)
        self.left += 1
        log.info(
            "slack: workspace %s left (%s): installation %s, %d chats, %d subscribers, "
            "%d destinations removed", workspace, reason, "removed" if had else "already gone",
            len(chats), subscribers, destinations,
        )  # fmt: skip
        return departure
