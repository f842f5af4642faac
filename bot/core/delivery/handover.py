"""`/post` on several replicas: the command service delivers through `Handover`, which runs the
delivery here while this replica leads and otherwise hands it to the leader as a request in the
store (`PostRequests`), answered as queued. The leader takes the requests (`take_requests`)
and delivers each once, then tells whoever asked how it went (`Told`: the same words a `/post`
on the leader answers with, by DM); a request is dropped only after a complete run, so one left
by a leader that died is delivered by the next (the ledger makes that rerun harmless).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection

from bot.core.delivery.ports import Clock, PostRequests
from bot.core.delivery.retry import sleep_unless_stopped
from bot.core.ports import Deliverer, DeliveryReport, DeliveryTime

log = logging.getLogger(__name__)
Told = Callable[[str, DeliveryReport], Awaitable[None]]  # (who asked, how the run went)


class Leading:
    """Whether this replica leads now (`now`): set by the replica that holds the delivery lock
    (the `Leadership` port, re-checked before every part sent) while it holds it."""

    def __init__(self, now: bool = False) -> None:
        self.now = now


class Handover:
    """The `Deliverer` the command service uses: here when leading, else queued."""

    def __init__(self, engine: Deliverer, requests: PostRequests | None, leading: Leading) -> None:
        self.engine, self.requests, self.leading = engine, requests, leading

    async def deliver(
        self,
        issue: int | None = None,
        *,
        dry_run: bool = False,
        at: Collection[DeliveryTime | None] | None = None,
        by: str = "",
    ) -> DeliveryReport:
        if self.requests is None or dry_run or self.leading.now or at is not None:
            return await self.engine.deliver(issue, dry_run=dry_run, at=at, by=by)
        await self.requests.request(issue, by)
        log.info("/post %s by %s handed to the leader replica", issue or "(newest)", by or "-")
        return DeliveryReport(queued=True)


async def take_requests(
    requests: PostRequests,
    engine: Deliverer,
    clock: Clock,
    stop: asyncio.Event,
    poll: float,
    told: Told | None = None,
) -> None:
    """While this replica leads (until `stop`): deliver every queued request, oldest first, and
    tell whoever asked (`told`)."""
    while not stop.is_set():
        try:
            if not await _deliver_requests(requests, engine, stop, told):
                return
        except Exception:  # a lost connection: the requests stay queued, tried again
            log.exception("delivering the queued /post requests failed; trying again")
        await sleep_unless_stopped(clock, poll, stop)


async def _deliver_requests(
    requests: PostRequests, engine: Deliverer, stop: asyncio.Event, told: Told | None
) -> bool:
    """Every queued request delivered; False if a stop cut a delivery short."""
    for request in await requests.pending():
        if stop.is_set():
            return False
        log.info("delivering a /post taken on another replica (issue %s, by %s)",
                 request.issue or "newest", request.by or "-")  # fmt: skip
        report = await engine.deliver(request.issue)
        if report.stopped:
            return False  # left for the next leader (or this one, once it leads again)
        await requests.done(request.id)
        if told is not None and request.by:
            await told(request.by, report)
    return True
