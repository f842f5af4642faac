"""Slack installations on the tinydb backend (tables "slack_installations", "slack_chats").

The store keeps what an OAuth install left, without knowing Slack's SDK: one JSON record per
workspace (the adapter's `installations.py` turns it into slack_sdk's `Installation` and back)
and which workspace each Slack chat belongs to, so that a delivery, which runs outside any
request, finds the token to post with. A workspace key is the adapter's string (enterprise and
team); the store only compares it. Records hold tokens: never log one. The OAuth flow's
`state` values live here too (table "slack_oauth_states"), so that an install started on one
replica can finish on another.
"""

from __future__ import annotations

from bot.store.common import Record, utcnow
from bot.store.tinydb.snapshot import Store

INSTALLATIONS = "slack_installations"
CHATS = "slack_chats"
STATES = "slack_oauth_states"


class Installations:
    """`InstallationStore` on top of `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table(INSTALLATIONS)
        self.chats = store.table(CHATS)
        self.states = store.table(STATES)

    async def save(self, workspace: str, record: Record) -> None:
        saved = {"workspace": workspace, "record": record, "saved_at": utcnow().isoformat()}
        self.table.put(workspace, saved)
        await self.store.commit()

    async def find(self, workspace: str) -> Record | None:
        doc = self.table.get(workspace)
        return dict(doc["record"]) if doc is not None else None

    async def delete(self, workspace: str) -> bool:
        removed = self.table.delete(workspace)
        if removed:
            await self.store.commit()
        return removed

    async def workspaces(self) -> list[str]:
        return sorted(doc["workspace"] for doc in self.table)

    async def remember_chat(self, chat: str, workspace: str) -> None:
        doc = self.chats.get(chat)
        if doc is None or doc.get("workspace") != workspace:
            self.chats.put(chat, {"chat": chat, "workspace": workspace})
            await self.store.commit()

    async def workspace_of(self, chat: str) -> str | None:
        doc = self.chats.get(chat)
        return str(doc["workspace"]) if doc is not None else None

    async def forget_chats(self, workspace: str) -> list[str]:
        gone = [doc["chat"] for doc in self.chats if doc.get("workspace") == workspace]
        for chat in gone:
            self.chats.delete(chat)
        if gone:
            await self.store.commit()
        return sorted(gone)

    async def issue_state(self, state: str, expires_at: float) -> None:
        self.states.put(state, {"expires_at": expires_at})
        await self.store.commit()

    async def consume_state(self, state: str) -> float | None:
        doc = self.states.get(state)
        if doc is None or not self.states.delete(state):
            return None
        await self.store.commit()
        return float(doc["expires_at"])
