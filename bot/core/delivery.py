"""Delivery: every destination gets the newest issue it has not had, as a thread, exactly once.

Destinations are the configured channels of every enabled platform plus the DM subscribers on
those platforms. Per destination the plan is: finish any issue a previous run left half-sent,
then the target issue (the newest in the archive, or the one asked for) unless it is already
done there. A DM subscriber gets an issue only if it was released (a run first started
delivering it) after they subscribed, so subscribing after today's run does not bring today's
issue with the next catch-up run; `/latest` and `/issue N` are there for that.

The ledger protocol, per part of a thread (parent = part 0, then the replies in order):

    mark part pending → commit → send → mark sent with the platform's id → commit

(the "sent" of one part shares the commit with the "pending" of the next). A resumed delivery
skips the parts recorded as sent and replies under the recorded parent, so the remaining
replies land in the same thread; a done (issue, destination) is never sent again.

The one duplicate window: a part sent by the platform whose id was not yet recorded when the
process died (kill -9, power loss, between the platform's answer and the commit). That part is
still "pending" in the ledger, and the next run sends it again (with a warning in the log):
at most ONE duplicated message per destination per interruption, never a whole thread. The
same holds for a send whose outcome is unknown (a timeout that the platform in fact carried
out) and that is therefore retried, and "one message" is one part of the thread: an adapter
that splits a long part into several platform messages resends all of them. Platforms offer
no idempotency key that would close the window.

Fan-out: destinations run concurrently, `concurrency` workers per platform (an int, or a
number per platform name; one platform's queue never starves another's); the parts of one
destination go strictly in order, each through `Pacer.slot` (the platform's limits).
Errors (bot.core.errors): RateLimited pauses only that destination for `retry_after` and
retries the same part; TransientError retries with exponential backoff and jitter;
RecipientGone unsubscribes a DM subscriber and reports a channel as failed;
MessageRejected and exhausted retries fail that destination (reported,
retried by the next run) while the others go on. A set stop event (SIGTERM) lets every worker
finish and record the message in flight, then the run returns.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.content.loader import Content
from bot.core.errors import PlatformError, RateLimited, RecipientGone, TransientError
from bot.core.i18n import Language
from bot.core.messages import Message, MessageRef, Thread
from bot.core.ports import ChatPlatform, Clock, DeliveryReport, Ledger, Pacer, SubscriptionStore
from bot.core.render import issue_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Destination:
    platform: str
    chat: str
    user: str | None = None  # set for a DM subscriber
    since: datetime | None = None  # when that subscriber subscribed

    @property
    def key(self) -> str:
        """The ledger key: "slack:C1", "telegram:-100123", "telegram:dm:42"."""
        return f"{self.platform}:dm:{self.user}" if self.user else f"{self.platform}:{self.chat}"

    @property
    def kind(self) -> str:
        return "dm" if self.user else "channel"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5  # tries of one part when it keeps failing transiently
    base_delay: float = 1.0  # first backoff; doubled per attempt, jittered by ±50 %
    max_delay: float = 60.0
    rate_limited_attempts: int = 10  # 429s in a row on one part before the destination fails

    def backoff(self, attempt: int, rng: random.Random) -> float:
        delay = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return delay * rng.uniform(0.5, 1.5)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Skip(Exception):
    """This destination stops here for now (stop requested, unsubscribed); not a failure."""


@dataclass
class _Tally:
    total: int = 0
    sent: int = 0
    retried: int = 0
    skipped: int = 0
    nothing_new: int = 0
    unsubscribed: int = 0
    failures: list[str] = field(default_factory=list)

    def report(self, destinations: int, stopped: bool) -> DeliveryReport:
        return DeliveryReport(
            destinations=destinations, planned=self.total, sent=self.sent, retried=self.retried,
            skipped=self.skipped, failed=len(self.failures), nothing_new=self.nothing_new,
            unsubscribed=self.unsubscribed, stopped=stopped, failures=tuple(self.failures),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Job:
    dest: Destination
    issues: tuple[int, ...]


class DeliveryEngine:
    """The `Deliverer` port: one delivery run at a time in this process."""

    def __init__(
        self,
        *,
        content: Callable[[], Content],
        channels: Mapping[str, Sequence[str]],
        platforms: Mapping[str, ChatPlatform],
        subscriptions: SubscriptionStore,
        ledger: Ledger,
        pacer: Pacer,
        language: Language = "ko",
        clock: Clock | None = None,
        policy: RetryPolicy = RetryPolicy(),
        concurrency: int | Mapping[str, int] = 64,
        progress_every: float | None = 5.0,
        rng: random.Random | None = None,
    ) -> None:
        self.content, self.channels, self.platforms = content, channels, platforms
        self.subscriptions, self.ledger, self.pacer = subscriptions, ledger, pacer
        self.language, self.clock = language, clock or SystemClock()
        self.policy, self.concurrency, self.progress_every = policy, concurrency, progress_every
        self.rng = rng or random.Random()
        self._stop = asyncio.Event()
        self._running = asyncio.Lock()
        self._threads: dict[int, Thread] = {}

    def request_stop(self) -> None:
        """Finish and record the messages in flight, start no other, end the run (SIGTERM)."""
        self._stop.set()

    async def idle(self) -> None:
        """Wait until no delivery run is in progress."""
        async with self._running:
            pass

    async def deliver(self, issue: int | None = None, *, dry_run: bool = False) -> DeliveryReport:
        async with self._running:
            archive = self.content().archive
            latest = archive.latest.number if archive.latest else None
            target = latest if issue is None else issue
            if target is None or archive.get(target) is None:
                log.info("delivery: no issue %s in the archive; nothing to post", target or "")
                return DeliveryReport()
            if not dry_run:
                self.ledger.release(target, self.clock.now())
                await self.ledger.commit()
            self._threads = {}
            tally = _Tally()
            destinations = await self.destinations()
            jobs = self._plan(destinations, target, tally)
            if dry_run:
                return self._dry_run(jobs, len(destinations), tally)
            await self._run(jobs, tally)
            report = tally.report(len(destinations), self._stop.is_set())
            log.info("delivery of issue %d done: %s", target, report.summary)
            return report

    async def destinations(self) -> list[Destination]:
        found: dict[str, Destination] = {}
        for platform, chats in self.channels.items():
            for chat in chats:
                dest = Destination(platform, str(chat))
                found.setdefault(dest.key, dest)
        for sub in await self.subscriptions.subscribers():
            if sub.platform in self.channels:
                dest = Destination(sub.platform, sub.chat, sub.user, _parse_time(sub.since))
                found.setdefault(dest.key, dest)
        return list(found.values())

    # ---- planning ----------------------------------------------------------------------------

    def _plan(self, destinations: Iterable[Destination], target: int, tally: _Tally) -> list[_Job]:
        jobs = []
        released = self.ledger.released_at(target) or self.clock.now()
        archive = self.content().archive
        for dest in destinations:
            issues = {n for n in self.ledger.started(dest.key) if archive.get(n) is not None}
            if self.ledger.is_done(target, dest.key):
                log.debug("%s: nothing new (issue %d already delivered)", dest.key, target)
            elif dest.since is not None and released < dest.since:
                log.debug("%s: subscribed after issue %d was released", dest.key, target)
            else:
                issues.add(target)
            if not issues:
                tally.nothing_new += 1
                continue
            job = _Job(dest, tuple(sorted(issues)))
            tally.total += sum(self._remaining(job.dest, n) for n in job.issues)
            jobs.append(job)
        if tally.nothing_new:
            log.info(
                "delivery: nothing new for %d destination(s) (issue %d delivered or not due)",
                tally.nothing_new, target,
            )  # fmt: skip
        return jobs

    def _thread(self, number: int) -> Thread:
        if number not in self._threads:
            issue = self.content().archive.get(number)
            assert issue is not None, f"issue {number} vanished from the archive"
            self._threads[number] = issue_thread(issue, self.language)
        return self._threads[number]

    def _remaining(self, dest: Destination, number: int) -> int:
        done = self.ledger.parts(number, dest.key)
        total = len(self._thread(number).messages)
        return sum(1 for p in range(total) if p not in done or done[p].state != "sent")

    def _dry_run(self, jobs: list[_Job], destinations: int, tally: _Tally) -> DeliveryReport:
        for job in jobs:
            for number in job.issues:
                log.info(
                    "dry run: %s would get issue %d (%d of %d messages)", job.dest.key, number,
                    self._remaining(job.dest, number), len(self._thread(number).messages),
                )  # fmt: skip
        log.info("dry run: %d messages to %d destinations; nothing sent", tally.total, len(jobs))
        return DeliveryReport(
            destinations=destinations, planned=tally.total, nothing_new=tally.nothing_new
        )

    # ---- running -----------------------------------------------------------------------------

    async def _run(self, jobs: list[_Job], tally: _Tally) -> None:
        queues: dict[str, deque[_Job]] = {}
        for job in sorted(jobs, key=lambda j: j.dest.kind != "channel"):
            queues.setdefault(job.dest.platform, deque()).append(job)
        workers = [
            asyncio.create_task(self._worker(queue, tally))
            for platform, queue in queues.items()
            for _ in range(min(self._workers(platform), len(queue)))
        ]
        progress = asyncio.create_task(self._progress(tally)) if self.progress_every else None
        try:
            await asyncio.gather(*workers)
        finally:
            if progress is not None:
                progress.cancel()
        tally.skipped += sum(len(queue) for queue in queues.values())  # left by a stop

    def _workers(self, platform: str) -> int:
        if isinstance(self.concurrency, int):
            return self.concurrency
        return self.concurrency.get(platform, 64)

    async def _worker(self, queue: deque[_Job], tally: _Tally) -> None:
        while queue and not self._stop.is_set():
            await self._deliver_job(queue.popleft(), tally)

    async def _deliver_job(self, job: _Job, tally: _Tally) -> None:
        dest = job.dest
        failed = []
        try:
            for number in job.issues:
                try:
                    await self._deliver_issue(dest, number, tally)
                except (RecipientGone, _Skip):
                    raise
                except Exception as exc:  # one destination must not stop the others
                    log.error("%s: issue %d failed: %s", dest.key, number, _describe(exc))
                    failed.append(f"{dest.key}: issue {number}: {_describe(exc)}")
        except RecipientGone as exc:
            await self._gone(dest, exc, tally)
        except _Skip as why:
            log.info("%s: stopped before the end of the thread (%s)", dest.key, why)
            tally.skipped += 1
        if failed:
            tally.failures.append("; ".join(failed))

    async def _gone(self, dest: Destination, exc: RecipientGone, tally: _Tally) -> None:
        if dest.user is None:
            log.error("%s: the channel is gone (%s); check the configuration", dest.key, exc)
            tally.failures.append(f"{dest.key}: gone: {exc}")
            return
        await self.subscriptions.unsubscribe(dest.platform, dest.user)
        log.info("%s: recipient gone (%s); unsubscribed", dest.key, exc)
        tally.unsubscribed += 1

    async def _deliver_issue(self, dest: Destination, number: int, tally: _Tally) -> None:
        messages = self._thread(number).messages
        records = self.ledger.parts(number, dest.key)
        parent = records[0].ref if 0 in records else None
        dirty = False
        try:
            for part, message in enumerate(messages):
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
                dirty = False
                ref = await self._send(dest, message, parent if part else None, tally)
                self.ledger.mark_sent(number, dest.key, part, ref)
                dirty = True
                tally.sent += 1
                parent = ref if part == 0 else parent
            self.ledger.mark_done(number, dest.key, len(messages))
            dirty = True
        finally:
            if dirty:
                await self.ledger.commit()

    async def _check(self, dest: Destination) -> None:
        if self._stop.is_set():
            raise _Skip("stop requested")
        if dest.user is not None and not await self.subscriptions.is_subscribed(
            dest.platform, dest.user
        ):
            raise _Skip("unsubscribed during the run")

    async def _send(
        self, dest: Destination, message: Message, reply_to: MessageRef | None, tally: _Tally
    ) -> MessageRef:
        platform = self.platforms.get(dest.platform)
        if platform is None:
            raise PlatformError(f"the {dest.platform} platform is not started", chat=dest.chat)
        transient = limited = 0
        while True:
            try:
                async with self.pacer.slot(dest.platform, dest.chat, dest.kind):
                    return await platform.send(dest.chat, message, reply_to=reply_to)
            except RateLimited as exc:
                limited += 1
                if limited >= self.policy.rate_limited_attempts:
                    raise
                wait = max(exc.retry_after, 0.0)
                log.info("%s: rate limited; pausing it for %.1f s", dest.key, wait)
            except TransientError as exc:
                transient += 1
                if transient >= self.policy.attempts:
                    raise
                wait = self.policy.backoff(transient, self.rng)
                log.warning("%s: %s; retry %d in %.1f s", dest.key, exc, transient, wait)
            tally.retried += 1
            await self._pause(wait)

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds` for this destination only; a stop request cuts it short."""
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        stopper = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        sleeper.cancel()
        stopper.cancel()
        if self._stop.is_set():
            raise _Skip("stop requested")

    async def _progress(self, tally: _Tally) -> None:
        assert self.progress_every is not None
        started = self.clock.monotonic()
        while True:
            await self.clock.sleep(self.progress_every)
            elapsed = max(self.clock.monotonic() - started, 1e-9)
            rate = tally.sent / elapsed
            left = max(tally.total - tally.sent, 0)
            eta = f"{left / rate:.0f} s" if rate > 0 else "unknown"
            log.info(
                "delivery progress: %d/%d messages, %.1f msg/s, ETA %s",
                tally.sent, tally.total, rate, eta,
            )  # fmt: skip


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
