"""`/post` on several replicas: the command service delivers through `Handover`, which runs the
delivery here while this replica leads and otherwise hands it to the leader as a request in the
store (`PostRequests`), answered as queued. The leader takes the requests (`take_requests`)
and delivers each once; a request is dropped only after a complete run, so one left by a
leader that died is delivered by the next (the ledger makes that rerun harmless).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from bot.core.ports import Clock, Deliverer, DeliveryReport, DeliveryTime, PostRequests
from bot.core.retry import sleep_unless_stopped

log = logging.getLogger(__name__)


class Term:
    """Whether this process leads now: set by whoever holds the delivery lock for it."""

    def __init__(self, leading: bool = False) -> None:
        self.leading = leading


class Handover:
    """The `Deliverer` the command service uses: here when leading, else queued."""

    def __init__(self, engine: Deliverer, requests: PostRequests | None, term: Term) -> None:
        self.engine, self.requests, self.term = engine, requests, term

    async def deliver(
        self,
        issue: int | None = None,
        *,
        dry_run: bool = False,
        at: Collection[DeliveryTime | None] | None = None,
    ) -> DeliveryReport:
        if self.requests is None or dry_run or self.term.leading or at is not None:
            return await self.engine.deliver(issue, dry_run=dry_run, at=at)
        await self.requests.request(issue)
        log.info("/post %s handed to the leader replica", issue or "(newest)")
        return DeliveryReport(queued=True)


async def take_requests(
    requests: PostRequests, engine: Deliverer, clock: Clock, stop: asyncio.Event, poll: float
) -> None:
    """While this replica leads (until `stop`): deliver every queued request, oldest first."""
    while not stop.is_set():
        try:
            if not await _deliver_requests(requests, engine, stop):
                return
        except Exception:  # a lost connection: the requests stay queued, tried again
            log.exception("delivering the queued /post requests failed; trying again")
        await sleep_unless_stopped(clock, poll, stop)


async def _deliver_requests(requests: PostRequests, engine: Deliverer, stop: asyncio.Event) -> bool:
    """Every queued request delivered; False if a stop cut a delivery short."""
    for request, issue in await requests.pending():
        if stop.is_set():
            return False
        log.info("delivering a /post taken on another replica (issue %s)", issue or "newest")
        report = await engine.deliver(issue)
        if report.stopped:
            return False  # left for the next leader (or this one, once it leads again)
        await requests.done(request)
    return True
