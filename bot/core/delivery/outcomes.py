"""What a run leaves behind besides the messages: each destination's attempt at each issue (the
`DeliveryHistory` that `/briefing why` reads) and the run's report (`after_run`: the editors'
and admins' DM, from the composition root).

A failure is kept with its kind (`FailureKind`), which says what an editor does about it: a
reader gone is unsubscribed, a channel the bot left ends its opt-in, a pinned one needs the
configuration fixed, a rejected message needs the content checked, a transient failure is tried
again by the next run. The history is written at the end of the run (a process killed mid-run
loses its attempts' times, not what the ledger knows: what was sent, what is done).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core.delivery.plan import Tally
from bot.core.departures import Departures
from bot.core.destination import Destination
from bot.core.errors import MessageRejected, RateLimited, RecipientGone, TransientError
from bot.core.ports import DeliveryReport
from bot.core.runs import Attempt, DeliveryHistory, Failure, FailureKind

log = logging.getLogger(__name__)
AfterRun = Callable[[DeliveryReport], Awaitable[object]]


def kind_of(exc: BaseException) -> FailureKind:
    """The kind of a failure that ended a destination's thread (not a departure)."""
    if isinstance(exc, MessageRejected):
        return "rejected"
    if isinstance(exc, TransientError | RateLimited):
        return "transient"
    return "error"


async def gone(
    departures: Departures, dest: Destination, number: int, exc: RecipientGone, tally: Tally
) -> FailureKind:
    """The one rule (`bot/core/departures.py`): a reader is unsubscribed, a channel's opt-in
    ends (a topic's alone), a pinned channel is reported; the failure counted by its kind."""
    kind: FailureKind
    line: str | None = None
    if dest.user is not None:
        await departures.reader(dest.platform, dest.user, str(exc))
        tally.unsubscribed += 1
        kind = "reader_gone"
    elif await departures.chats(dest.platform, [dest.chat], str(exc)):
        kind, line = "channel_left", f"{dest.key}: gone, opt-in ended: {exc}"
    else:
        kind, line = "pinned_gone", f"{dest.key}: gone: {exc}"
    tally.fail(Failure(dest.key, kind, str(exc), number), line)
    return kind


class ThreadProgress:
    """One issue at one destination during a run: which parts went out when."""

    def __init__(self, issue: int, destination: str) -> None:
        self.issue, self.destination = issue, destination
        self.parts = 0
        self.sent: list[tuple[int, datetime]] = []
        self.done = False

    def attempt(self, at: datetime, failure: FailureKind | None, detail: str) -> Attempt:
        return Attempt(
            self.issue, self.destination, self.parts, at, tuple(self.sent), self.done,
            failure, detail[:300],
        )  # fmt: skip


class Outcomes:
    """Writes a run's attempts to the history, then hands its report to `after_run`."""

    def __init__(
        self, history: DeliveryHistory | None = None, after_run: AfterRun | None = None
    ) -> None:
        self.history, self.after_run = history, after_run

    async def close(self, tally: Tally, report: DeliveryReport) -> None:
        """The end of a run: its attempts kept, its report told (when anything happened).
        Neither may fail the run: what goes wrong is logged."""
        attempts, tally.attempts = tally.attempts, []
        if self.history is not None and attempts:
            try:
                await self.history.record(attempts)
            except Exception:
                log.exception("keeping the delivery history of %d thread(s) failed", len(attempts))
        if self.after_run is not None and report.run_summary().worth_telling:
            try:
                await self.after_run(report)
            except Exception:
                log.exception("the run's report could not be told")
