"""Delivery, planning: who gets which issues in this run.

Destinations are the configured channels of every enabled platform, the channels that opted in
themselves (`/briefing here`), and the DM subscribers on those platforms; each in the language
it chose for the bot's own words (the table of contents' labels), else `bot.language`. Per
destination the plan is: finish any issue a previous run left half-sent, then the target issue
(the newest in the archive, or the one asked for) unless it is already done there. A DM
subscriber gets an issue only if it was released (a run first started delivering it) after they
subscribed, so subscribing after today's run does not bring today's issue with the next catch-up
run; `/latest` and `/issue N` are there for that.

The order is deterministic: the configured channels as configured, the opted-in channels oldest
first, then the DM subscribers, oldest subscription first; each job's `rank` is its place in it,
which the pacer serves in turn.

What a destination gets is shaped by its settings: the sections it muted are left out of its
thread and contents (an issue whose every section it muted is not sent to it at all), and a
weekly destination gets its digest when due (`digests.py`) instead of each issue. Threads are
rendered once per distinct (issue, platform, packing, language, muted set): readers who chose
alike share one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.content.names import normalise
from bot.core.delivery.copies import digest
from bot.core.delivery.digests import Digests, is_digest
from bot.core.delivery.ports import Clock
from bot.core.destination import Destination
from bot.core.feedback import vote_buttons
from bot.core.i18n import Language
from bot.core.model.messages import Message, Thread
from bot.core.model.packing import Packing, pack_thread
from bot.core.model.render import issue_thread
from bot.core.model.termlinks import TermLinker
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import (
    DeliveryReport,
    DeliveryTime,
    DestinationSettings,
    DestinationStore,
    Ledger,
    Subscriber,
    SubscriptionStore,
)
from bot.core.runs import Attempt, Failure

log = logging.getLogger(__name__)


@dataclass
class Tally:
    total: int = 0
    sent: int = 0
    retried: int = 0
    skipped: int = 0
    nothing_new: int = 0
    unsubscribed: int = 0
    failures: list[str] = field(default_factory=list)
    rate_limited: int = 0  # 429s waited out
    waited: float = 0.0  # seconds waited for them
    problems: list[Failure] = field(default_factory=list)  # each failure, with its kind
    attempts: list[Attempt] = field(default_factory=list)  # for the history, not yet written
    reached: int = 0  # destinations with something to send

    def fail(self, failure: Failure, line: str | None = None) -> None:
        """`failure`, counted in the report (and `line` in the failures' text, if any)."""
        self.problems.append(failure)
        if line is not None:
            self.failures.append(line)

    def limited(self, seconds: float) -> None:
        self.rate_limited += 1
        self.waited += seconds

    async def log_progress(self, clock: Clock, every: float) -> None:
        """Every `every` seconds until cancelled: messages sent of planned, the rate, the ETA."""
        started = clock.monotonic()
        while True:
            await clock.sleep(every)
            rate = self.sent / max(clock.monotonic() - started, 1e-9)
            left = max(self.total - self.sent, 0)
            eta = f"{left / rate:.0f} s" if rate > 0 else "unknown"
            log.info("delivery progress: %d/%d messages, %.1f msg/s, ETA %s",
                     self.sent, self.total, rate, eta)  # fmt: skip

    @property
    def backlog(self) -> int:
        """Messages planned and not sent yet."""
        return max(self.total - self.sent, 0)

    def report(
        self, destinations: int, stopped: bool, issue: int | None = None, seconds: float = 0.0
    ) -> DeliveryReport:
        return DeliveryReport(
            destinations=destinations, planned=self.total, sent=self.sent, retried=self.retried,
            skipped=self.skipped, failed=len(self.failures), nothing_new=self.nothing_new,
            unsubscribed=self.unsubscribed, stopped=stopped, failures=tuple(self.failures),
            issue=issue, seconds=seconds, rate_limited=self.rate_limited, waited=self.waited,
            problems=tuple(self.problems), reached=self.reached,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Job:
    dest: Destination
    issues: tuple[int, ...]
    rank: int = 0  # its place in the run: the lowest rank waiting for a shared limit goes first


class Planner:
    """The destinations of a run and the issues each still needs, from the ledger."""

    def __init__(
        self,
        content: Callable[[], Content],
        channels: Mapping[str, Sequence[str]],
        subscriptions: SubscriptionStore,
        ledger: Ledger,
        language: Language,
        web: WebLinks | None = None,
        platforms: PlatformRegistry | None = None,
        packing: Mapping[str, Packing] | None = None,
        destinations: DestinationStore | None = None,
        zone: ZoneInfo | None = None,
        votes: bool = False,
    ) -> None:
        self.votes = votes  # [bot] feedback: 👍/👎 under each thread's parent
        self.zone = zone  # [bot] timezone: when a weekly digest's week begins
        self.store = destinations  # opted-in channels and every destination's settings
        self.content, self.channels = content, channels
        self.packing = packing or {}  # per platform: which destinations get packed threads
        self.subscriptions, self.ledger, self.language = subscriptions, ledger, language
        self.web = web  # set: each thread's parent links the issue's web page
        self.platforms = platforms or PlatformRegistry()  # whose deep links the notes use
        self._threads: dict[tuple[int, str, bool, Language, frozenset[str]], Thread] = {}
        self._mutes: dict[tuple[str, ...], frozenset[str]] = {}  # one set per distinct choice
        self.digests = Digests(content, ledger, zone or ZoneInfo("UTC"), web, self.platforms)
        self._rendered_from: Content | None = None  # the content `_threads` were rendered from
        self._digests: dict[int, tuple[Message, str]] = {}  # id -> (a thread's message, digest)

    def over(self, content: Callable[[], Content]) -> Planner:
        """A planner like this one over other content (a test send: the content as loaded,
        drafts included), rendering threads exactly as this one does."""
        return Planner(
            content, self.channels, self.subscriptions, self.ledger, self.language, self.web,
            self.platforms, self.packing, self.store, zone=self.zone, votes=self.votes,
        )  # fmt: skip

    def start_run(self) -> None:
        """Forget the threads rendered for a previous run (the content may have changed)."""
        self._threads, self._mutes = {}, {}
        self.digests.start_run()

    def _muted(self, names: tuple[str, ...]) -> frozenset[str]:
        if names not in self._mutes:
            self._mutes[names] = frozenset(normalise(name) for name in names)
        return self._mutes[names]

    async def destinations(self) -> list[Destination]:
        found: dict[str, Destination] = {}
        chosen = await self.store.all_settings() if self.store is not None else {}

        def add(dest: Destination) -> None:
            mine = chosen.get(dest.key, DestinationSettings())
            words = mine.language
            language: Language | None = "en" if words == "en" else "ko" if words == "ko" else None
            clock, zone, day = mine.time, mine.zone or "", mine.weekly or ""
            time = DeliveryTime(clock, zone, day) if clock else None
            muted = self._muted(mine.muted) if mine.muted else frozenset()
            found.setdefault(dest.key, replace(dest, language=language, time=time, muted=muted))

        for platform, chats in self.channels.items():
            for chat in chats:
                add(Destination(platform, str(chat)))
        for opted in await self.store.opted_in() if self.store is not None else []:
            if opted.platform in self.channels:
                add(Destination(opted.platform, opted.chat, opted_in=True))
        for sub in sorted(await self.subscriptions.subscribers(), key=_oldest_first):
            if sub.platform in self.channels:
                add(Destination(sub.platform, sub.chat, sub.user, _parse_time(sub.since)))
        return list(found.values())

    def plan(
        self, destinations: Iterable[Destination], target: int, released: datetime, tally: Tally
    ) -> list[Job]:
        jobs: list[Job] = []
        for dest in destinations:
            issues = {n for n in self.ledger.started(dest.key) if self._known(n, dest)}
            if self.ledger.is_done(target, dest.key):
                log.debug("%s: nothing new (issue %d already delivered)", dest.key, target)
            elif dest.since is not None and released < dest.since:
                log.debug("%s: subscribed after issue %d was released", dest.key, target)
            elif dest.muted and not self.thread(target, dest).replies:
                log.debug("%s: every section of issue %d is muted there", dest.key, target)
            else:
                issues.add(target)
            if not issues:
                tally.nothing_new += 1
                continue
            job = Job(dest, tuple(sorted(issues)), rank=len(jobs))
            tally.reached += 1
            tally.total += sum(self.remaining(job.dest, n) for n in job.issues)
            jobs.append(job)
        if tally.nothing_new:
            log.info(
                "delivery: nothing new for %d destination(s) (issue %d delivered or not due)",
                tally.nothing_new, target,
            )  # fmt: skip
        return jobs

    def plan_digests(
        self, destinations: Iterable[Destination], now: datetime, tally: Tally, rank: int = 0
    ) -> list[Job]:
        """The weekly destinations due now: their digest, unless done or empty (no issue
        released that week), after any thread or digest left half-sent there."""
        jobs: list[Job] = []
        for dest in destinations:
            numbers = [n for n in self.ledger.started(dest.key) if self._known(n, dest)]
            digest = self.digests.number(dest, now)
            if self.ledger.is_done(digest, dest.key) or digest in numbers:
                pass
            elif self.digests.issues(digest, dest):
                numbers.append(digest)
            if not numbers:
                tally.nothing_new += 1
                continue
            job = Job(dest, tuple(numbers), rank=rank + len(jobs))
            tally.total += sum(self.remaining(job.dest, n) for n in job.issues)
            jobs.append(job)
        return jobs

    def plan_resume(self, destinations: Iterable[Destination]) -> list[Job]:
        """The destinations with a half-sent thread (or digest), and those only."""
        jobs: list[Job] = []
        for dest in destinations:
            issues = [n for n in self.ledger.started(dest.key) if self._known(n, dest)]
            if issues:
                jobs.append(Job(dest, tuple(issues), rank=len(jobs)))
        return jobs

    def _known(self, number: int, dest: Destination) -> bool:
        """An issue still in the archive, or a digest with an issue in it."""
        if is_digest(number):
            return bool(self.digests.issues(number, dest))
        return self.content().archive.get(number) is not None

    def thread(self, number: int, dest: Destination) -> Thread:
        """Issue `number` as `dest` gets it: its 토막상식 linking the glossary its platform's way,
        its muted sections left out, packed where its platform's packing applies; or, for a
        digest's number, that digest."""
        packed, language, muted = self.variant_of(dest)
        if is_digest(number):
            return self.digests.thread(number, dest, language)
        return self.variant_thread(number, dest.platform, packed, language, muted)

    def variant_of(self, dest: Destination) -> tuple[bool, Language, frozenset[str]]:
        """How `dest` gets an issue: packed or not, the language of the bot's words, and the
        sections it muted."""
        packing = self.packing.get(dest.platform)
        packed = packing is not None and packing.applies_to(dest.kind)
        return packed, dest.language or self.language, dest.muted

    def variant_thread(
        self,
        number: int,
        platform: str,
        packed: bool,
        language: Language,
        muted: frozenset[str] = frozenset(),
    ) -> Thread:
        """Issue `number` rendered for `platform` in one variant, from the content served now:
        content that changed during a run reaches the destinations still waiting for it."""
        content = self.content()
        if content is not self._rendered_from:
            self._threads, self._rendered_from, self._digests = {}, content, {}
        key = (number, platform, packed, language, muted)
        packing = self.packing.get(platform) if packed else None
        if key not in self._threads:
            issue = content.archive.get(number)
            assert issue is not None, f"issue {number} vanished from the archive"
            links = TermLinker(platform, content.glossary, self.platforms, language, self.web)
            thread = issue_thread(issue, language, self.web, links.after, muted)
            if self.votes:
                parent = replace(thread.parent, buttons=vote_buttons(number))
                thread = replace(thread, parent=parent)
            self._threads[key] = pack_thread(thread, packing.budget) if packing else thread
        return self._threads[key]

    def digest(self, message: Message) -> str:
        """`copies.digest` of a message of a thread rendered here, once per message."""
        known = self._digests.get(id(message))
        if known is None or known[0] is not message:
            known = self._digests[id(message)] = (message, digest(message))
        return known[1]

    def remaining(self, dest: Destination, number: int) -> int:
        done = self.ledger.parts(number, dest.key)
        total = len(self.thread(number, dest).messages)
        return sum(1 for p in range(total) if p not in done or done[p].state != "sent")

    def dry_run(self, jobs: list[Job], destinations: int, tally: Tally) -> DeliveryReport:
        for job in jobs:
            for number in job.issues:
                log.info(
                    "dry run: %s would get issue %d (%d of %d messages)", job.dest.key, number,
                    self.remaining(job.dest, number), len(self.thread(number, job.dest).messages),
                )  # fmt: skip
        log.info("dry run: %d messages to %d destinations; nothing sent", tally.total, len(jobs))
        return DeliveryReport(
            destinations=destinations, planned=tally.total, nothing_new=tally.nothing_new
        )


def _oldest_first(sub: Subscriber) -> tuple[bool, datetime, str, str]:
    since = _parse_time(sub.since)  # no known time: after every known one
    return since is None, since or datetime.min.replace(tzinfo=UTC), sub.platform, sub.user


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
