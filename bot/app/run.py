"""The composition root, running: the platforms started and in the registry, the schedule, the
web archive (on its own port or a platform's), and one delivery run for `briefing-bot post`.
SIGTERM/SIGINT in either lets the message in flight finish and be recorded, then the platforms
stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, runtime_checkable

from bot.adapters.infra.descriptor import Routes
from bot.app.build import Bot, resolve, schedule_of
from bot.app.platforms import enabled, named, shared_web_port
from bot.app.replica import DeliveryLock, Duties, Replica
from bot.config import Settings
from bot.content.archive import Archive
from bot.content.loader import load_content
from bot.content.models import Issue
from bot.core.delivery.copies import CorrectionReport
from bot.core.delivery.ports import KeepsCopies
from bot.core.live_content import LiveContent
from bot.core.model.render import issue_thread
from bot.core.model.weblinks import WebLinks
from bot.core.ports import DeliveryReport, Runnable

if TYPE_CHECKING:
    from bot.web.site import WebArchive

log = logging.getLogger("bot.app")


@runtime_checkable
class Converses(Protocol):
    """A platform that talks in this terminal (the console): it reads the terminal's input."""

    async def run(self, stdin: TextIO | None = None, *, show_latest: bool = True) -> None: ...


async def build_platforms(bot: Bot) -> list[Runnable]:
    """The enabled platforms, not started; their SDKs load only when enabled. A platform's HTTP
    server serves the operators' routes too (/metrics, /livez, /readyz: `ops.py`) and, if its
    port is `[web] port`, the web archive's."""
    shared = shared_web_port(bot.settings, bot.descriptors)
    built: list[Runnable] = []
    for descriptor, section in enabled(bot.settings, bot.descriptors):
        serves = shared is not None and shared[0] == descriptor.name
        routes = _archive_routes(bot) if serves else _ops_routes(bot)
        built.append(await descriptor.build(section, replace(bot.wiring, routes=routes)))
    return built


def _ops_routes(bot: Bot) -> Routes:
    """A factory of an aiohttp application with the operators' routes."""
    from aiohttp import web

    def application() -> web.Application:
        app = web.Application()
        bot.ops.add_routes(app)
        return app

    return application


def _archive_routes(bot: Bot) -> Routes:
    """A factory of the web archive's aiohttp application (and the operators' routes), for a
    platform to serve it too."""
    from bot.web.server import application

    archive = _archive_of(bot)
    return lambda: application(archive, bot.ops.add_routes)


def _archive_of(bot: Bot) -> WebArchive:
    """The web archive of the live content, as `[web]` sets it, with each issue's correction
    time from the ledger."""
    from bot.web.site import WebArchive

    live, web, ledger = bot.live, bot.settings.web, bot.store.ledger

    def corrected() -> dict[int, datetime]:
        if not isinstance(ledger, KeepsCopies):
            return {}
        found = ledger.revised_issues().items()
        return {n: r.corrected_at for n, r in found if r.corrected_at is not None}

    return WebArchive(
        lambda: live.current, web.base_url, feed_issues=web.feed_issues, corrected=corrected
    )


@asynccontextmanager
async def started(bot: Bot, *, receive: bool) -> AsyncIterator[list[Runnable]]:
    """Every enabled platform, started and in the registry while inside (joined just before its
    start, so an update that arrives during the start finds it); stopped and removed on the way
    out. `receive=False` starts them send-only."""
    running: list[Runnable] = []
    try:
        for platform in await build_platforms(bot):
            bot.platforms.add(platform, platform.start_link)
            try:
                await platform.start(receive=receive)
            except BaseException:
                bot.platforms.remove(platform.name)
                raise
            running.append(platform)
            log.info("%s platform started%s", platform.name, "" if receive else " (send-only)")
        yield running
    finally:
        while running:
            platform = running.pop()
            bot.platforms.remove(platform.name)
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


async def run(bot: Bot, lock: DeliveryLock, *, console_input: bool = True) -> None:
    """Start every enabled platform in this loop, and the schedule and deliveries while this
    process holds the delivery `lock` (`replica.py`: it leads); stop on SIGTERM/SIGINT or the
    end of the terminal's input, letting a delivery in progress record its message in flight
    first. `console_input=False`: the terminal's platform prints but reads nothing."""
    stop = asyncio.Event()

    def request_stop() -> None:
        stop.set()
        bot.engine.request_stop()

    with stop_signals(request_stop):
        try:
            await _approval_since(bot)
            async with web_archive(bot), ops_server(bot), started(bot, receive=True) as running:
                try:
                    replica = Replica(Duties.of(bot), lock, running, stop)
                    await _serve(bot, replica, stop, console_input)
                finally:
                    request_stop()
                    await bot.engine.idle()
        finally:
            await bot.store.close()


async def _approval_since(bot: Bot) -> None:
    """With `require_approval`, record when it was first required (at the first start with
    it on), so that no restart ever counts an issue due in between as out already."""
    if bot.service.approvals is not None:
        await bot.service.approvals.start()


