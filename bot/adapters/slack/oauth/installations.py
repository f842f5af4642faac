"""slack_sdk's async installation and OAuth-state stores, on our store's installations port.

bolt runs the OAuth flow and its `authorize` (which picks each request's token); these classes
only keep what it hands over. One record per workspace (bot-only: the app asks for no user
scopes), keyed by `workspace_key`, holding the `Installation`'s fields as slack-sdk's own file
store writes them (`vars(installation)`: JSON-safe, times are epoch numbers). Tokens in it
are secrets: nothing here logs a record.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.store.common import InstallationStore

log = logging.getLogger(__name__)
BOT_FIELDS = ("bot_token", "bot_id", "bot_user_id", "bot_scopes", "bot_refresh_token",
              "bot_token_expires_at")  # fmt: skip


def workspace_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
) -> str:
    """`E123-T456`; `none-T456` outside Enterprise Grid; `E123-none` for an org-wide install."""
    team = None if is_enterprise_install else team_id
    return f"{enterprise_id or 'none'}-{team or 'none'}"


def key_of(installation: Installation | Bot) -> str:
    return workspace_key(
        installation.enterprise_id, installation.team_id, installation.is_enterprise_install
    )


class StoreInstallations(AsyncInstallationStore):
    """`AsyncInstallationStore` over `InstallationStore` (the store's port)."""

    def __init__(self, store: InstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.store.save(key_of(installation), dict(vars(installation)))

    async def async_save_bot(self, bot: Bot) -> None:
        """A rotated bot token: its fields replace those of the workspace's record."""
        key = key_of(bot)
        record = await self.store.find(key)
        if record is None:
            log.info("slack: not saving a bot of workspace %s, which has left", key)
            return
        fresh = vars(bot)
        await self.store.save(key, {**record, **{k: fresh.get(k) for k in BOT_FIELDS}})

    async def find(self, key: str) -> Installation | None:
        record = await self.store.find(key)
        return Installation(**record) if record is not None else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await self.find(workspace_key(enterprise_id, team_id, is_enterprise_install))
        if found is None or (user_id is not None and found.user_id != user_id):
            return None
        return found

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.find(workspace_key(enterprise_id, team_id, is_enterprise_install))
        return found.to_bot() if found is not None and found.bot_token else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.store.delete(workspace_key(enterprise_id, team_id))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # a user's own token: this app has none to delete
            await self.store.delete(workspace_key(enterprise_id, team_id))


class StoreStates(AsyncOAuthStateStore):
    """`AsyncOAuthStateStore` over the store: a random state, valid once, for `expires_in`
    seconds. Any replica may finish an install another one started."""

    def __init__(
        self,
        store: InstallationStore,
        expires_in: float = 600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.expires_in, self.clock = store, expires_in, clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        await self.store.issue_state(state, self.clock() + self.expires_in)
        return state

    async def async_consume(self, state: str) -> bool:
        expires_at = await self.store.consume_state(state) if state else None
        if expires_at is None:
            log.warning("slack: refused an install: its state was never issued or already used")
            return False
        if expires_at < self.clock():
            log.warning("slack: refused an install: its state had expired")
            return False
        return True
