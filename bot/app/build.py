"""The composition root, building: settings → content, store, core service, delivery. Nothing
else builds objects, and nothing but the CLI imports this package; every builder gets what it
uses (its settings section, the secrets, the service), never the `App`.

The order breaks the one cycle there is (the service posts through the engine, which sends
through the platforms, whose inbound traffic goes to the service): the platform registry is
made first and empty, handed to the engine and the service, and platforms join it as they start
(`run.py`).
"""

from __future__ import annotations

import logging
import os
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapters.infra import pacing
from bot.adapters.infra.clock import SystemClock
from bot.adapters.slack.limits import LIMITS as SLACK_LIMITS
from bot.adapters.telegram import limits as telegram_limits
from bot.adapters.telegram.limits import LIMITS as TELEGRAM_LIMITS
from bot.adapters.telegram.render import BUDGET as TELEGRAM_BUDGET
from bot.config import Secrets, Settings
from bot.content.loader import Content, load_content
from bot.core.conversation.destinations import DestinationPolicy, cron_time
from bot.core.conversation.quota import CommandQuota
from bot.core.conversation.service import CommandService
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.handover import Handover, Term
from bot.core.delivery.ports import Leadership
from bot.core.departures import Departures
from bot.core.destination import DeliveryTime
from bot.core.live_content import LiveContent
from bot.core.model.packing import Packing
from bot.core.platforms import PlatformRegistry
from bot.store.backend import Backend, open_tinydb
from bot.store.lock import DataLock

if TYPE_CHECKING:
    from bot.store.postgres.lock import PgLock
from bot.core.model.weblinks import WebLinks

log = logging.getLogger(__name__)
# Divides every pacing period: only for tests and benchmarks against local fake servers that
# compress time the same way. Never set it against the real platforms.
PACE_SCALE_ENV = "BRIEFING_PACE_SCALE"
RATE_LIMITS = {"telegram": TELEGRAM_LIMITS, "slack": SLACK_LIMITS}  # with the default settings
# Destinations in flight per platform. Slack's limits are per channel (no overall bucket), so
# with OAuth installs in many workspaces every workspace's channel may be in flight at once.
CONCURRENCY = 64
SLACK_OAUTH_CONCURRENCY = 1024


@dataclass(frozen=True)
class App:
    settings: Settings
    secrets: Secrets
    store: Backend  # tinydb, or PostgreSQL when DATABASE_URL is set
    live: LiveContent
    platforms: PlatformRegistry  # the started ones, which the engine and the service send through
    engine: DeliveryEngine
    service: CommandService
    content_dir: Path = Path("content")  # watched while the bot runs (bot/adapters/infra/watch.py)
    term: Term = field(default_factory=Term)  # whether this process leads (the delivery lock)

    @property
    def content(self) -> Content:
        """The content being served (`/reload` replaces it)."""
        return self.live.current


def resolve(settings: Settings, config_path: Path | None, value: Path) -> Path:
    """Relative paths in the config are relative to the config file's folder."""
    if value.is_absolute() or config_path is None:
        return value
    return (config_path.parent / value).resolve()


