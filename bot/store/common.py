"""What both backends share and neither owns: the error of a store that cannot be opened, the
time of a record, how long inbound claims are kept, and the Slack installations' port and
record."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

KEEP = dt.timedelta(days=2)  # Slack retries within minutes; Telegram keeps an update 24 hours
PRUNE_EVERY = 500  # claims per process between two prunings


class StoreUnavailable(Exception):
    """The store cannot be opened (an unreachable database, a schema newer than this bot)."""


Record = dict[str, Any]  # one Slack installation, as the adapter hands it over (holds tokens)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class InstallationStore(Protocol):
    """The port both backends implement (contract: tests/store/test_installations.py)."""

    async def save(self, workspace: str, record: Record) -> None: ...

    async def find(self, workspace: str) -> Record | None: ...

    async def delete(self, workspace: str) -> bool: ...

    async def workspaces(self) -> list[str]: ...

    async def remember_chat(self, chat: str, workspace: str) -> None: ...

    async def workspace_of(self, chat: str) -> str | None: ...

    async def forget_chats(self, workspace: str) -> list[str]:
        """Drop every chat of `workspace`; the chats dropped."""
        ...

    async def issue_state(self, state: str, expires_at: float) -> None: ...

    async def consume_state(self, state: str) -> float | None:
        """Remove `state`; when it expires (epoch seconds), or None if it was never issued."""
        ...
