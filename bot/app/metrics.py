"""Every Prometheus metric of the bot, in one place (prometheus-client; `GET /metrics` is
`bot/app/ops.py`). Each process has its own registry and exports its own figures.

Nothing below the composition root imports prometheus: the figures are taken at the edges.
The pacer every send goes through (its `SendMeter`: what happened inside each slot), the
deliverer the scheduler, `/post` and `briefing-bot post` call (`MeteredDeliverer`), the command
service's observer port (`bot.core.ports.CommandObserver`), and, at each scrape, the store, the
live content and the replica's leadership. What happens on every message or command is
counted in plain Python there and handed to prometheus-client at each scrape (`fold`): its
locked counters and histograms cost ~10 µs an event on a loaded machine, a fifth of a /term.
Labels are bounded: platform, destination kind ("channel", "dm", "answer"), limit ("dm",
"group"), command name, outcome, run kind; never a chat or a user.
"""

from __future__ import annotations

import time
from array import array
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from bot.adapters.infra.watch import link
from bot.core.delivery.ports import RunRecord
from bot.core.errors import MessageRejected, RateLimited, RecipientGone, TransientError
from bot.core.ports import OUTCOMES, DeliveryReport, DeliveryTime

if TYPE_CHECKING:
    from bot.core.delivery.engine import DeliveryEngine
    from bot.core.delivery.handover import Leading
    from bot.core.live_content import LiveContent
    from bot.core.ports import SubscriptionStore

RUN_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)
REFRESH = 60.0  # seconds the store's counts are kept between scrapes (listing 100,000 subscribers
# on PostgreSQL takes ~0.6 s of the event loop)
FOLD_EVERY = 512  # commands counted before they are folded into the metrics without a scrape


