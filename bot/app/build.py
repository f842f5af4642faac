"""The composition root, building: settings → content, store, core service, delivery, and what
each platform is built with. Nothing else builds objects, and nothing but the CLI imports this
package; every consumer gets the parts it uses (the engine its ports, a platform its `Wiring`,
the leader its `Duties`), never the whole `Bot`.

The order breaks the cycle there is (the service posts through the engine, which sends through
the platforms, whose inbound traffic goes to the service): the platform registry is made first
and empty, handed to the engine and the service, and platforms join it as they start
(`run.py`). The content refresh and its notice to the admins are one `AdminNotices`, made
before both: the engine calls it before a run, /reload and the file watcher through the service.
"""

from __future__ import annotations

import logging
import os
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapters.infra import pacing
from bot.adapters.infra.clock import SystemClock
from bot.adapters.infra.descriptor import PlatformDescriptor, Wiring
from bot.app import platforms as p
from bot.app.metrics import MeteredDeliverer, Metrics, Revision
from bot.app.ops import Ops, Readiness
from bot.config import Secrets, Settings
from bot.content.loader import Content, load_content
from bot.core.approvals import Approvals
from bot.core.conversation.buttons import BUTTONS
from bot.core.conversation.commands import COMMANDS
from bot.core.conversation.context import Editing
from bot.core.conversation.destinations import DestinationPolicy, cron_time
from bot.core.conversation.handlers.admin import AdminNotices
from bot.core.conversation.quota import CommandQuota
from bot.core.conversation.service import CommandService
from bot.core.delivery.copies import CorrectionReport
from bot.core.delivery.corrections import Corrector
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.handover import Handover, Leading
from bot.core.delivery.retry import ANSWERS, Retrier, RetryingPlatform
from bot.core.delivery.testsend import TestSends
from bot.core.delivery.timetable import Timetable
from bot.core.departures import Departures
from bot.core.destination import DeliveryTime
from bot.core.live_content import LiveContent
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.store.backend import Backend, open_tinydb
from bot.store.lock import DataLock

if TYPE_CHECKING:
    from bot.store.postgres.lock import PgLock

log = logging.getLogger(__name__)
# Divides every pacing period: only for tests and benchmarks against local fake servers that
# compress time the same way. Never set it against the real platforms.
PACE_SCALE_ENV = "BRIEFING_PACE_SCALE"


@dataclass(frozen=True)
class Storage:
    """The store and its delivery lock, chosen together (`open_backend`): the tinydb file and
    its flock, one process only; or PostgreSQL and its advisory lock, which replicas share."""

    lock: DataLock | PgLock
    replicas: bool  # several `run`s may share the store, the lock's holder leading
    data_path: Path
    database_url: str | None = None
    audit_days: int = 365  # `[bot] audit_days`

    def open(self, *, read_only: bool = False) -> Backend:
        """The store (the tinydb file only once its lock is taken: it is read into memory)."""
        if self.database_url is not None:
            from bot.store.postgres.backend import open_postgres

            return open_postgres(self.database_url, audit_days=self.audit_days)
        return open_tinydb(self.data_path, read_only=read_only, audit_days=self.audit_days)


@dataclass(frozen=True)
class Bot:
    """The bot, built: what `run.py` starts and tests look into."""

    settings: Settings
    store: Backend  # tinydb, or PostgreSQL when DATABASE_URL is set
    live: LiveContent
    platforms: PlatformRegistry  # the started ones, which the engine and the service send through
    engine: DeliveryEngine
    service: CommandService
    wiring: Wiring  # what every platform is built with
    descriptors: tuple[PlatformDescriptor, ...]  # the platforms it may start (`PLATFORMS`)
    leading: Leading  # whether this process leads (holds the delivery lock)
    deliverer: MeteredDeliverer | DeliveryEngine  # the engine's runs, timed and counted
    ops: Ops  # /metrics, /livez, /readyz (bot/app/ops.py) and the metrics themselves
    content_dir: Path = Path("content")  # watched while the bot runs (bot/adapters/infra/watch.py)
    corrector: Corrector | None = None  # edits the copies of a changed issue (the leader's)

    @property
    def content(self) -> Content:
        """The content being served (`/reload` replaces it)."""
        return self.live.current


