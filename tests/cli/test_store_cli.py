"""`briefing-bot` on PostgreSQL as an operator runs it: `store copy` (also killed half-way),
an unreachable database at start-up, and DATABASE_URL's password kept out of every line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.core.feedback import Carried
from bot.core.model.messages import MessageRef
from bot.core.ports import DestinationSettings
from bot.store.backend import open_tinydb
from bot.store.postgres.schema import SCHEMA_VERSION, migrate
from tests.conftest import ROOT
from tests.support.cli import run
from tests.support.ports import free_port

PASSWORD = "s3cret-Pass-word"
COUNTS = {"subscriptions": 3, "releases": 1, "delivery parts": 1, "deliveries done": 1,
          "schedule runs": 1, "opted-in channels": 1, "destination settings": 2,
          "slack installations": 1, "slack chats": 2, "feedback votes": 2,
          "feedback reactions": 2, "feedback messages": 2}  # fmt: skip


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
async def data_file(tmp_path: Path) -> Path:
    """A tinydb file holding one record or more of every kind."""
    path = tmp_path / "briefing.json"
    backend = open_tinydb(path)
    for user in ("1", "2", "3"):
        await backend.subscriptions.subscribe("telegram", user, user)
    backend.ledger.release(1, datetime(2024, 5, 1, tzinfo=UTC))
    backend.ledger.mark_sent(1, "slack:C1", 0, MessageRef("slack", "C1", "1.1"))
    backend.ledger.mark_done(1, "slack:C1", 1)
    backend.ledger.mark_pending(1, "telegram:dm:1", 0)
    await backend.ledger.commit()
    await backend.runs.record(datetime(2024, 5, 1, tzinfo=UTC))
    await backend.destinations.opt_in("telegram", "-1005:7", "9")
    await backend.destinations.set_settings("telegram:-1005:7", DestinationSettings(language="en"))
    await backend.destinations.set_settings(
        "telegram:dm:1", DestinationSettings("07:30", "Europe/Berlin")
    )
    await backend.installations.save("none-T1", {"team_id": "T1", "bot_token": "xoxb-1"})
    await backend.installations.remember_chat("C1", "none-T1")
    await backend.installations.remember_chat("D1", "none-T1")
    await backend.feedback.vote(1, "slack:U1", "up")
    await backend.feedback.vote(1, "telegram:1", "down")
    await backend.feedback.react(
        Carried(1, ("논문", "뉴스")), "slack:U1", {"tada": 1}, replace=False
    )
    reply = (MessageRef("slack", "C1", "1.2", "1.1"), Carried(1, ("논문",)))
    await backend.feedback.remember(1, [(MessageRef("slack", "C1", "1.1"), Carried(1)), reply])
    await backend.close()
    return path


def counts(url: str) -> dict[str, int]:
    tables = [
        "subscriptions",
        "releases",
        "delivery_parts",
        "deliveries_done",
        "schedule_runs",
        "channels",
        "destination_settings",
        "slack_installations",
        "slack_chats",
        "feedback_votes",
        "feedback_reactions",
        "feedback_messages",
    ]
    return {kind: rows(url, f"SELECT count(*) FROM {table}")[0][0]
            for kind, table in zip(COUNTS, tables, strict=True)}  # fmt: skip


def test_store_copy_copies_every_record_and_refuses_a_second_time(
    data_file: Path, database_url: str
) -> None:
    done = run("store", "copy", "--from", str(data_file), "--to", database_url)
    assert done.returncode == 0, done.stderr
    assert "subscriptions: 3 in" in done.stdout and "3 in the database" in done.stdout
    assert counts(database_url) == COUNTS
    assert rows(database_url, "SELECT parent FROM deliveries_done") == [("1.1",)]
    assert rows(database_url, "SELECT chat, opted_by FROM channels") == [("-1005:7", "9")]
    assert rows(database_url, "SELECT record->>'bot_token' FROM slack_installations") == [
        ("xoxb-1",)
    ]
    again = run("store", "copy", "--from", str(data_file), "--to", database_url)
    assert again.returncode != 0 and "not empty (3 subscriptions" in again.stderr
    assert counts(database_url) == COUNTS  # nothing doubled


def test_a_copy_killed_half_way_leaves_the_target_empty_and_a_rerun_completes(
    data_file: Path, database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as blocker:
        migrate(blocker)
        # SHARE lets the copy check and write the other kinds, and stops its write of this one.
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE schedule_runs IN SHARE MODE")
        copying = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "store", "copy", "--from", str(data_file),
             "--to", database_url],
            stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert copying.stdout is not None
        for line in copying.stdout:
            if line.startswith("copying 1 schedule runs"):
                break
        os.kill(copying.pid, signal.SIGKILL)
        copying.wait(timeout=30)
        copying.stdout.close()
        blocker.execute("ROLLBACK")
    assert set(counts(database_url).values()) == {0}
    done = run("store", "copy", "--from", str(data_file), "--to", database_url)
    assert done.returncode == 0, done.stderr
    assert counts(database_url) == COUNTS


def test_an_unreachable_database_is_one_line_and_a_nonzero_exit(config: Path) -> None:
    url = f"postgresql://bot:{PASSWORD}@127.0.0.1:{free_port()}/briefing"
    done = run("run", "--config", str(config), env={"DATABASE_URL": url})
    assert done.returncode == 69
    [line] = [line for line in done.stderr.splitlines() if "error" in line]
    assert 'database "briefing" on 127.0.0.1:' in line
    assert PASSWORD not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_a_bot_older_than_the_database_schema_refuses_to_start(
    config: Path, database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate(conn, known=SCHEMA_VERSION)
        conn.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 7,))
    done = run("run", "--config", str(config), env={"DATABASE_URL": database_url})
    assert done.returncode == 69
    assert f"version {SCHEMA_VERSION + 7}, newer than this bot's {SCHEMA_VERSION}" in done.stderr


def test_the_console_on_postgres_keeps_the_password_out_of_the_log(
    config: Path, database_url: str
) -> None:
    url = database_url.replace("postgres@", f"postgres:{PASSWORD}@")
    done = run("-v", "console", "--config", str(config), stdin="/subscribe\n/stats\n",
               env={"DATABASE_URL": url})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "구독자 1명" in done.stdout
    assert rows(database_url, "SELECT platform FROM subscriptions") == [("console",)]
    assert not (config.parent / "data" / "briefing.json").exists()
    assert PASSWORD not in done.stderr + done.stdout
