"""The composition root: settings → content, store, core service, delivery, platforms. Nothing
else builds objects, and nothing but the CLI imports this module; every builder gets what it
uses (its settings section, the secrets, the service), never the `App`.

The order breaks the one cycle there is (the service posts through the engine, which sends
through the platforms, whose inbound traffic goes to the service): the platform registry is
made first and empty, handed to the engine and the service, and platforms join it as they start.

`run()` starts every enabled platform (the console included: its delivery destination is the
console subscriber, if someone typed /subscribe there), the scheduler and the console loop;
`post()` does one delivery run with the platforms started send-only. SIGTERM/SIGINT in either
lets the message in flight finish and be recorded, then the platforms stop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import zoneinfo
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.adapters import pacing
from bot.adapters.clock import SystemClock
from bot.adapters.slack.limits import LIMITS as SLACK_LIMITS
from bot.adapters.telegram.limits import LIMITS as TELEGRAM_LIMITS
from bot.adapters.telegram.render import BUDGET as TELEGRAM_BUDGET
from bot.config import ConfigError, Secrets, Settings
from bot.content.loader import Content, load_content
from bot.core.delivery import DeliveryEngine
from bot.core.live_content import LiveContent
from bot.core.packing import Packing
from bot.core.platforms import PlatformRegistry
from bot.core.ports import DeliveryReport, Leadership, Runnable
from bot.core.schedule import Schedule, Scheduler
from bot.core.service import CommandService
from bot.store.backend import Backend, open_tinydb
from bot.store.lock import DataLock

if TYPE_CHECKING:
    from bot.store.pg_lock import PgLock
from bot.core.weblinks import WebLinks

log = logging.getLogger(__name__)
# Divides every pacing period: only for tests and benchmarks against local fake servers that
# compress time the same way. Never set it against the real platforms.
PACE_SCALE_ENV = "BRIEFING_PACE_SCALE"
RATE_LIMITS = {"telegram": TELEGRAM_LIMITS, "slack": SLACK_LIMITS}


@dataclass(frozen=True)
class App:
    settings: Settings
    secrets: Secrets
    store: Backend  # tinydb, or PostgreSQL when DATABASE_URL is set
    live: LiveContent
    platforms: PlatformRegistry  # the started ones, which the engine and the service send through
    engine: DeliveryEngine
    service: CommandService

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
    live = LiveContent(content, lambda: load_content(content_dir, cache))
    secrets = Secrets()
    store = open_store(data_path, secrets, read_only=read_only)
    platforms = PlatformRegistry()
    web = WebLinks.at(settings.web.base_url)
    engine = DeliveryEngine(
        content=lambda: live.current,
        channels=delivery_channels(settings),
        platforms=platforms,
        subscriptions=store.subscriptions,
        ledger=store.ledger,
        pacer=pacing.Pacer(RATE_LIMITS, time_scale=float(os.environ.get(PACE_SCALE_ENV) or 1)),
        clock=SystemClock(),
        language=settings.bot.language,
        leadership=leadership,
        web=web,
        packing=delivery_packing(settings),
    )
    service = CommandService(
        live,
        store.subscriptions,
        platforms,
        language=settings.bot.language,
        admins=frozenset(settings.bot.admins),
        deliverer=engine,
        web=web,
    )
    return App(settings, secrets, store, live, platforms, engine, service)


def delivery_lock(settings: Settings, config_path: Path | None) -> DataLock | PgLock:
    """One process delivers per store: the data file's flock, or the database's advisory lock."""
    secrets = Secrets()
    if secrets.database_url is not None:
        from bot.store.pg_lock import PgLock

        return PgLock(secrets.database_url.get_secret_value())
    return DataLock(resolve(settings, config_path, settings.bot.data_path))


def open_store(data_path: Path, secrets: Secrets, *, read_only: bool = False) -> Backend:
    """PostgreSQL when `DATABASE_URL` is set, else the tinydb file at `data_path`."""
    if secrets.database_url is not None:
        from bot.store.postgres import open_postgres

        return open_postgres(secrets.database_url.get_secret_value())
    return open_tinydb(data_path, read_only=read_only)


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


async def build_platforms(app: App) -> list[Runnable]:
    """The enabled non-console platforms, not started; their SDKs load only when enabled."""
    built: list[Runnable] = []
    if app.settings.telegram.enabled:
        from bot.adapters.telegram.platform import build_telegram

        built.append(await build_telegram(app.settings.telegram, app.secrets, app.service))
    if app.settings.slack.enabled:
        from bot.adapters.slack.platform import build_slack

        built.append(await build_slack(app.settings.slack, app.secrets, app.service))
    return built


@asynccontextmanager
async def started(app: App, *, receive: bool) -> AsyncIterator[list[Runnable]]:
    """Every enabled non-console platform, started and in the registry while inside (joined
    just before its start, so an update that arrives during the start finds it); stopped and
    removed on the way out. `receive=False` starts them send-only."""
    running: list[Runnable] = []
    try:
        for platform in await build_platforms(app):
            app.platforms.add(platform)
            try:
                await platform.start(receive=receive)
            except BaseException:
                app.platforms.remove(platform.name)
                raise
            running.append(platform)
            log.info("%s platform started%s", platform.name, "" if receive else " (send-only)")
        yield running
    finally:
        while running:
            platform = running.pop()
            app.platforms.remove(platform.name)
            await platform.stop()
            log.info("%s platform stopped", platform.name)


@contextmanager
def stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGTERM/SIGINT call `stop` (instead of killing the loop) while inside."""
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        log.info("%s received: finishing the messages in flight, then stopping", sig.name)
        stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def scheduler(app: App, stop: asyncio.Event) -> Scheduler:
    schedule = Schedule(app.settings.schedule.cron, zoneinfo.ZoneInfo(app.settings.bot.timezone))
    catch_up = timedelta(minutes=app.settings.schedule.catch_up_minutes)
    return Scheduler(
        schedule, app.engine, app.store.runs, SystemClock(), catch_up=catch_up, stop=stop
    )


