"""The `ApprovalStore` port on PostgreSQL: table `approvals` (one row per issue: who, when, the
content's digest) and `editor_notices` (the editors' notices already given), both added by
schema step 8 (`schema.py`). `approvals()` answers from memory, read at start-up and again
by `reload()` (a leader before a run, a status asked for); each write is one durable
statement."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bot.core.approvals import Approval

if TYPE_CHECKING:
    import psycopg

    from bot.store.postgres.pool import Pool

SELECT = "SELECT issue, approved_by, approved_at, digest FROM approvals"
APPROVE = """INSERT INTO approvals (issue, approved_by, approved_at, digest)
    VALUES (%s, %s, %s, %s) ON CONFLICT (issue) DO UPDATE SET approved_by = EXCLUDED.approved_by,
    approved_at = EXCLUDED.approved_at, digest = EXCLUDED.digest"""
WITHDRAW = "DELETE FROM approvals WHERE issue = %s AND digest = %s RETURNING 1"
REQUIRED = "approval-required"  # the notice whose time is when approval was first required
SINCE = "SELECT noticed_at FROM editor_notices WHERE key = 'approval-required'"
REQUIRE = """WITH kept AS (INSERT INTO editor_notices (key, noticed_at) VALUES (%s, %s)
    ON CONFLICT DO NOTHING RETURNING noticed_at)
    SELECT noticed_at FROM kept UNION ALL SELECT noticed_at FROM editor_notices WHERE key = %s"""
NOTICE = "INSERT INTO editor_notices (key) VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1"


class PgApprovals:
    def __init__(self, conn: psycopg.Connection[Any], pool: Pool) -> None:
        self.pool = pool
        self._known = _by_issue(conn.execute(SELECT).fetchall())
        row = conn.execute(SINCE).fetchone()
        self._since: dt.datetime | None = row[0] if row else None

    def approvals(self) -> dict[int, Approval]:
        return dict(self._known)

    async def reload(self) -> None:
        self._known = _by_issue(await self.pool.query(SELECT))

    async def approve(self, approval: Approval) -> None:
        await self.pool.query(APPROVE, (approval.issue, approval.by, approval.at, approval.digest))
        self._known[approval.issue] = approval

    async def withdraw(self, issue: int, digest: str) -> bool:
        removed = bool(await self.pool.query(WITHDRAW, (issue, digest)))
        known = self._known.get(issue)
        if known is not None and known.digest == digest:
            del self._known[issue]
        return removed

    def required_since(self) -> dt.datetime | None:
        return self._since

    async def require_since(self, at: dt.datetime) -> dt.datetime:
        rows = await self.pool.query(REQUIRE, (REQUIRED, at, REQUIRED))
        self._since = rows[0][0]
        return self._since

    async def first_notice(self, key: str) -> bool:
        return bool(await self.pool.query(NOTICE, (key,)))


def _by_issue(rows: list[tuple[Any, ...]]) -> dict[int, Approval]:
    return {int(n): Approval(int(n), by, at, digest) for n, by, at, digest in rows}
