"""Delivery, running: every destination gets the newest issue it has not had, as a thread,
exactly once. What each destination gets is planned by `plan.py`; this module runs the plan.

The ledger protocol, per part of a thread (parent = part 0, then the replies in order):

    mark part pending → commit → send → mark sent with the platform's id → commit

(the "sent" of one part shares the commit with the "pending" of the next; a thread's last
"sent" and its "done" share the store's next commit, at the latest the run's last one). A
resumed delivery skips the parts recorded as sent and replies under the recorded parent; a done
(issue, destination) is never sent again. The one duplicate window: a part the platform took
whose id was not yet recorded when the process died (or whose send timed out and was retried)
is sent again: at most ONE message per destination per interruption (a part an adapter split
into several platform messages counts as one), never a whole thread. Platforms offer no
idempotency key that would close the window.

Fan-out: `concurrency` workers per platform (one platform's queue never starves another's); a
destination's parts go strictly in order, each through `Pacer.slot` with the job's rank
(channels, then readers oldest subscription first), so the pacer finishes each reader's thread
before readers further down start theirs. Errors (bot.core.errors) go through `retry.py`:
RateLimited pauses only that destination, as long and as often as the platform says;
TransientError backs off with jitter; RecipientGone follows `bot/core/departures.py`;
MessageRejected and exhausted retries fail that destination (reported, retried by the next run)
while the others go on. A stop (SIGTERM: `request_stop`, every later run too) or a lost
`Leadership` (`halt`: the lock, re-checked before every part) lets every worker record the
message in flight, then the run returns. A new leader calls `resume()` first: every thread left
half-sent, whatever run started it, and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core.delivery.copies import keep_sent, note_release, variant
from bot.core.delivery.digests import is_digest
from bot.core.delivery.outcomes import AfterRun, Outcomes, ThreadProgress, gone, kind_of
from bot.core.delivery.plan import Job, Planner, Tally
from bot.core.delivery.ports import Clock, Copy, Leadership, Pacer
from bot.core.delivery.retry import DELIVERY, Retrier, RetryPolicy, Stopped
from bot.core.departures import Departures
from bot.core.destination import Destination
from bot.core.errors import RecipientGone
from bot.core.feedback import Carried, FeedbackStore, as_reacted
from bot.core.i18n import Language
from bot.core.logfields import DESTINATION, ISSUE, PLATFORM, RUN
from bot.core.model.messages import Message, MessageRef
from bot.core.model.packing import Packing
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import DeliveryReport, DeliveryTime, DestinationStore, Ledger, SubscriptionStore
from bot.core.runs import DeliveryHistory, Failure, FailureKind

log = logging.getLogger(__name__)
__all__ = ["DeliveryEngine", "Destination", "RetryPolicy"]


class _Skip(Exception):
    """This destination stops here for now (stop requested, unsubscribed); not a failure."""


class DeliveryEngine:
    """The `Deliverer` port: one delivery run at a time in this process."""

    def __init__(
        self,
        *,
        content: Callable[[], Content],
        channels: Mapping[str, Sequence[str]],
        platforms: PlatformRegistry,
        subscriptions: SubscriptionStore,
        ledger: Ledger,
        pacer: Pacer,
        clock: Clock,
        language: Language = "ko",
        policy: RetryPolicy = DELIVERY,
        concurrency: int | Mapping[str, int] = 64,
        progress_every: float | None = 5.0,
        rng: random.Random | None = None,
        before_run: Callable[[], Awaitable[object]] | None = None,
        leadership: Leadership | None = None,
        web: WebLinks | None = None,
        packing: Mapping[str, Packing] | None = None,
        destinations: DestinationStore | None = None,
        zone: ZoneInfo | None = None,  # `bot.timezone`: a weekly digest's day where none is set
        history: DeliveryHistory | None = None,
        after_run: AfterRun | None = None,
        feedback: FeedbackStore | None = None,
    ) -> None:
        self.outcomes = Outcomes(history, after_run)  # the history kept; the report told
        self.feedback = feedback  # set: what each delivered message carried, for reactions
        self.before_run = before_run  # called at the start of every run (a content refresh)
        self.planner = Planner(
            content, channels, subscriptions, ledger, language, web, platforms, packing,
            destinations, zone, votes=feedback is not None,
        )  # fmt: skip
        self.departures = Departures(subscriptions, destinations, channels)
        self.content, self.platforms = content, platforms
        self.subscriptions, self.ledger, self.pacer = subscriptions, ledger, pacer
        self.clock, self.concurrency, self.progress_every = clock, concurrency, progress_every
        self._stop = asyncio.Event()
        self.retrier = Retrier(policy, clock, self._stop, rng or random.Random())
        self._running = asyncio.Lock()
        self.leadership = leadership
        self._shutdown = False
        self.tally: Tally | None = None  # the run in progress (its backlog: the metrics)

    def request_stop(self) -> None:
        """Finish and record the messages in flight, start no other, end the run (SIGTERM);
        no later run starts."""
        self._shutdown = True
        self._stop.set()

    def halt(self) -> None:
        """End the run in progress as a stop does (the delivery lock is lost); a later run,
        once this process leads again, goes on."""
        self._stop.set()

    def _start_run(self) -> None:
        if not self._shutdown:
            self._stop.clear()  # a halt ends only the run it interrupted

    async def idle(self) -> None:
        """Wait until no delivery run is in progress."""
        async with self._running:
            pass

    async def resume(self) -> DeliveryReport:
        """Finish every thread an interrupted run left half-sent (a killed process, a lost
        lock), whatever started it; nothing else. A new leader does this first."""
        async with self._running:
            self._start_run()
            self.planner.start_run()
            tally, started = Tally(), self.clock.monotonic()
            destinations = await self.planner.destinations()
            jobs = self.planner.plan_resume(destinations)
            if not jobs:
                return DeliveryReport(destinations=len(destinations))
            tally.total = sum(self.planner.remaining(j.dest, n) for j in jobs for n in j.issues)
            tally.reached = len(jobs)
            log.info("resuming %d half-sent thread(s) left by an interrupted run", len(jobs))
            await self._run(jobs, tally)
            issues = {n for job in jobs for n in job.issues}
            issue = issues.pop() if len(issues) == 1 else None  # the report's title
            return await self._finish(
                tally, len(destinations), issue, started, "the resumed threads"
            )

    async def deliver(
        self,
        issue: int | None = None,
        *,
        dry_run: bool = False,
        at: Collection[DeliveryTime | None] | None = None,
        by: str = "",
    ) -> DeliveryReport:
        async with self._running:
            self._start_run()
            started = self.clock.monotonic()
            if by:
                log.info("delivery run asked for by %s", by)
            if self.before_run is not None:
                await self.before_run()
            archive = self.content().archive
            latest = archive.latest.number if archive.latest else None
            target = latest if issue is None else issue
            if target is None or archive.get(target) is None:
                log.info("delivery: no issue %s in the archive; nothing to post", target or "")
                return DeliveryReport()
            if not dry_run:
                self.ledger.release(target, self.clock.now())
                note_release(self.ledger, self.content(), target, self.clock.now())
                await self.ledger.commit()
            self.planner.start_run()
            tally = Tally()
            destinations = await self.planner.destinations()
            if at is not None:  # the scheduler: only the destinations due now
                destinations = [d for d in destinations if d.time in at]
            released = self.ledger.released_at(target) or self.clock.now()
            daily = [d for d in destinations if not d.weekly]  # a /post too: the others wait
            jobs = self.planner.plan(daily, target, released, tally)
            if at is not None:  # the weekly ones due now: their digest
                weekly = [d for d in destinations if d.weekly]
                now = self.clock.now()
                jobs += self.planner.plan_digests(weekly, now, tally, rank=len(jobs))
            if dry_run:
                return self.planner.dry_run(jobs, len(destinations), tally)
            await self._run(jobs, tally)
            return await self._finish(tally, len(destinations), target, started, f"issue {target}")

    async def _finish(
        self, tally: Tally, destinations: int, issue: int | None, started: float, what: str
    ) -> DeliveryReport:
        """The run's report, logged; its attempts kept and the report told (`Outcomes`)."""
        seconds = self.clock.monotonic() - started
        report = tally.report(destinations, self._stop.is_set(), issue, seconds)
        log.info("delivery of %s done: %s", what, report.summary)
        await self.outcomes.close(tally, report)
        return report

    async def destinations(self) -> list[Destination]:
        return await self.planner.destinations()

    async def _run(self, jobs: list[Job], tally: Tally) -> None:
        run = RUN.set(uuid.uuid4().hex[:12])  # its workers' context copies it (logfields.py)
        queues: dict[str, deque[Job]] = {}
        for job in jobs:  # in rank order: channels first, then readers oldest first
            queues.setdefault(job.dest.platform, deque()).append(job)
        workers = [
            asyncio.create_task(self._worker(queue, tally))
            for platform, queue in queues.items()
            for _ in range(min(self._workers(platform), len(queue)))
        ]
        every = self.progress_every
        progress = asyncio.create_task(tally.log_progress(self.clock, every)) if every else None
        self.tally = tally
        try:
            await asyncio.gather(*workers)
        finally:
            self.tally = None
            RUN.reset(run)
            if progress is not None:
                progress.cancel()
            await self._commit_last()
        tally.skipped += sum(len(queue) for queue in queues.values())  # left by a stop

    async def _commit_last(self) -> None:
        """The marks no later part committed: every worker's last thread's "sent" and "done"
        (`_deliver_issue`), and those of a thread that ended in an error."""
        try:
            await self.ledger.commit()
        except Exception as exc:  # they stay queued: the next commit writes them
            log.error("the run's last delivery marks were not committed: %s", _describe(exc))

    def _workers(self, platform: str) -> int:
        if isinstance(self.concurrency, int):
            return self.concurrency
        return self.concurrency.get(platform, 64)

    async def _worker(self, queue: deque[Job], tally: Tally) -> None:
        while queue and not self._stop.is_set():
            await self._deliver_job(queue.popleft(), tally)

    async def _deliver_job(self, job: Job, tally: Tally) -> None:
        dest, failed = job.dest, []
        DESTINATION.set(dest.key)
        PLATFORM.set(dest.platform)
        for number in job.issues:
            progress = ThreadProgress(number, dest.key)
            kind: FailureKind | None = None
            detail, ended = "", False  # ended: nothing more goes there in this run
            try:
                await self._deliver_issue(dest, progress, job.rank, tally)
            except RecipientGone as exc:
                kind = await gone(self.departures, dest, number, exc, tally)
                detail, ended = str(exc), True
            except _Skip as why:
                log.info("%s: stopped before the end of the thread (%s)", dest.key, why)
                tally.skipped, ended = tally.skipped + 1, True
            except Exception as exc:  # one destination must not stop the others
                log.error("%s: issue %d failed: %s", dest.key, number, _describe(exc))
                failed.append(f"{dest.key}: issue {number}: {_describe(exc)}")
                kind, detail = kind_of(exc), _describe(exc)
                tally.fail(Failure(dest.key, kind, detail, number))
            tally.attempts.append(progress.attempt(self.clock.now(), kind, detail))
            if ended:
                break
        if failed:
            tally.failures.append("; ".join(failed))

    async def _deliver_issue(
        self, dest: Destination, progress: ThreadProgress, rank: int, tally: Tally
    ) -> None:
        number = progress.issue
        ISSUE.set(number)
        messages = self.planner.thread(number, dest).messages
        progress.parts = len(messages)
        records = self.ledger.parts(number, dest.key)
        parent = records[0].ref if 0 in records else None
        refs = {part: record.ref for part, record in records.items() if record.ref is not None}
        part = -1
        while (part := part + 1) < len(messages := self.planner.thread(number, dest).messages):
            message = messages[part]  # the content served now: a change reaches the rest
            record = records.get(part)
            if record is not None and record.state == "sent":
                continue
            await self._check(dest)
            if record is not None:
                log.warning(
                    "%s: part %d of issue %d was left pending by an interrupted run; "
                    "sending it again (it may appear twice)", dest.key, part, number,
                )  # fmt: skip
            self.ledger.mark_pending(number, dest.key, part)
            await self.ledger.commit()
            ref = await self._send(dest, message, parent if part else None, rank, tally)
            # the copy first: both ride on the next commit, where the "sent" mark then
            # joins the next part's "pending" as one statement run (PostgreSQL)
            self._keep_copy(dest, number, part, ref, message)
            self.ledger.mark_sent(number, dest.key, part, ref)
            refs[part] = ref
            tally.sent += 1
            progress.sent.append((part, self.clock.now()))
            parent = ref if part == 0 else parent
        # the last "sent" and the "done" ride on the store's next commit (on tinydb: `_remember`
        # just below; else this worker's next "pending"), at the latest the run's last one
        # (`_run`): until then the last part is this worker's one message in flight
        self.ledger.mark_done(number, dest.key, len(messages))
        progress.done = True
        await self._remember(number, [(refs[p], m) for p, m in enumerate(messages) if p in refs])

    async def _remember(self, number: int, sent: list[tuple[MessageRef, Message]]) -> None:
        """What each message of a delivered thread carried (reactions on it count for that)."""
        try:
            if self.feedback is not None:
                await self.feedback.remember(
                    number, [(as_reacted(r), Carried(number, m.sections)) for r, m in sent]
                )
        except Exception as exc:  # the thread is delivered; only its reactions go uncounted
            log.warning("issue %d: what its messages carried was not kept: %s", number, exc)

    def _keep_copy(
        self, dest: Destination, number: int, part: int, ref: MessageRef, message: Message
    ) -> None:
        """The copy a correction may edit later (`corrections.py`), in the same commit. The
        part is sent whatever happens here: a copy not kept only leaves it uncorrected."""
        if is_digest(number):  # a weekly digest is not corrected
            return
        try:
            keep_sent(self.ledger, self.platforms.get(dest.platform),
                      Copy(number, dest.key, part, ref, self.planner.digest(message),
                           variant(*self.planner.variant_of(dest)), self.clock.now()))  # fmt: skip
        except Exception as exc:
            log.warning("%s: part %d of issue %d: its copy was not kept: %s", dest.key, part,
                        number, _describe(exc))  # fmt: skip

    async def _check(self, dest: Destination) -> None:
        if self._stop.is_set():
            raise _Skip("stop requested")
        if self.leadership is not None and not await self.leadership.holds():
            log.error("the delivery lock is lost: another process may deliver now; stopping")
            self.halt()
            raise _Skip("the delivery lock is lost")
        if dest.user is not None and not await self.subscriptions.is_subscribed(
            dest.platform, dest.user
        ):
            raise _Skip("unsubscribed during the run")

    async def _send(
        self,
        dest: Destination,
        message: Message,
        reply_to: MessageRef | None,
        rank: int,
        tally: Tally,
    ) -> MessageRef:
        platform = self.platforms.get(dest.platform)

        async def paced() -> MessageRef:
            async with self.pacer.slot(dest.platform, dest.chat, dest.kind, rank):
                return await platform.send(dest.chat, message, reply_to=reply_to)

        def retried() -> None:
            tally.retried += 1

        try:
            return await self.retrier.call(paced, dest.key, retried, tally.limited)
        except Stopped as why:
            raise _Skip(str(why)) from None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
