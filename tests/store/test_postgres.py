"""The PostgreSQL backend: its schema and version check, and what the tables hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.app import Settings, open_backend
from bot.core.model.messages import MessageRef
from bot.store.common import StoreUnavailable
from bot.store.postgres.backend import PgBackend, open_postgres
from bot.store.postgres.schema import SCHEMA_VERSION

DEST = "slack:C1"


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


async def test_the_bot_creates_the_schema_and_records_its_version(database_url: str) -> None:
    await open_postgres(database_url).close()
    assert rows(database_url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    await open_postgres(database_url).close()  # opening again changes nothing
    assert rows(database_url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


def test_a_bot_older_than_the_schema_refuses_to_start(database_url: str) -> None:
    open_postgres(database_url)
    newer = SCHEMA_VERSION + 1
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE schema_version SET version = %s", (newer,))
    with pytest.raises(StoreUnavailable) as refused:
        open_postgres(database_url)
    message = str(refused.value)
    assert f"version {newer}" in message and f"this bot's {SCHEMA_VERSION}" in message
    assert rows(database_url, "SELECT version FROM schema_version") == [(newer,)]


async def test_the_ledger_rows_are_what_the_engine_recorded(database_url: str) -> None:
    backend = open_postgres(database_url)
    backend.ledger.mark_sent(1, DEST, 0, MessageRef("slack", "C1", "100.1"))
    backend.ledger.mark_pending(1, DEST, 1)
    await backend.ledger.commit()
    parts = rows(database_url, "SELECT part, state, message_id FROM delivery_parts ORDER BY part")
    assert parts == [(0, "sent", "100.1"), (1, "pending", None)]
    backend.ledger.mark_sent(1, DEST, 1, MessageRef("slack", "C1", "100.2", "100.1"))
    backend.ledger.mark_done(1, DEST, 2)
    await backend.ledger.commit()
    assert rows(database_url, "SELECT count(*) FROM delivery_parts") == [(0,)]
    done = rows(database_url, "SELECT issue, destination, parts, parent FROM deliveries_done")
    assert done == [(1, DEST, 2, "100.1")]
    await backend.close()


async def test_subscriptions_are_rows_of_their_table(database_url: str) -> None:
    backend = open_postgres(database_url)
    await backend.subscriptions.subscribe("telegram", "42", "42")
    await backend.subscriptions.subscribe("telegram", "42", "43")
    found = rows(database_url, "SELECT platform, user_id, chat FROM subscriptions")
    assert found == [("telegram", "42", "43")]
    await backend.close()


def test_database_url_selects_postgres(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    settings = Settings(bot={"data_path": str(tmp_path / "unused.json")})
    assert isinstance(open_backend(settings).open(), PgBackend)
    assert not (tmp_path / "unused.json").exists()


async def test_no_server_side_prepared_statements_for_pgbouncer(database_url: str) -> None:
    backend = open_postgres(database_url, pool_size=1)
    for user in range(20):  # psycopg would prepare a query from its 5th run by default
        await backend.subscriptions.subscribe("telegram", str(user), str(user))
        await backend.subscriptions.is_subscribed("telegram", str(user))
    async with (await backend.pool()).connection() as conn:
        cursor = await conn.execute("SELECT count(*) FROM pg_prepared_statements")
        assert await cursor.fetchone() == (0,)
    await backend.close()
