"""The audit log's port: who did what, where and when, for every admin and editor action
(`/post`, `/reload`, a channel's opt-in and opt-out, its time and language, `/forget`).

A handler records with one call, `await ctx.audit("post", "issue 3")` (the context knows who
and where); `/briefing audit [N]` and `briefing-bot audit [--since DATE]` read it back. Both
store backends keep it (tinydb table "audit", PostgreSQL table `audit_log`) for `[bot]
audit_days` (365), pruned as entries are added. An entry never holds a reader's content (a
`/forget` records that it happened and how many records went, not what they were).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

KEEP_DAYS = 365  # `[bot] audit_days`
MAX_SHOWN = 50  # `/briefing audit N`: at most this many in one answer
DEFAULT_SHOWN = 10


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str  # ISO time, UTC
    who: str  # "slack:U1"; "operator" for whoever runs the bot (the console, the CLI)
    where: str  # "slack:C1" (a channel), "telegram:dm:42", "cli"
    action: str  # "post", "reload", "opt-in", "opt-out", "channel-time", "channel-lang", "forget"
    detail: str = ""

    def line(self) -> str:
        """`2026-12-07 23:01 slack:U1 post in slack:C1: issue 3`."""
        when = self.at[:16].replace("T", " ")
        detail = f": {self.detail}" if self.detail else ""
        return f"{when} {self.who} {self.action} in {self.where}{detail}"


class AuditLog(Protocol):
    async def record(self, who: str, where: str, action: str, detail: str = "") -> None:
        """Add an entry, now (and drop the entries older than the log keeps)."""
        ...

    async def recent(self, n: int) -> list[AuditEntry]:
        """The newest `n` entries, newest first."""
        ...

    async def since(self, at: dt.datetime) -> list[AuditEntry]:
        """Every entry at or after `at`, oldest first."""
        ...

    async def prune(self, before: dt.datetime) -> int:
        """Drop the entries older than `before`; how many went."""
        ...
