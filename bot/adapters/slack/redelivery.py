"""Slack's redeliveries, acked without acting: a retried Events API delivery
(`X-Slack-Retry-Num` >= 1), an `event_id` or message id already seen here, or an `event_id` that
another replica claimed first in the store. So a slow answer never becomes two answers."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.core.ports import InboundClaims

log = logging.getLogger(__name__)
SEEN_EVENTS = 1024  # event and message ids remembered here


class Redeliveries:
    """A bolt middleware (`skip`); `claims` answers each event_id once across replicas."""

    def __init__(self, claims: InboundClaims | None = None) -> None:
        self.claims = claims
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def skip(
        self,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        body: dict[str, Any],
        next: Callable[[], Awaitable[None]],  # bolt injects by name
    ) -> BoltResponse:
        retry = (req.headers.get("x-slack-retry-num") or ["0"])[0]
        if retry not in ("", "0") or self._already_seen(body) or not await self._claim(body):
            reason = (req.headers.get("x-slack-retry-reason") or [""])[0]
            log.info("slack: ignoring a redelivered event (retry %s %s)", retry, reason)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        await next()
        return resp

    async def _claim(self, body: dict[str, Any]) -> bool:
        """True if no replica has claimed this event's `event_id` (or it has none: slash
        commands and actions are never redelivered); a store that cannot be reached lets the
        event through."""
        event_id = body.get("event_id")
        if self.claims is None or not event_id:
            return True
        try:
            return await self.claims.claim(f"slack:{event_id}")
        except Exception as exc:
            log.warning("slack: could not claim event %s: %s", event_id, exc)
            return True

    def _already_seen(self, body: dict[str, Any]) -> bool:
        """Remember event ids and message ids (bounded); True if one was seen before."""
        event = body.get("event")
        message_id = event.get("client_msg_id") if isinstance(event, dict) else None
        for key in [str(k) for k in (body.get("event_id"), message_id) if k]:
            if key in self._seen:
                return True
            self._seen[key] = None
            if len(self._seen) > SEEN_EVENTS:
                self._seen.popitem(last=False)
        return False