class Metrics:
    """The registry and every metric in it."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        per_send = ["platform", "kind"]
        self.messages_sent = Counter("briefing_messages_sent", "Messages the platform accepted",
                            per_send, registry=r)  # fmt: skip
        self.messages_failed = Counter(
            "briefing_messages_failed",
            "Sends the platform refused (reason: gone, rejected, transient, error)",
            [*per_send, "reason"], registry=r,
        )  # fmt: skip
        self.messages_retried = Counter("briefing_messages_retried",
                               "Sends tried again by the retry layer (a 429, a transient error)",
                               per_send, registry=r)  # fmt: skip
        self.messages_edited = Counter("briefing_messages_edited", "Messages edited in place (◀ ▶)",
                                       ["platform"], registry=r)  # fmt: skip
        self.rate_limited = Counter("briefing_rate_limited", "429s (flood control) received",
                                    ["platform", "limit"], registry=r)  # fmt: skip
        self.runs = Counter("briefing_delivery_runs", "Delivery runs ended",
                            ["kind", "outcome"], registry=r)  # fmt: skip
        self.run_seconds = Histogram("briefing_delivery_run_seconds", "Delivery runs' duration",
                                     ["kind"], buckets=RUN_BUCKETS, registry=r)  # fmt: skip
        self.last_success = Gauge("briefing_delivery_last_success_timestamp_seconds",
                                  "When the last run of each kind completed (Unix time)",
                                  ["kind"], registry=r)  # fmt: skip
        self.last_scheduled = Gauge(
            "briefing_delivery_last_scheduled_run_timestamp_seconds",
            "When the last scheduled run that completed was due (the store's record: it survives"
            " restarts and is the same on every replica once it leads)", registry=r,
        )  # fmt: skip
        self.backlog = Gauge(
            "briefing_delivery_backlog",
            "Messages the run in progress has still to send",
            registry=r,
        )
        self.destinations = Gauge("briefing_destinations", "Destinations of a delivery run",
                                  ["platform", "kind"], registry=r)  # fmt: skip
        self.subscribers = Gauge("briefing_subscribers", "Readers subscribed", ["platform"],
                                 registry=r)  # fmt: skip
        self.commands = Counter("briefing_commands", "Commands handled",
                                ["command", "outcome"], registry=r)  # fmt: skip
        self.command_seconds = Histogram("briefing_command_seconds",
                                         "Time to answer a command (sending excluded)",
                                         ["command"], registry=r)  # fmt: skip
        self.store_errors = Counter("briefing_store_errors", "The store could not be reached",
                                    ["where"], registry=r)  # fmt: skip
        self.is_leader = Gauge("briefing_is_leader", "1 while this replica leads (delivers)",
                               registry=r)  # fmt: skip
        self.issues = Gauge("briefing_content_issues", "Issues released", registry=r)
        self.terms = Gauge("briefing_content_terms", "Glossary terms", registry=r)
        self.newest = Gauge("briefing_content_newest_issue", "The newest released issue's number",
                            registry=r)  # fmt: skip
        self.newest_age = Gauge(
            "briefing_content_newest_issue_age_seconds",
            "Seconds since the newest issue was released",
            registry=r,
        )
        self.revision = Gauge("briefing_content_revision", "The content's revision (label), 1",
                              ["revision"], registry=r)  # fmt: skip
        self._handled: dict[tuple[str, str], array[float]] = {}  # times since the last `fold`
        self._pending = 0
        self.sends: defaultdict[tuple[str, str], int] = defaultdict(int)  # since the last fold
        self._counted = 0.0  # when the store's counts were last taken
        self._revision = ""

    # ---- the command service's observer (`CommandObserver`) --------------------------------

    def handled(self, command: str, outcome: str, seconds: float) -> None:
        """A command's outcome and time, kept until the next `fold` in an array of floats (no
        object the garbage collector tracks: the metrics' own work is done at the scrape, not
        on the command's path)."""
        times = self._handled.get((command, outcome))
        if times is None:
            times = self._handled[(command, outcome)] = array("d")
        times.append(seconds)
        self._pending += 1
        if self._pending >= FOLD_EVERY:
            self.fold()

    # ---- the pacer's meter (`bot.adapters.infra.pacing.SendMeter`) ----------------------------

    def sent(self, platform: str, kind: str) -> None:
        self.sends[(platform, kind)] += 1  # folded at the scrape

    def failed(self, exc: Exception, platform: str, kind: str, limit: str) -> None:
        if isinstance(exc, RateLimited):
            self.rate_limited.labels(platform, limit).inc()
            self.messages_retried.labels(platform, kind).inc()
        elif isinstance(exc, TransientError):
            self.messages_retried.labels(platform, kind).inc()
            self.messages_failed.labels(platform, kind, "transient").inc()
        else:
            self.messages_failed.labels(platform, kind, _reason(exc)).inc()

    def fold(self) -> None:
        """Hand what the hot paths counted since the last fold to prometheus-client's metrics."""
        handled, self._handled, self._pending = self._handled, {}, 0
        for (command, outcome), times in handled.items():
            self.commands.labels(command, outcome).inc(len(times))
            if outcome == "store_unavailable":
                self.store_errors.labels("command").inc(len(times))
            timing = self.command_seconds.labels(command)
            for seconds in times:
                timing.observe(seconds)
        sends, self.sends = self.sends, defaultdict(int)
        for (platform, kind), count in sends.items():
            if kind == "edit":  # a message edited in place (Telegram's ◀ ▶)
                self.messages_edited.labels(platform).inc(count)
            else:
                self.messages_sent.labels(platform, kind).inc(count)

    def declare(self, commands: Collection[str], platforms: Collection[str]) -> None:
        """Every series at 0 from the start, so that `rate()` and `increase()` see the first."""
        for command in (*commands, "unknown"):
            self.command_seconds.labels(command)
            for outcome in OUTCOMES:
                self.commands.labels(command, outcome)
        for platform in platforms:
            for kind in ("channel", "dm", "answer"):
                self.messages_sent.labels(platform, kind)
                self.messages_retried.labels(platform, kind)
            for limit in ("dm", "group"):
                self.rate_limited.labels(platform, limit)

    # ---- read at each scrape ----------------------------------------------------------------

    def watch(
        self,
        live: LiveContent,
        leading: Leading,
        engine: DeliveryEngine,
        subscriptions: SubscriptionStore,
        runs: RunRecord,
        revision: Revision,
    ) -> None:
        self._live, self._leading, self._engine = live, leading, engine
        self._subscriptions, self._revision_of = subscriptions, revision
        self.is_leader.set_function(lambda: 1.0 if leading.now else 0.0)
        self.backlog.set_function(lambda: float(engine.tally.backlog if engine.tally else 0))
        self.last_scheduled.set_function(lambda: _timestamp(runs.last_run()))

    async def exposition(self) -> bytes:
        """The text format, every gauge read now (the store's counts at most `REFRESH` old)."""
        self.fold()
        if hasattr(self, "_live"):
            self._content()
            if time.monotonic() - self._counted >= REFRESH:
                await self._count()
        return generate_latest(self.registry)

    def _content(self) -> None:
        content, release = self._live.current, self._live.release
        entries = content.archive.entries
        self.issues.set(len(entries))
        self.terms.set(len(content.glossary))
        newest = max(entries, key=lambda entry: entry.number, default=None)
        at = release.time_of(newest) if newest is not None else None
        self.newest.set(newest.number if newest is not None else 0)
        self.newest_age.set((datetime.now(UTC) - at).total_seconds() if at is not None else 0)
        revision = self._revision_of()
        if revision != self._revision:
            if self._revision:
                self.revision.remove(self._revision)
            self.revision.labels(revision).set(1)
            self._revision = revision

    async def _count(self) -> None:
        try:
            destinations = await self._engine.destinations()
            subscribers = await self._subscriptions.subscribers()
        except Exception:  # the store is unreachable: the last counts stay
            self.store_errors.labels("metrics").inc()
            return
        self._counted = time.monotonic()
        self.destinations.clear()
        for (platform, kind), count in Tally((d.platform, d.kind) for d in destinations).items():
            self.destinations.labels(platform, kind).set(count)
        self.subscribers.clear()
        for platform, count in Tally(s.platform for s in subscribers).items():
            self.subscribers.labels(platform).set(count)


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


