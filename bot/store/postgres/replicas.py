"""What several replicas of one PostgreSQL database share beyond the ledger: inbound claims
(an event answered once, whichever replica got it) and `/post` requests (a standby's `/post`,
delivered by the leader).

Both are plain tables added by their own schema step (`schema.py`, step 2):

- `inbound_claims`: one row per event id; `claim` is `INSERT … ON CONFLICT DO NOTHING`, so of
  two replicas claiming one Slack retry or Telegram update exactly one gets the row. Rows older
  than `KEEP` are pruned now and then (Slack retries within minutes, Telegram redelivers an
  unconfirmed update within its 24 hours).
- `post_requests`: a row per `/post` taken on a standby. The leader reads them, delivers, and
  deletes a row only after a complete run, so a request survives the leader's death: the next
  leader delivers it (the ledger makes a second run of a half-done one harmless).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.delivery.ports import PostRequest
from bot.store.common import KEEP, PRUNE_EVERY

if TYPE_CHECKING:
    from bot.store.postgres.pool import Pool

CLAIM = "INSERT INTO inbound_claims (key) VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1"
PRUNE = "DELETE FROM inbound_claims WHERE claimed_at < now() - %s"


class PgClaims:
    """The `InboundClaims` port in table `inbound_claims`."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._claims = 0

    async def claim(self, key: str) -> bool:
        if self._claims % PRUNE_EVERY == 0:
            await self.pool.query(PRUNE, (KEEP,))
        self._claims += 1
        return bool(await self.pool.query(CLAIM, (key,)))


class PgPostRequests:
    """The `PostRequests` port in table `post_requests`."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def request(self, issue: int | None, by: str = "") -> None:
        await self.pool.query(
            "INSERT INTO post_requests (issue, requested_by) VALUES (%s, %s)", (issue, by)
        )

    async def pending(self) -> list[PostRequest]:
        rows = await self.pool.query(
            "SELECT id, issue, requested_by FROM post_requests ORDER BY id"
        )
        return [PostRequest(int(i), n, by or "") for i, n, by in rows]

    async def done(self, request: int) -> None:
        await self.pool.query("DELETE FROM post_requests WHERE id = %s", (request,))
