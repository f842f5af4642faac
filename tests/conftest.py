"""Shared fixtures: the real content, a service over a temp store, a free port, and a real
PostgreSQL server for the session (tests/pg.py) with one new database per test."""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content.loader import Content, load_content
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.testing import RecordingPlatform
from bot.store import Store, Subscriptions
from tests.pg import PostgresServer

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
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
