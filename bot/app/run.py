"""The composition root, running: the platforms started and in the registry, the schedule, the
web archive (on its own port or a platform's), and one delivery run for `briefing-bot post`.
SIGTERM/SIGINT in either lets the message in flight finish and be recorded, then the platforms
stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.build import App, resolve, schedule_of
from bot.app.replica import DeliveryLock, Replica
from bot.config import Settings
from bot.content.loader import load_content
from bot.core.live_content import LiveContent
from bot.core.ports import DeliveryReport, Runnable

if TYPE_CHECKING:
    from bot.web.site import WebArchive

log = logging.getLogger("bot.app")


async def build_platforms(app: App) -> list[Runnable]:
    """The enabled non-console platforms, not started; their SDKs load only when enabled. A
    platform whose HTTP port is `[web] port` serves the web archive's routes too."""
    built: list[Runnable] = []
    shared = _shared_web_port(app.settings)
    claims = app.store.claims
    if app.settings.telegram.enabled:
        from bot.adapters.telegram.platform import build_telegram

        web = _archive_routes(app) if shared == "[telegram] webhook_port" else None
        telegram = app.settings.telegram
        built.append(
            await build_telegram(
                telegram,
                app.secrets,
                app.service,
                shared=web,
                claims=claims,
                poll_when_leading=True,
                pacer=app.engine.pacer,
            )
        )
    if app.settings.slack.enabled:
        from bot.adapters.slack.platform import build_slack

        web = _archive_routes(app) if shared == "[slack] http_port" else None
        built.append(
            await build_slack(
                app.settings.slack,
                app.secrets,
                app.service,
                shared=web,
                installations=app.store.installations,
                subscriptions=app.store.subscriptions,
                claims=claims,
                forget_destinations=partial(forget_slack_channels, app),
                pacer=app.engine.pacer,
            )
        )
    return built


async def forget_slack_channels(app: App, chats: list[str]) -> int:
    """A Slack workspace left: the opt-ins of its channels end (how many did)."""
    return len(await app.service.departures.chats("slack", chats, "the workspace left"))


def _archive_routes(app: App) -> Callable[[], Any]:
    """A factory of the web archive's aiohttp application, for a platform to serve it too."""
    from bot.web.server import application

    archive = _archive_of(app)
    return lambda: application(archive)


def _archive_of(app: App) -> WebArchive:
    """The web archive of the live content, as `[web]` sets it."""
    from bot.web.site import WebArchive

    web = app.settings.web
    return WebArchive(lambda: app.live.current, web.base_url, feed_issues=web.feed_issues)


@asynccontextmanager
async def started(app: App, *, receive: bool) -> AsyncIterator[list[Runnable]]:
    """Every enabled non-console platform, started and in the registry while inside (joined
    just before its start, so an update that arrives during the start finds it); stopped and
    removed on the way out. `receive=False` starts them send-only."""
    running: list[Runnable] = []
    try:
        for platform in await build_platforms(app):
            app.platforms.add(platform, platform.start_link)
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


async def run(app: App, lock: DeliveryLock, *, console_input: bool = True) -> None:
    """Start every enabled platform in this loop, and the schedule and deliveries while this
    process holds the delivery `lock` (`replica.py`: it leads); stop on SIGTERM/SIGINT or
    console EOF, letting a delivery in progress record its message in flight first."""
    stop = asyncio.Event()

    def request_stop() -> None:
        stop.set()
        app.engine.request_stop()

    with stop_signals(request_stop):
        try:
            async with web_archive(app), started(app, receive=True) as running:
                try:
                    await _serve(app, Replica(app, lock, running, stop), stop, console_input)
                finally:
                    request_stop()
                    await app.engine.idle()
        finally:
            await app.store.close()


async def _serve(app: App, replica: Replica, stop: asyncio.Event, console_input: bool) -> None:
    running = replica.platforms
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
    if app.settings.console.enabled:
        from bot.adapters.console.platform import ConsolePlatform

        terminal = ConsolePlatform(app.service)
        app.platforms.add(terminal)
        if console_input:
            waiters.append(asyncio.create_task(terminal.run()))
    if not running and len(waiters) == 1:
        log.warning("no platform is enabled: set [console] or [slack]/[telegram] enabled = true")
        return
    deliveries = asyncio.create_task(replica.run())
    index = asyncio.create_task(asyncio.to_thread(app.content.archive.prepare_search))
    watch = asyncio.create_task(_watch(app, stop))
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
        await deliveries  # returns once a delivery in progress has recorded its message in flight
        await index
        await watch
        app.platforms.remove("console")


async def _watch(app: App, stop: asyncio.Event) -> None:
    """The content folder, reloaded on every change while the bot runs."""
    if not app.live.reloadable:
        return
    from bot.adapters.infra.watch import watch_content

    await watch_content(app.content_dir, app.service.refresh_content, stop)


def _shared_web_port(settings: Settings) -> str | None:
    """The platform port the web archive shares, if `[web] port` is one (and the web is on)."""
    web, slack, telegram = settings.web, settings.slack, settings.telegram
    if not web.enabled:
        return None
    if slack.enabled and slack.mode == "http" and slack.http_port == web.port:
        return "[slack] http_port"
    if telegram.enabled and telegram.mode == "webhook" and telegram.webhook_port == web.port:
        return "[telegram] webhook_port"
    return None


@asynccontextmanager
async def web_archive(app: App) -> AsyncIterator[None]:
    """The web archive (`[web] enabled`) on its own port while inside, serving whatever
    content is live (a /reload replaces its pages); on a platform's port, that platform's
    server serves it instead."""
    if not app.settings.web.enabled:
        yield
        return
    shared = _shared_web_port(app.settings)
    if shared is not None:  # that platform's server serves the archive (build_platforms)
        logging.getLogger("bot.web").info(
            "web archive: served on %s (%d) with the platform's routes", shared,
            app.settings.web.port,
        )  # fmt: skip
        yield
        return
    from bot.web.server import WebServer

    archive = _archive_of(app)
    server = WebServer(archive, host=app.settings.web.host, port=app.settings.web.port)
    await server.start()
    try:
        yield
    finally:
        await server.stop()


def site(settings: Settings, config_path: Path | None, out: Path) -> int:
    """`briefing-bot site OUT_DIR`: the archive as static files, the issues released as of now
    (as the served archive: no draft, no `publish_at` still ahead); returns how many."""
    from bot.web.export import write_site

    loaded = load_content(resolve(settings, config_path, settings.bot.content_dir))
    content = LiveContent(loaded, release=schedule_of(settings).release()).current
    return write_site(content, out, settings.web.base_url, settings.web.feed_issues)


async def post(app: App, *, issue: int | None = None, dry_run: bool = False) -> DeliveryReport:
    """One delivery run (`briefing-bot post`): platforms send-only, then stopped."""
    with stop_signals(app.engine.request_stop):
        try:
            if dry_run:
                return await app.engine.deliver(issue, dry_run=True)
            async with started(app, receive=False):
                if app.settings.console.enabled:
                    from bot.adapters.console.platform import ConsolePlatform

                    app.platforms.add(ConsolePlatform(app.service))
                return await app.engine.deliver(issue)
        finally:
            await app.store.close()
