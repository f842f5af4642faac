"""Delivery times across replicas: a change reaches the leader's scheduler through PostgreSQL's
LISTEN/NOTIFY.

Every write that may change the delivery times in use (a destination's time or zone set or
forgotten, a channel's opt-out, a subscription that starts or ends for a reader with a time of
their own) NOTIFYs channel `briefing_times` in the same statement (`notify_if`; the payload is
the destination's key), so in its own transaction: the notification goes out when the change is
committed, and only then, and a replica that gets it reads the change. Writes that change no
time (a language, a reader without a time) notify nobody. The replica that made the change is
told the same way (its listening connection is not the one that wrote).

The leader LISTENs on a dedicated connection of its own (`listen`; a pooled connection is lent
to others between statements and would miss notifications). A lost connection is logged and
opened again every `retry` seconds, never raised; on every (re)connection the scheduler is told
once, as a change made while nobody listened would otherwise wait for its periodic re-read.
LISTEN needs a real session, as the delivery lock does: behind PgBouncer, a session-mode pool or
the server itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

log = logging.getLogger(__name__)
CHANNEL = "briefing_times"
Connect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]


def notify_if(condition: str, destination: str) -> str:
    """A select-list expression that NOTIFYs `CHANNEL` with the `destination` key where
    `condition` holds (CASE evaluates `pg_notify` only then); true where it did."""
    return f"(CASE WHEN {condition} THEN pg_notify('{CHANNEL}', {destination}) END) IS NOT NULL"


async def listen(
    connect: Connect, changed: Callable[[], None], where: str, *, retry: float = 2.0
) -> None:
    """Call `changed()` at every notification on `CHANNEL` and once on every (re)connection,
    until cancelled."""
    lost = ""  # why the connection was lost, logged again only when it changes
    while True:
        try:
            async with await connect() as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                if lost:
                    log.info("listening for delivery time changes on the %s again", where)
                lost = ""
                changed()
                async for _ in conn.notifies():
                    changed()
        except (psycopg.Error, OSError) as exc:
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if why != lost:
                log.warning(
                    "listening for delivery time changes on the %s failed: %s; trying again "
                    "every %g s (the scheduler's periodic re-read stands in)", where, why, retry,
                )  # fmt: skip
            lost = why
        await asyncio.sleep(retry)