def build(
    settings: Settings,
    config_path: Path | None = None,
    *,
    read_only: bool = False,
    leadership: Leadership | None = None,
) -> App:
    """Everything but the platforms, wired; `read_only` for commands that do not hold the
    data lock; `leadership`, the delivery lock held, is re-checked before every part sent."""
    content_dir = resolve(settings, config_path, settings.bot.content_dir)
    data_path = resolve(settings, config_path, settings.bot.data_path)
    cache = data_path.with_name("content-cache.json")  # an accelerator beside the data file
    content = load_content(content_dir, cache)
    for warning in content.warnings:
        log.debug("%s", warning)
    live = LiveContent(
        content, lambda: load_content(content_dir, cache), release=schedule_of(settings).release()
    )
    secrets = Secrets()
    store = open_store(data_path, secrets, read_only=read_only)
    platforms = PlatformRegistry()
    web = WebLinks.at(settings.web.base_url)
    engine = DeliveryEngine(
        content=lambda: live.current,
        channels=delivery_channels(settings),
        platforms=platforms,
        subscriptions=store.subscriptions,
        destinations=store.destinations,
        ledger=store.ledger,
        pacer=pacing.Pacer(
            rate_limits(settings), time_scale=float(os.environ.get(PACE_SCALE_ENV) or 1)
        ),
        clock=SystemClock(),
        language=settings.bot.language,
        leadership=leadership,
        web=web,
        packing=delivery_packing(settings),
        concurrency=delivery_concurrency(settings),
        before_run=lambda: service.refresh_content(),  # the content on disk, as /reload takes it
    )
    term = Term()
    service = CommandService(
        live,
        store.subscriptions,
        platforms,
        language=settings.bot.language,
        admins=frozenset(settings.bot.admins),
        deliverer=Handover(engine, store.post_requests, term),
        web=web,
        policy=DestinationPolicy(
            store.destinations,
            store.subscriptions,
            platforms,
            ledger=store.ledger,
            pinned=delivery_channels(settings),
            opt_in=settings.bot.channel_opt_in,
            default=DeliveryTime(cron_time(settings.schedule.cron), settings.bot.timezone),
            language=settings.bot.language,
            admins=frozenset(settings.bot.admins),
            issues=lambda: live.current.archive.numbers,
        ),
        quota=command_quota(settings),
        departures=Departures(store.subscriptions, store.destinations, delivery_channels(settings)),
    )
    return App(settings, secrets, store, live, platforms, engine, service, content_dir, term)


def command_quota(settings: Settings) -> CommandQuota | None:
    per_minute = settings.bot.commands_per_minute
    return CommandQuota(per_minute) if per_minute else None


def schedule_of(settings: Settings) -> Schedule:
    return Schedule(settings.schedule.cron, zoneinfo.ZoneInfo(settings.bot.timezone))


def delivery_lock(settings: Settings, config_path: Path | None) -> DataLock | PgLock:
    """One process delivers per store: the data file's flock, or the database's advisory lock."""
    secrets = Secrets()
    if secrets.database_url is not None:
        from bot.store.postgres.lock import PgLock

        return PgLock(secrets.database_url.get_secret_value())
    return DataLock(resolve(settings, config_path, settings.bot.data_path))


def open_store(data_path: Path, secrets: Secrets, *, read_only: bool = False) -> Backend:
    """PostgreSQL when `DATABASE_URL` is set, else the tinydb file at `data_path`."""
    if secrets.database_url is not None:
        from bot.store.postgres.backend import open_postgres

        return open_postgres(secrets.database_url.get_secret_value())
    return open_tinydb(data_path, read_only=read_only)


def delivery_concurrency(settings: Settings) -> dict[str, int]:
    """Destinations delivered at once, per platform (the pacer keeps each within its limits)."""
    paid = settings.telegram.paid_broadcast  # [telegram] paid_broadcast: 1,000 msg/s overall
    concurrency = {"telegram": telegram_limits.workers(paid_broadcast=paid),
                   "slack": CONCURRENCY, "console": CONCURRENCY}  # fmt: skip
    if settings.slack.install == "oauth":
        concurrency["slack"] = SLACK_OAUTH_CONCURRENCY
    return concurrency


def rate_limits(settings: Settings) -> dict[str, pacing.Limits]:
    """Per platform, the limits the pacer keeps to (Telegram's depend on paid broadcast)."""
    paid = settings.telegram.paid_broadcast
    return {"telegram": telegram_limits.limits(paid_broadcast=paid), "slack": SLACK_LIMITS}


def delivery_packing(settings: Settings) -> dict[str, Packing]:
    """Per platform, the size budget that packs a thread's sections and where it applies."""
    return {"telegram": Packing(TELEGRAM_BUDGET, settings.telegram.packed_threads)}


def delivery_channels(settings: Settings) -> dict[str, list[str]]:
    """The enabled platforms and their configured channels (the console has none: its
    destination is its subscriber)."""
    channels: dict[str, list[str]] = {}
    if settings.console.enabled:
        channels["console"] = []
    if settings.telegram.enabled:
        channels["telegram"] = [str(chat) for chat in settings.telegram.chats]
    if settings.slack.enabled:
        channels["slack"] = list(settings.slack.channels)
    return channels
