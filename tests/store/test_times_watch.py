"""The store tells whoever watches the delivery times (the leader's scheduler) of every change of
them and of nothing else: on tinydb this process's writes, on PostgreSQL every replica's
(NOTIFY, with the destination's key), through a LISTEN connection that comes back when lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.core.ports import DestinationSettings
from bot.store.backend import Backend, open_tinydb
from bot.store.postgres.backend import PgBackend, open_postgres
from bot.store.postgres.times import CHANNEL
from tests.support.wait import until

MARK = "telegram:dm:mark"  # a last change, after which every earlier notification has come


async def writes(backend: Backend) -> list[str]:
    """Writes of every kind, in order; the destinations of those that change a time in use."""
    subs, dests = backend.subscriptions, backend.destinations
    await subs.subscribe("telegram", "1", "1")  # no time of their own: the edition's
    await dests.set_settings("telegram:dm:1", DestinationSettings(language="en"))
    await dests.opt_in("slack", "C1", "U1")
    await dests.set_settings("telegram:dm:1", DestinationSettings("07:30"))  # told
    await subs.unsubscribe("telegram", "1")  # told: the last reader at 07:30 left
    await subs.subscribe("telegram", "1", "1")  # told: their 07:30 is back
    await dests.set_settings("slack:C1", DestinationSettings("06:00", "Asia/Seoul"))  # told
    await dests.set_settings("slack:C1", DestinationSettings("06:00", "UTC"))  # told
    await dests.opt_out("slack", "C1")  # told
    await dests.set_settings("telegram:dm:1", DestinationSettings("07:30", language="ko"))
    await subs.subscribe("telegram", "1", "D1")  # a new DM chat: the same time
    await subs.subscribe("telegram", "2", "2")
    await subs.unsubscribe("telegram", "2")
    await dests.opt_out("slack", "C9")
    await dests.set_settings("telegram:dm:1", DestinationSettings("07:30"))  # a language only
    d1, c1 = "telegram:dm:1", "slack:C1"
    return [d1, d1, d1, c1, c1, c1]


class Told:
    """A `changed` hook that counts its calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@asynccontextmanager
async def watching(backend: Backend) -> AsyncIterator[Told]:
    """`backend.watch_times` running; PostgreSQL: once it listens (it is told on connecting)."""
    told = Told()
    task = asyncio.create_task(backend.watch_times(told))
    try:
        if isinstance(backend, PgBackend):
            await until(lambda: told.count == 1, "listening", within=10)
            told.count = 0
        else:
            await until(lambda: getattr(backend.destinations, "changed", None) is told, "hooked")
        yield told
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_tinydb_tells_a_change_of_the_times_in_use_and_nothing_else(tmp_path: Path) -> None:
    backend = open_tinydb(tmp_path / "briefing.json")
    try:
        async with watching(backend) as told:
            expected = await writes(backend)
            assert told.count == len(expected)  # the hook is called in the write itself
        await backend.destinations.set_settings("telegram:dm:1", DestinationSettings("08:00"))
        assert told.count == len(expected)  # nobody watches any more
    finally:
        await backend.close()


async def test_postgres_notifies_a_change_of_the_times_in_use_and_nothing_else(
    database_url: str,
) -> None:
    backend = open_postgres(database_url)
    try:
        async with listening(database_url) as heard:
            expected = await writes(backend)
            await backend.destinations.set_settings(MARK, DestinationSettings("09:00"))
            await until(lambda: MARK in heard, "the last change's notification")
        assert heard == [*expected, MARK]  # in commit order, each once
    finally:
        await backend.close()


@asynccontextmanager
async def listening(url: str) -> AsyncIterator[list[str]]:
    """The payloads of the notifications on `CHANNEL`, as they come."""
    heard: list[str] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute(f"LISTEN {CHANNEL}")

        async def read() -> None:
            async for note in conn.notifies():
                heard.append(note.payload)

        task = asyncio.create_task(read())
        try:
            yield heard
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_a_change_on_another_replica_reaches_the_leaders_watch(
    replica: Callable[[], PgBackend],
) -> None:
    leader, standby = replica(), replica()
    async with watching(leader) as told:
        await standby.destinations.set_settings("slack:dm:U1", DestinationSettings("07:30"))
        await until(lambda: told.count == 1, "told of the standby's change")
        await leader.destinations.set_settings("slack:dm:U1", DestinationSettings("07:45"))
        await until(lambda: told.count == 2, "told of its own change")


async def test_a_lost_listen_connection_is_opened_again(
    replica: Callable[[], PgBackend], database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.store.postgres.times")
    leader, standby = replica(), replica()
    async with watching(leader) as told:
        await terminate_listener(database_url)
        await until(lambda: told.count == 1, "told on listening again", within=15)
        await standby.destinations.set_settings("slack:C1", DestinationSettings("06:00"))
        await until(lambda: told.count == 2, "told of a change after the reconnection")
    said = [r.getMessage() for r in caplog.records if r.name == "bot.store.postgres.times"]
    assert len(said) == 2, said
    assert said[0].startswith("listening for delivery time changes on the database")
    assert "failed: " in said[0] and "trying again every 2 s" in said[0]
    assert said[1].startswith("listening for delivery time changes on the database")
    assert said[1].endswith(" again")


async def terminate_listener(url: str) -> None:
    """End the leader's LISTEN session from the server side, as a restarted server would."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cursor = await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s",
            (f"LISTEN {CHANNEL}",),
        )
        rows: list[Any] = await cursor.fetchall()
        assert rows == [(True,)]
