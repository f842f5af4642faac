"""Slack installations on the PostgreSQL backend (tables `slack_installations`, `slack_chats`;
see `installations.py` for what they hold). The record is `jsonb`; every call is one
autocommitted statement (`Pool.query`, which may run it twice: each is safe to repeat, but a
state consumed by the first run of a repeated DELETE reads as refused — the installer starts
again)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

from bot.store.common import Record

if TYPE_CHECKING:
    from bot.store.postgres.pool import Pool

SAVE = """INSERT INTO slack_installations (workspace, record, saved_at) VALUES (%s, %s, now())
    ON CONFLICT (workspace) DO UPDATE SET record = EXCLUDED.record, saved_at = now()"""
REMEMBER = """INSERT INTO slack_chats (chat, workspace) VALUES (%s, %s)
    ON CONFLICT (chat) DO UPDATE SET workspace = EXCLUDED.workspace
    WHERE slack_chats.workspace IS DISTINCT FROM EXCLUDED.workspace"""


class PgInstallations:
    """The `InstallationStore` port in PostgreSQL."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        return await self.pool.query(sql, params)

    async def save(self, workspace: str, record: Record) -> None:
        await self._query(SAVE, (workspace, Jsonb(record)))

    async def find(self, workspace: str) -> Record | None:
        rows = await self._query(
            "SELECT record FROM slack_installations WHERE workspace = %s", (workspace,)
        )
        return dict(rows[0][0]) if rows else None

    async def delete(self, workspace: str) -> bool:
        rows = await self._query(
            "DELETE FROM slack_installations WHERE workspace = %s RETURNING 1", (workspace,)
        )
        return bool(rows)

    async def workspaces(self) -> list[str]:
        rows = await self._query("SELECT workspace FROM slack_installations ORDER BY workspace")
        return [str(row[0]) for row in rows]

    async def remember_chat(self, chat: str, workspace: str) -> None:
        await self._query(REMEMBER, (chat, workspace))

    async def workspace_of(self, chat: str) -> str | None:
        rows = await self._query("SELECT workspace FROM slack_chats WHERE chat = %s", (chat,))
        return str(rows[0][0]) if rows else None

    async def forget_chats(self, workspace: str) -> list[str]:
        rows = await self._query(
            "DELETE FROM slack_chats WHERE workspace = %s RETURNING chat", (workspace,)
        )
        return sorted(str(row[0]) for row in rows)

    async def issue_state(self, state: str, expires_at: float) -> None:
        await self._query(
            "INSERT INTO slack_oauth_states (state, expires_at) VALUES (%s, %s)"
            " ON CONFLICT (state) DO NOTHING",
            (state, expires_at),
        )

    async def consume_state(self, state: str) -> float | None:
        rows = await self._query(
            "DELETE FROM slack_oauth_states WHERE state = %s RETURNING expires_at", (state,)
        )
        return float(rows[0][0]) if rows else None