def resolve(settings: Settings, config_path: Path | None, value: Path) -> Path:
    """Relative paths in the config are relative to the config file's folder."""
    if value.is_absolute() or config_path is None:
        return value
    return (config_path.parent / value).resolve()


def open_backend(settings: Settings, config_path: Path | None = None) -> Storage:
    """PostgreSQL when `DATABASE_URL` is set (replicas lead in turn), else the tinydb file at
    `[bot] data_path` (one process); nothing is opened or locked yet."""
    secrets = Secrets()
    data_path = resolve(settings, config_path, settings.bot.data_path)
    if secrets.database_url is not None:
        from bot.store.postgres.lock import PgLock

        url = secrets.database_url.get_secret_value()
        return Storage(PgLock(url), True, data_path, url, settings.bot.audit_days)
    return Storage(DataLock(data_path), False, data_path, audit_days=settings.bot.audit_days)


def build(
    settings: Settings,
    config_path: Path | None = None,
    *,
    storage: Storage | None = None,
    read_only: bool = False,
    replica: bool = False,
    platforms: Sequence[PlatformDescriptor] = p.PLATFORMS,
    metered: bool = True,
) -> Bot:
    """Everything wired, the platforms to build as they start (`run.py`). `storage`: the CLI's,
    its lock taken (or, a `replica`, tried in turn): deliveries re-check it before every part
    and this process leads from the start unless it is a replica; without it (tests, preview)
    nothing is checked. `read_only` for commands that hold no lock. `metered=False` (benchmarks
    only): no metric is counted (`/metrics` still answers)."""
    content_dir = resolve(settings, config_path, settings.bot.content_dir)
    held = storage is not None and not read_only
    storage = storage or open_backend(settings, config_path)
    # the store first: reading it needs ~30 MB for a moment at 100,000 subscribers, which then
    # does not come on top of the content (#27: peak RSS at start-up)
    store = storage.open(read_only=read_only)
    cache = storage.data_path.with_name("content-cache.json")  # an accelerator beside the data
    content = load_content(content_dir, cache)
    for warning in content.warnings:
        log.debug("%s", warning)
    approvals = approvals_of(settings, store, read_only=read_only)
    live = LiveContent(
        content,
        lambda: load_content(content_dir, cache),
        release=approvals.gate(schedule_of(settings).release()),
    )
    approvals.changed = live.invalidate
    registry = PlatformRegistry()
    web = WebLinks.at(settings.web.base_url)
    metrics = Metrics()
    pacer = pacing.Pacer(
        p.rate_limits(settings, platforms),
        time_scale=float(os.environ.get(PACE_SCALE_ENV) or 1),
        meter=metrics if metered else None,
    )
    admins = frozenset(settings.bot.admins)
    editors = frozenset(settings.bot.editors)
    feedback = store.feedback if settings.bot.feedback else None
    notices = AdminNotices(
        live, registry, admins, settings.bot.language,
        editors=editors, choices=store.report_choices, settings=store.destinations,
        approvals=approvals,
        paced=lambda platform: RetryingPlatform(platform, Retrier(ANSWERS, SystemClock()), pacer),
    )  # fmt: skip  # the engine's too: the content refreshed before a run, its report after
    engine = DeliveryEngine(
        content=lambda: live.current,
        channels=p.delivery_channels(settings, platforms),
        platforms=registry,
        subscriptions=store.subscriptions,
        destinations=store.destinations,
        ledger=store.ledger,
        pacer=pacer,
        clock=SystemClock(),
        language=settings.bot.language,
        zone=zoneinfo.ZoneInfo(settings.bot.timezone),
        leadership=storage.lock if held else None,
        web=web,
        packing=p.delivery_packing(settings, platforms),
        concurrency=p.delivery_concurrency(settings, platforms),
        before_run=notices.before_run,  # the content on disk, as /reload takes it; approvals
        history=store.history,
        after_run=notices.tell_report,  # the run's report to the editors and admins
        feedback=feedback,
    )
    corrector = Corrector(
        engine,
        zone=zoneinfo.ZoneInfo(settings.bot.timezone),
        keep_days=settings.delivery.correction_days,
        enabled=settings.delivery.corrections == "edit",
        concurrency=max(p.delivery_concurrency(settings, platforms).values(), default=64),
    )
    live.listeners.append(corrector.changed.set)

    async def corrected(report: CorrectionReport) -> None:
        """A correction's report to the editors and admins, and its line in the audit log."""
        await notices.tell_run(report.run_summary())
        await store.audit.record("leader", "delivery", "correction", report.summary)

    corrector.on_report = corrected
    tester = TestSends(engine.planner, lambda: live.loaded, pacer, SystemClock())
    leading = Leading(now=held and not replica)
    deliverer = MeteredDeliverer(engine, metrics) if metered else engine
    pinned = p.delivery_channels(settings, platforms)
    departures = Departures(store.subscriptions, store.destinations, pinned)
    service = CommandService(
        live,
        store.subscriptions,
        registry,
        language=settings.bot.language,
        admins=admins,
        editors=editors,
        deliverer=Handover(deliverer, store.post_requests, leading),
        web=web,
        policy=DestinationPolicy(
            store.destinations,
            store.subscriptions,
            registry,
            ledger=store.ledger,
            pinned=pinned,
            opt_in=settings.bot.channel_opt_in,
            default=DeliveryTime(cron_time(settings.schedule.cron), settings.bot.timezone),
            language=settings.bot.language,
            admins=frozenset(settings.bot.admins),
            issues=lambda: live.current.archive.numbers,
        ),
        quota=command_quota(settings),
        departures=departures,
        notices=notices,
        spellings={descriptor.name: descriptor.spell for descriptor in platforms},
        approvals=approvals,
        tester=tester,
        editing=editing(settings, store, admins | editors),
        feedback=feedback,
        audit=store.audit,
        readers=store.readers,
        observer=metrics if metered else None,
    )
    wiring = Wiring(
        service,
        pacer,
        store.subscriptions,
        store.claims,
        store.installations,
        gone=departures.chats,
    )
    revision = Revision(content_dir)
    metrics.watch(live, leading, engine, store.subscriptions, store.runs, revision)
    enabled = [descriptor.name for descriptor, _ in p.enabled(settings, platforms)]
    names = (
        [c.name for c in COMMANDS] + [f"button:{b.prefix}" for b in BUTTONS] + ["button:unknown"]
    )
    metrics.declare(names, enabled)
    ops = Ops(metrics, Readiness(live, store, registry, enabled, revision, metrics))
    return Bot(
        settings, store, live, registry, engine, service, wiring, tuple(platforms), leading,
        deliverer, ops, content_dir, corrector,
    )  # fmt: skip