async def _serve(bot: Bot, replica: Replica, stop: asyncio.Event, console_input: bool) -> None:
    in_terminal = {d.name for d in bot.descriptors if d.in_terminal}
    elsewhere = [p for p in replica.platforms if p.name not in in_terminal]
    waiters: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
    for platform in replica.platforms:
        if console_input and platform.name in in_terminal and isinstance(platform, Converses):
            waiters.append(asyncio.create_task(platform.run()))
    if not elsewhere and len(waiters) == 1:
        sections = " or ".join(f"[{d.name}]" for d in bot.descriptors)
        log.warning("no platform is enabled: set %s enabled = true", sections)
        return
    deliveries = asyncio.create_task(replica.run())
    index = asyncio.create_task(asyncio.to_thread(bot.content.archive.prepare_search))
    watch = asyncio.create_task(
        _watch(bot.live, bot.content_dir, bot.service.refresh_content, stop)
    )
    try:
        while not stop.is_set():
            done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
                waiters.remove(task)
            if not elsewhere:  # the terminal only: the end of its input ends the bot
                break
        for task in waiters:
            task.cancel()
    finally:
        stop.set()
        bot.engine.request_stop()
        await deliveries  # returns once a delivery in progress has recorded its message in flight
        await index
        await watch


async def _watch(
    live: LiveContent, folder: Path, refresh: Callable[[], Awaitable[bool]], stop: asyncio.Event
) -> None:
    """The content folder, reloaded on every change while the bot runs."""
    if not live.reloadable:
        return
    from bot.adapters.infra.watch import watch_content

    await watch_content(folder, refresh, stop)


@asynccontextmanager
async def web_archive(bot: Bot) -> AsyncIterator[None]:
    """The web archive (`[web] enabled`) on its own port while inside, serving whatever
    content is live (a /reload replaces its pages); on a platform's port, that platform's
    server serves it instead."""
    web = bot.settings.web
    if not web.enabled:
        yield
        return
    shared = shared_web_port(bot.settings, bot.descriptors)
    if shared is not None:  # that platform's server serves the archive (build_platforms)
        logging.getLogger("bot.web").info(
            "web archive: served on %s (%d) with the platform's routes", shared[1], web.port
        )
        yield
        return
    from bot.web.server import WebServer

    server = WebServer(_archive_of(bot), host=web.host, port=web.port, more=bot.ops.add_routes)
    await server.start()
    try:
        yield
    finally:
        await server.stop()


@asynccontextmanager
async def ops_server(bot: Bot) -> AsyncIterator[None]:
    """`[metrics] port`, when set: /metrics, /livez, /readyz on a port of their own."""
    section = bot.settings.metrics
    if section.port is None:
        yield
        return
    from bot.app.ops import OpsServer

    server = OpsServer(bot.ops, host=section.host, port=section.port)
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


def preview_of(
    settings: Settings, config_path: Path | None, platform: str
) -> tuple[Archive, Callable[[Issue], str]]:
    """`briefing-bot preview`: every issue on disk (drafts and scheduled ones too), and how
    `platform` would send one (the store is not opened)."""
    data_path = resolve(settings, config_path, settings.bot.data_path)
    content_dir = resolve(settings, config_path, settings.bot.content_dir)
    loaded = load_content(content_dir, data_path.with_name("content-cache.json"))
    language, web, render = (
        settings.bot.language,
        WebLinks.at(settings.web.base_url),
        named(platform).preview,
    )
    return loaded.archive, lambda issue: render(issue_thread(issue, language, web))


async def post(bot: Bot, *, issue: int | None = None, dry_run: bool = False) -> DeliveryReport:
    """One delivery run (`briefing-bot post`): platforms send-only, then stopped."""
    with stop_signals(bot.engine.request_stop):
        try:
            if dry_run:
                return await bot.engine.deliver(issue, dry_run=True)
            await _approval_since(bot)
            async with started(bot, receive=False):
                report = await bot.engine.deliver(issue, by="operator")
            which = f"issue {issue}" if issue is not None else "the newest issue"
            await bot.store.audit.record("operator", "cli", "post", f"{which}: {report.summary}")
            return report
        finally:
            await bot.store.close()


async def correct(bot: Bot, number: int, *, dry_run: bool = False) -> CorrectionReport:
    """`briefing-bot correct N`: one correction of issue N (platforms send-only), then stopped;
    dry, the parts that changed and how many copies each would edit (nothing sent; the
    platforms start all the same: a Telegram thread's glossary links need the bot's name)."""
    assert bot.corrector is not None
    corrector = bot.corrector
    with stop_signals(corrector.request_stop):
        try:
            async with started(bot, receive=False):
                return await corrector.correct(number, dry_run=dry_run)
        finally:
            await bot.store.close()


async def converse(bot: Bot, *, show_latest: bool) -> None:
    """`briefing-bot console`: the platform that talks in this terminal, on its own (enabled or
    not), answering until the end of its input."""
    descriptor = next(d for d in bot.descriptors if d.in_terminal)
    try:
        platform = await descriptor.build(bot.settings.section(descriptor.name), bot.wiring)
        assert isinstance(platform, Converses)
        bot.platforms.add(platform, platform.start_link)  # what it sends itself (a test send)
        await platform.run(show_latest=show_latest)
    finally:
        await bot.store.close()