class Revision:
    """The content's revision: the name of the folder that the symbolic link on the way to
    `content_dir` (`watch.link`) points to (git-sync links to a worktree named by the commit),
    else "local"."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self) -> str:
        found = link(self.folder)
        return (found.resolve().name[:64] or "local") if found is not None else "local"


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecipientGone):
        return "gone"
    if isinstance(exc, MessageRejected):
        return "rejected"
    return "error"


class MeteredDeliverer:
    """The engine's `deliver`, timed and counted by kind: "scheduled" (the schedule's runs,
    `at` given) or "post" (`/post`, `briefing-bot post`)."""

    def __init__(self, engine: DeliveryEngine, metrics: Metrics) -> None:
        self.engine, self.metrics = engine, metrics

    async def deliver(
        self,
        issue: int | None = None,
        *,
        dry_run: bool = False,
        at: Collection[DeliveryTime | None] | None = None,
        by: str = "",
    ) -> DeliveryReport:
        if dry_run:
            return await self.engine.deliver(issue, dry_run=True, at=at, by=by)
        kind = "scheduled" if at is not None else "post"
        started = time.monotonic()
        outcome = "error"
        try:
            report = await self.engine.deliver(issue, at=at, by=by)
            outcome = "stopped" if report.stopped else "failures" if report.failed else "ok"
            return report
        finally:
            self.ran(kind, outcome, time.monotonic() - started)

    async def resume(self) -> DeliveryReport:
        started = time.monotonic()
        outcome = "error"
        try:
            report = await self.engine.resume()
            outcome = "stopped" if report.stopped else "failures" if report.failed else "ok"
            return report
        finally:
            self.ran("resume", outcome, time.monotonic() - started)

    def ran(self, kind: str, outcome: str, seconds: float) -> None:
        m = self.metrics
        m.runs.labels(kind, outcome).inc()
        m.run_seconds.labels(kind).observe(seconds)
        if outcome == "ok":
            m.last_success.labels(kind).set_to_current_time()
