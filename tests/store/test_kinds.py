"""Every table of both backends is a kind of record (bot/store/kinds.py), so a dump holds every
record and `/forget` looks everywhere: a table added without its kind fails here."""

from __future__ import annotations

from pathlib import Path

import psycopg

from bot.store.backend import open_tinydb
from bot.store.kinds import KINDS, TRANSIENT
from bot.store.postgres.backend import open_postgres


def test_every_postgres_table_is_a_kind_or_named_transient(database_url: str) -> None:
    open_postgres(database_url)  # the schema, every migration applied
    with psycopg.connect(database_url) as conn:
        tables = {row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}  # fmt: skip
    assert tables == {kind.table for kind in KINDS} | set(TRANSIENT)


async def test_every_tinydb_table_is_a_kind(tmp_path: Path) -> None:
    backend = open_tinydb(tmp_path / "briefing.json")  # each port opens the tables it uses
    assert set(backend.store._tables) == {kind.tiny for kind in KINDS}
    await backend.close()