async def run(app: App, *, console_input: bool = True) -> None:
    """Start every enabled platform and the schedule in this loop; stop on SIGTERM/SIGINT or
    console EOF, letting a delivery in progress record its message in flight first."""
    stop = asyncio.Event()

    def request_stop() -> None:
        stop.set()
        app.engine.request_stop()

    with stop_signals(request_stop):
        try:
            async with web_archive(app), started(app, receive=True) as running:
                try:
                    await _serve(app, running, stop, console_input)
                finally:
                    request_stop()
                    await app.engine.idle()
        finally:
            await app.store.close()


async def _serve(
    app: App, running: list[Runnable], stop: asyncio.Event, console_input: bool
) -> None:
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
    if app.settings.console.enabled:
        from bot.adapters.console import ConsolePlatform

        terminal = ConsolePlatform(app.service)
        app.platforms.add(terminal)
        if console_input:
            waiters.append(asyncio.create_task(terminal.run()))
    if not running and len(waiters) == 1:
        log.warning("no platform is enabled: set [console] or [slack]/[telegram] enabled = true")
        return
    schedule = asyncio.create_task(scheduler(app, stop).run())
    index = asyncio.create_task(asyncio.to_thread(app.content.archive.prepare_search))
    try:
        while not stop.is_set():
            done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
                waiters.remove(task)
            if not running:  # console only: its end of input ends the bot
                break
        for task in waiters:
            task.cancel()
    finally:
        stop.set()
        app.engine.request_stop()
        await schedule  # returns once a delivery in progress has recorded its message in flight
        await index
        app.platforms.remove("console")


def _shared_web_port(settings: Settings) -> str | None:
    web, slack, telegram = settings.web, settings.slack, settings.telegram
    if slack.enabled and slack.mode == "http" and slack.http_port == web.port:
        return "[slack] http_port"
    if telegram.enabled and telegram.mode == "webhook" and telegram.webhook_port == web.port:
        return "[telegram] webhook_port"
    return None


@asynccontextmanager
async def web_archive(app: App) -> AsyncIterator[None]:
    """The web archive (`[web] enabled`) on its own port while inside, serving whatever
    content is live (a /reload replaces its pages)."""
    if not app.settings.web.enabled:
        yield
        return
    shared = _shared_web_port(app.settings)
    if shared is not None:  # one server for both sets of routes is not built yet
        port = app.settings.web.port
        message = f"[web] port {port} equals {shared}: serving the archive on a platform's port"
        raise ConfigError([message + " is not supported yet; give [web] its own port"])
    from bot.web.server import WebServer
    from bot.web.site import WebArchive

    archive = WebArchive(lambda: app.live.current, app.settings.web.base_url)
    server = WebServer(archive, host=app.settings.web.host, port=app.settings.web.port)
    await server.start()
    try:
        yield
    finally:
        await server.stop()


def site(settings: Settings, config_path: Path | None, out: Path) -> int:
    """`briefing-bot site OUT_DIR`: the archive as static files; returns how many."""
    from bot.web.export import write_site

    content = load_content(resolve(settings, config_path, settings.bot.content_dir))
    return write_site(content, out, settings.web.base_url)


async def post(app: App, *, issue: int | None = None, dry_run: bool = False) -> DeliveryReport:
    """One delivery run (`briefing-bot post`): platforms send-only, then stopped."""
    with stop_signals(app.engine.request_stop):
        try:
            if dry_run:
                return await app.engine.deliver(issue, dry_run=True)
            async with started(app, receive=False):
                if app.settings.console.enabled:
                    from bot.adapters.console import ConsolePlatform

                    app.platforms.add(ConsolePlatform(app.service))
                return await app.engine.deliver(issue)
        finally:
            await app.store.close()
