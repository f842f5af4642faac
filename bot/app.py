"""The composition root: settings → content, store, core service, platforms. Nothing else
builds objects; `cli.py` only parses arguments and calls in here."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.config import Secrets, Settings
from bot.content.loader import Content, load_content
from bot.core.service import Briefing
from bot.store import Store, Subscriptions

log = logging.getLogger(__name__)


class Runnable(Protocol):
    """A platform adapter that runs inside the shared event loop."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class App:
    settings: Settings
    secrets: Secrets
    content: Content
    store: Store
    subscriptions: Subscriptions
    service: Briefing
    platforms: list[Runnable] = field(default_factory=list)


def resolve(settings: Settings, config_path: Path | None, value: Path) -> Path:
    """Relative paths in the config are relative to the config file's folder."""
    if value.is_absolute() or config_path is None:
        return value
    return (config_path.parent / value).resolve()


def build(settings: Settings, config_path: Path | None = None) -> App:
    content_dir = resolve(settings, config_path, settings.bot.content_dir)
    data_path = resolve(settings, config_path, settings.bot.data_path)
    cache = data_path.with_name("content-cache.json")  # an accelerator beside the data file
    content = load_content(content_dir, cache)
    for warning in content.warnings:
        log.debug("%s", warning)
    store = Store.open(data_path)
    subscriptions = Subscriptions(store)
    service = Briefing(
        content,
        subscriptions,
        language=settings.bot.language,
        admins=frozenset(settings.bot.admins),
        reload=lambda: load_content(content_dir, cache),
    )
    return App(settings, Secrets(), content, store, subscriptions, service)


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


async def run(app: App, *, console_input: bool = True) -> None:
    """Start every enabled platform in this loop; stop on SIGTERM/SIGINT or console EOF."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        for factory in platform_factories(app):
            platform = await factory()
            await platform.start()
            app.platforms.append(platform)
            log.info("%s platform started", platform.name)
        waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
        if app.settings.console.enabled and console_input:
            from bot.adapters.console import ConsolePlatform

            waiters.append(asyncio.create_task(ConsolePlatform(app.service).run()))
        if not app.platforms and len(waiters) == 1:
            log.warning(
                "no platform is enabled: set [console] or [slack]/[telegram] enabled = true"
            )
            return
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        for platform in reversed(app.platforms):
            await platform.stop()
            log.info("%s platform stopped", platform.name)
