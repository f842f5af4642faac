"""Several replicas on one store: every `briefing-bot run` answers commands; the one holding
the delivery lock, the leader, also runs the schedule, the deliveries, the `/post` requests of
the others and (Telegram polling mode) `getUpdates`.

A standby tries the lock every `POLL` seconds. On taking it, the new leader reads the store's
memory views again (what the old leader recorded), resumes every half-sent thread at once,
then runs the schedule (catching up a missed run) and the queued `/post`s, and starts the
platforms' leader-only receiving; the store tells its scheduler of every change of the
delivery times, this replica's and (PostgreSQL LISTEN/NOTIFY) the others'. While leading it
re-checks the lock every `POLL` seconds (the engine also checks it before every part it sends);
a lost lock (the database session ended) halts the delivery in progress after the message in
flight, stops polling and stands by again. The tinydb backend has one process only: its data
lock is taken before the store opens (the CLI), so that process leads from the start and never
stands by.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.adapters.infra.clock import SystemClock
from bot.app.build import Bot, schedule_of
from bot.app.metrics import MeteredDeliverer
from bot.core.delivery.corrections import Corrector
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.handover import Leading, Told, take_requests
from bot.core.delivery.ports import Leadership
from bot.core.delivery.retry import sleep_unless_stopped
from bot.core.delivery.scheduler import Scheduler
from bot.core.delivery.timetable import Timetable
from bot.core.ports import DeliveryTime, FollowsLeader, Runnable
from bot.store.backend import Backend

log = logging.getLogger("bot.app")
POLL = 2.0  # seconds between two tries of the lock (standby) or checks of it (leader)


class DeliveryLock(Leadership, Protocol):
    def try_acquire(self) -> bool: ...

    def holder(self) -> str: ...

    def release(self) -> None: ...


@dataclass(frozen=True)
class Duties:
    """What the leader runs: the schedule's deliveries and the queued `/post`s."""

    store: Backend
    engine: DeliveryEngine
    deliverer: MeteredDeliverer | DeliveryEngine  # the engine's runs, counted (metrics.py)
    leading: Leading  # set while this replica leads
    told: Told  # who asked for a queued `/post` hears how it went
    schedule: Schedule
    catch_up: timedelta
    corrector: Corrector | None = None  # edits the copies of a changed issue

    @classmethod
    def of(cls, bot: Bot) -> Duties:
        catch_up = timedelta(minutes=bot.settings.schedule.catch_up_minutes)
        schedule = schedule_of(bot.settings)
        return cls(bot.store, bot.engine, bot.deliverer, bot.leading, bot.service.tell_post_done,
                   schedule, catch_up, bot.corrector)  # fmt: skip


class Replica:
    def __init__(
        self,
        duties: Duties,
        lock: DeliveryLock,
        platforms: Sequence[Runnable],
        stop: asyncio.Event,
        *,
        poll: float = POLL,
    ) -> None:
        self.duties, self.lock, self.platforms, self.stop = duties, lock, platforms, stop
        self.poll, self.clock = poll, SystemClock()

    async def run(self) -> None:
        """Stand by and lead in turn until `stop`."""
        said = ""  # what was logged about standing by, logged again only when it changes
        while not self.stop.is_set():
            try:
                if await asyncio.to_thread(self.lock.try_acquire):
                    said = ""
                    await self._lead()
                    continue
                holder = await asyncio.to_thread(self.lock.holder)
                why = f"process {holder or '(unknown)'} delivers"
            except Exception as exc:  # the database is unreachable: deliveries pause
                why = f"{exc}; trying again every {self.poll:g} s"
            if why != said:
                log.info("standing by: %s; answering commands, taking over when it ends", why)
                said = why
            await sleep_unless_stopped(self.clock, self.poll, self.stop)

    async def _lead(self) -> None:
        log.info("this replica leads: it runs the schedule and the deliveries")
        term = asyncio.Event()  # set when this term ends
        changed = asyncio.Event()  # the delivery times changed: the scheduler reads them again
        tasks: list[asyncio.Task[None]] = []
        duties = self.duties
        watch = asyncio.create_task(duties.store.watch_times(changed.set))
        try:
            await duties.store.refresh()
            duties.leading.now = True
            await self._receive(leading=True)
            tasks.append(asyncio.create_task(self._deliveries(term, changed)))
            if duties.corrector is not None:  # after the resumed threads: it waits for them
                tasks.append(asyncio.create_task(duties.corrector.run(term)))
            requests = duties.store.post_requests
            if requests is not None:
                taking = take_requests(requests, duties.deliverer, self.clock, term, 1, duties.told)
                tasks.append(asyncio.create_task(taking))
            await self._hold()
        finally:
            duties.leading.now = False
            term.set()
            duties.engine.halt()
            if duties.corrector is not None:
                duties.corrector.request_stop()
            watch.cancel()
            await asyncio.gather(watch, *tasks, return_exceptions=True)
            if not self.stop.is_set():  # a stopping process keeps its lock until the store closes
                await self._receive(leading=False)
                self.lock.release()

    async def _hold(self) -> None:
        """Until `stop` or the lock is lost."""
        while await sleep_unless_stopped(self.clock, self.poll, self.stop):
            if not await self.lock.holds():
                log.error("the delivery lock is lost: standing by (another replica may lead)")
                return

    async def _deliveries(self, term: asyncio.Event, changed: asyncio.Event) -> None:
        try:
            await self.duties.deliverer.resume()
        except Exception:
            log.exception("resuming the half-sent threads failed; the next run tries again")
        await scheduler(self.duties, term, changed).run()

    async def _receive(self, *, leading: bool) -> None:
        for platform in self.platforms:
            if isinstance(platform, FollowsLeader):
                try:
                    await platform.lead(leading)
                except Exception:
                    log.exception("%s: switching to %s failed", platform.name,
                                  "leader" if leading else "standby")  # fmt: skip


def scheduler(
    duties: Duties, stop: asyncio.Event, changed: asyncio.Event | None = None
) -> Scheduler:
    destinations = duties.store.destinations

    async def times() -> list[DeliveryTime | None]:
        return [DeliveryTime(*chosen) for chosen in await destinations.delivery_times()]

    return Scheduler(
        Timetable(duties.schedule, times),
        duties.deliverer,
        duties.store.runs,
        SystemClock(),
        catch_up=duties.catch_up,
        stop=stop,
        changed=changed,
    )
