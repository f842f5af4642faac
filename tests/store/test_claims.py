"""Inbound claims are kept for `KEEP` (two days: Slack retries within minutes, Telegram keeps an
update a day), then pruned, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bot.store.common import KEEP
from bot.store.postgres.backend import open_postgres
from bot.store.tinydb.claims import Claims
from bot.store.tinydb.snapshot import Store


async def test_tinydb_prunes_claims_older_than_keep(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "briefing.json")
    then = datetime(2024, 5, 1, tzinfo=UTC)
    assert await Claims(store, clock=lambda: then).claim("telegram:1:1")
    assert not await Claims(store, clock=lambda: then + KEEP / 2).claim("telegram:1:1")
    later = Claims(store, clock=lambda: then + 2 * KEEP)  # its first claim prunes
    assert await later.claim("telegram:1:2")
    assert await later.claim("telegram:1:1")  # forgotten: long past any redelivery
    await store.close()


async def test_postgres_prunes_claims_older_than_keep(database_url: str) -> None:
    backend = open_postgres(database_url)
    assert await backend.claims.claim("slack:Ev1")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE inbound_claims SET claimed_at = now() - %s", (2 * KEEP,))
    await backend.close()
    again = open_postgres(database_url)  # a new process: its first claim prunes
    try:
        assert await again.claims.claim("slack:Ev2")
        assert await again.claims.claim("slack:Ev1")
    finally:
        await again.close()
