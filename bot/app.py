"""The composition root: settings → content, store, core service, delivery, platforms. Nothing
else builds objects; `cli.py` only parses arguments and calls in here.

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
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from bot.config import Secrets, Settings
from bot.content.loader import Content, load_content
from bot.core.delivery import DeliveryEngine, SystemClock
from bot.core.messages import Message, MessageRef
from bot.core.ports import ChatPlatform, DeliveryReport
from bot.core.service import Briefing
from bot.pacing import Pacer
from bot.schedule import Schedule, Scheduler
from bot.store import Ledger, RunLog, Store, Subscriptions

log = logging.getLogger(__name__)
# Divides every pacing period: only for tests and benchmarks against local fake servers that
# compress time the same way. Never set it against the real platforms.
PACE_SCALE_ENV = "BRIEFING_PACE_SCALE"


class Runnable(Protocol):
    """A platform adapter that runs inside the shared event loop and sends for the core.
    Every adapter can also start send-only (`start(receive=False)`), for `briefing-bot post`."""

    name: str

    async def start(self, *, receive: bool = True) -> None:
        """Connect; `receive=False` sends only (no updates, no listener: `briefing-bot post`)."""
        ...

    async def stop(self) -> None: ...

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef: ...

    async def open_dm(self, user: str) -> str: ...


@dataclass
class App:
    settings: Settings
    secrets: Secrets
    store: Store
    subscriptions: Subscriptions
    service: Briefing
    ledger: Ledger
    runs: RunLog
    engine: DeliveryEngine
    platforms: list[Runnable] = field(default_factory=list)
    senders: dict[str, ChatPlatform] = field(default_factory=dict)  # the engine's platforms

    @property
    def content(self) -> Content:
        """The content being served: the service's, which `/reload` replaces."""
        return self.service.content


def resolve(settings: Settings, config_path: Path | None, value: Path) -> Path:
    """Relative paths in the config are relative to the config file's folder."""
    if value.is_absolute() or config_path is None:
        return value
    return (config_path.parent / value).resolve()


def build(settings: Settings, config_path: Path | None = None, *, read_only: bool = False) -> App:
    """Everything, wired; `read_only` for commands that do not hold the data lock."""
    content_dir = resolve(settings, config_path, settings.bot.content_dir)
    data_path = resolve(settings, config_path, settings.bot.data_path)
    cache = data_path.with_name("content-cache.json")  # an accelerator beside the data file
    content = load_content(content_dir, cache)
    for warning in content.warnings:
        log.debug("%s", warning)
    store = Store.open(data_path, fold=not read_only)
    subscriptions = Subscriptions(store)
    service = Briefing(
        content,
        subscriptions,
        language=settings.bot.language,
        admins=frozenset(settings.bot.admins),
        reload=lambda: load_content(content_dir, cache),
    )
    ledger = Ledger(store)
    senders: dict[str, ChatPlatform] = {}
    engine = DeliveryEngine(
        content=lambda: service.content,
        channels=delivery_channels(settings),
        platforms=senders,
        subscriptions=subscriptions,
        ledger=ledger,
        pacer=Pacer(time_scale=float(os.environ.get(PACE_SCALE_ENV) or 1)),
        language=settings.bot.language,
    )
    service.deliverer = engine
    return App(settings, Secrets(), store, subscriptions, service, ledger, RunLog(store), engine,
               senders=senders)  # fmt: skip


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


def platform_factories(app: App) -> list[Callable[[], Awaitable[Runnable]]]:
    """The enabled non-console platforms, built lazily so their SDKs load only when used."""
    factories: list[Callable[[], Awaitable[Runnable]]] = []
    if app.settings.telegram.enabled:

        async def telegram() -> Runnable:
            from bot.adapters.telegram import build_telegram

            return await build_telegram(app)

        factories.append(telegram)
    if app.settings.slack.enabled:

        async def slack() -> Runnable:
            from bot.adapters.slack import build_slack

            return await build_slack(app)

        factories.append(slack)
    return factories


async def start_platforms(app: App, *, receive: bool) -> None:
    """Start every enabled non-console platform and hand it to the delivery engine;
    `receive=False` asks adapters that support it for send-only mode."""
    for factory in platform_factories(app):
        platform = await factory()
        await platform.start(receive=receive)
        app.platforms.append(platform)
        app.senders[platform.name] = platform
        log.info("%s platform started%s", platform.name, "" if receive else " (send-only)")


async def stop_platforms(app: App) -> None:
    while app.platforms:
        platform = app.platforms.pop()
        app.senders.pop(platform.name, None)
        await platform.stop()
        log.info("%s platform stopped", platform.name)


@contextmanager
def stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGTERM/SIGINT call `stop` (instead of killing the loop) while inside."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def scheduler(app: App, stop: asyncio.Event) -> Scheduler:
    schedule = Schedule(app.settings.schedule.cron, zoneinfo.ZoneInfo(app.settings.bot.timezone))
    catch_up = timedelta(minutes=app.settings.schedule.catch_up_minutes)
    return Scheduler(schedule, app.engine, app.runs, SystemClock(), catch_up=catch_up, stop=stop)


async def run(app: App, *, console_input: bool = True) -> None:
    """Start every enabled platform and the schedule in this loop; stop on SIGTERM/SIGINT or
    console EOF, letting a delivery in progress record its message in flight first."""
    stop = asyncio.Event()

    def request_stop() -> None:
        stop.set()
        app.engine.request_stop()

    with stop_signals(request_stop):
        try:
            await start_platforms(app, receive=True)
            await _serve(app, stop, console_input)
        finally:
            request_stop()
            await app.engine.idle()
            await stop_platforms(app)
            await app.store.close()


async def _serve(app: App, stop: asyncio.Event, console_input: bool) -> None:
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
    if app.settings.console.enabled:
        from bot.adapters.console import ConsolePlatform

        console = ConsolePlatform(app.service)
        app.senders[console.name] = console
        if console_input:
            waiters.append(asyncio.create_task(console.run()))
    if not app.platforms and len(waiters) == 1:
        log.warning("no platform is enabled: set [console] or [slack]/[telegram] enabled = true")
        return
    schedule = asyncio.create_task(scheduler(app, stop).run())
    index = asyncio.create_task(asyncio.to_thread(app.service.content.archive.prepare_search))
    try:
        while not stop.is_set():
            done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
                waiters.remove(task)
            if not app.platforms:  # console only: its end of input ends the bot
                break
        for task in waiters:
            task.cancel()
    finally:
        stop.set()
        app.engine.request_stop()
        await schedule  # returns once a delivery in progress has recorded its message in flight
        await index


async def post(app: App, *, issue: int | None = None, dry_run: bool = False) -> DeliveryReport:
    """One delivery run (`briefing-bot post`): platforms send-only, then stopped."""
    with stop_signals(app.engine.request_stop):
        try:
            if not dry_run:
                await start_platforms(app, receive=False)
                if app.settings.console.enabled:
                    from bot.adapters.console import ConsolePlatform

                    app.senders["console"] = ConsolePlatform(app.service)
            return await app.engine.deliver(issue, dry_run=dry_run)
        finally:
            await stop_platforms(app)
            await app.store.close()
