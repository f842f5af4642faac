"""What the store tests share: `replica`, which opens PostgreSQL backends on the test's own
database as several replicas would (each closed at the end)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.store.postgres.backend import PgBackend, open_postgres


@pytest.fixture
async def replica(database_url: str) -> AsyncIterator[Callable[[], PgBackend]]:
    opened: list[PgBackend] = []

    def open_one() -> PgBackend:
        opened.append(open_postgres(database_url))
        return opened[-1]

    yield open_one
    for backend in opened:
        await backend.close()
