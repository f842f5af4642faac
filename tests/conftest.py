"""Shared fixtures: the real content, a service over a temp store, a real PostgreSQL server for
the session (tests/pg.py) with one new database per test, and every store backend (`reopen`)."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.adapters.slack.descriptor import SLACK
from bot.content.loader import Content, load_content
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.testing import RecordingPlatform
from bot.store import Store, Subscriptions
from bot.store.backend import Backend, open_tinydb
from bot.store.postgres.backend import open_postgres
from tests.pg import PostgresServer
from tests.support.stores import Opener

# PTB 22 warns (an error under our filterwarnings) when it builds RetryAfter with an int delay;
# with PTB_TIMEDELTA it uses timedelta, as the adapter expects.
os.environ.setdefault("PTB_TIMEDELTA", "true")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
# A byte-for-byte copy of shared/seed/000_d649431efd7e0d2a.txt, the issue as its author wrote it.
SEED = ROOT / "tests" / "fixtures" / "seed_0001.txt"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "briefing.json")


@pytest.fixture
def fake_platform() -> RecordingPlatform:
    return RecordingPlatform()


@pytest.fixture
def service(content: Content, store: Store, fake_platform: RecordingPlatform) -> CommandService:
    return CommandService(
        LiveContent(content),
        Subscriptions(store),
        PlatformRegistry(fake_platform),
        language="ko",
        admins=frozenset({"fake:admin"}),
        spellings={"slack": SLACK.spell},  # as the root hands it the platforms' spellings
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


_databases = itertools.count(1)


@pytest.fixture
def database_url(pg_server: PostgresServer) -> str:
    """The URL of a new, empty database of its own for this test."""
    return pg_server.create_database(f"test_{os.getpid()}_{next(_databases)}")


@pytest.fixture(params=["tinydb", "postgres"])
async def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Open a store backend (each test runs on the tinydb file and on a PostgreSQL database of
    its own); every one opened is closed after the test."""
    opened: list[Backend] = []
    url = request.getfixturevalue("database_url") if request.param == "postgres" else ""

    def open_one() -> Backend:
        backend = open_postgres(url) if url else open_tinydb(tmp_path / "briefing.json")
        opened.append(backend)
        return backend

    yield open_one
    for backend in opened:
        await backend.close()