def approvals_of(settings: Settings, store: Backend, *, read_only: bool = False) -> Approvals:
    """The release gate of `[bot] require_approval` on the store's approvals; an issue a run
    already started delivering stays released. `read_only`: nothing recorded (a dry run)."""
    return Approvals(
        store.approvals,
        required=settings.bot.require_approval,
        released_at=store.ledger.released_at,
        read_only=read_only,
    )


def command_quota(settings: Settings) -> CommandQuota | None:
    per_minute = settings.bot.commands_per_minute
    return CommandQuota(per_minute) if per_minute else None


def schedule_of(settings: Settings) -> Schedule:
    return Schedule(settings.schedule.cron, zoneinfo.ZoneInfo(settings.bot.timezone))


def editing(settings: Settings, store: Backend, recipients: frozenset[str]) -> Editing:
    """The editors' tools: the delivery history, the report choices, and when a delivery time
    is next due (the scheduler's timetable: the edition's cron for a destination without one)."""
    timetable = Timetable(schedule_of(settings), _no_times)

    def next_due(slot: DeliveryTime | None) -> datetime:
        return timetable.schedule(slot).next_after(datetime.now(UTC))

    return Editing(store.history, store.report_choices, next_due, recipients)


async def _no_times() -> list[DeliveryTime | None]:
    return []  # the timetable is asked for one time's schedule, never for every time in use
