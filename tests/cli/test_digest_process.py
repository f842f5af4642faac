"""A weekly digest as real `briefing-bot run` subprocesses against the fake Telegram Bot API:
the reader's weekly time was due three minutes ago, so `run` catches it up at start; SIGKILL
while the digest is in flight, and the next start sends it once (the ledger keeps a digest as
it keeps an issue: pending before the send, sent after)."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from bot.core.destination import WEEKDAYS
from bot.core.ports import DestinationSettings
from bot.store import Ledger, Store
from bot.store.tinydb.destinations import Destinations
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.processes import (
    ENV,
    GROUP,
    READER,
    Post,
    on_postgres,
    sends,
    telegram_config,
)
from tests.support.wait import until


async def weekly_reader(tmp_path: Path, config: Path, database: str = "") -> datetime:
    """The reader of `config` takes the weekly digest, due three minutes ago (UTC) today; the
    edition's own time is twelve hours away; issue 1 was released yesterday. In the tinydb
    file, or in the PostgreSQL `database` (the reader subscribed there by `on_postgres`)."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=3)).replace(second=0, microsecond=0)
    day, key = WEEKDAYS[due.weekday()], f"telegram:dm:{READER}"
    if database:
        with psycopg.connect(database) as conn:
            conn.execute(
                "INSERT INTO destination_settings (destination, time, zone, weekly) "
                "VALUES (%s, %s, 'UTC', %s)", (key, f"{due:%H:%M}", day),
            )  # fmt: skip
            conn.execute("INSERT INTO releases VALUES (1, %s)", (now - timedelta(days=1),))
    else:
        store = Store.open(tmp_path / "data" / "briefing.json")
        weekly = DestinationSettings(f"{due:%H:%M}", "UTC", weekly=day)
        await Destinations(store).set_settings(key, weekly)
        ledger = Ledger(store)
        ledger.release(1, now - timedelta(days=1))
        await ledger.commit()
        await store.close()
    edition_in_twelve_hours(config, due)
    return due


def edition_in_twelve_hours(config: Path, due: datetime) -> None:
    text = config.read_text(encoding="utf-8").replace("[bot]\n", '[bot]\ntimezone = "UTC"\n')
    edition = (due.hour + 12) % 24
    config.write_text(text + f'[schedule]\ncron = "{due.minute} {edition} * * *"\n', "utf-8")


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_sigkill_mid_digest_then_a_restart_sends_it_once(
    telegram: FakeTelegramAPI, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    config = await telegram_config(tmp_path, telegram, "none")
    env, database = ENV, ""
    if backend == "postgres":
        database = request.getfixturevalue("database_url")
        env = on_postgres(database)
    due = await weekly_reader(tmp_path, config, database)
    telegram.fail_next(None, "timeout")  # the digest's send is held: in flight
    first, second = Post(config, "run", env=env), Post(config, "run", env=env)
    try:
        await first.start()
        await first.logged("catching up the run due at")
        await until(lambda: sends(telegram) == 1, "the digest is in flight")
        await first.kill()
        telegram.release_hung(process=False)  # the send in flight dies with the process
        assert telegram.messages(READER) == []

        await second.start()
        await second.logged("next delivery run at")  # the catch-up has returned
        assert "left pending by an interrupted run" in second.err, second.err
        assert "sent 1, retried 0, skipped 0, failed 0" in second.err, second.err
        assert second.proc is not None
        second.proc.send_signal(signal.SIGTERM)
        code, _, err = await second.finish()
        assert code == 0, err
    finally:
        await first.kill()
        await second.kill()
    [digest] = telegram.messages(READER)
    assert "제 0001호" in digest.text and "EfficientNet" in digest.text
    assert telegram.messages(GROUP) == []  # the edition's time is not due: no daily thread
    if database:
        with psycopg.connect(database) as conn:
            done = conn.execute("SELECT issue, destination, parts FROM deliveries_done").fetchall()
        assert done == [(-due.date().toordinal(), f"telegram:dm:{READER}", 1)]
