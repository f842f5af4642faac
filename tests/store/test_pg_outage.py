"""A database lost while the bot runs (its own server, shut down at once and started again):
commands that need the store answer "briefly unavailable" and the others go on; what the ledger
recorded during the outage is written when the database is back, so nothing is sent twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.content.loader import Content
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.service import CommandService
from bot.core.destination import DeliveryTime
from bot.core.errors import StoreUnreachable
from bot.core.i18n import t
from bot.core.live_content import LiveContent
from bot.core.model.messages import MessageRef
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import RecordingPlatform
from bot.store.postgres.backend import PgBackend, open_postgres
from tests.pg import PostgresServer

DEST = "telegram:dm:42"


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    own = PostgresServer(durable=True).start()  # an immediate shutdown keeps every commit
    try:
        yield own
    finally:
        own.stop()


@pytest.fixture
async def backend(server: PostgresServer) -> AsyncIterator[PgBackend]:
    opened = open_postgres(server.url())
    yield opened
    await opened.close()


def command(name: str, text: str = "") -> Command:
    return Command("fake", "42", "42", name, text, is_dm=True, dm_chat="42")


async def test_commands_that_need_the_store_answer_briefly_unavailable(
    server: PostgresServer, backend: PgBackend, content: Content
) -> None:
    service = CommandService(
        LiveContent(content), backend.subscriptions, PlatformRegistry(RecordingPlatform()),
        language="en",
    )  # fmt: skip
    unavailable = t("en", "store_unavailable")
    assert (await service.handle(command("subscribe"))).message.plain != unavailable
    await asyncio.to_thread(server.halt)
    for name in ("unsubscribe", "subscribe"):
        assert (await service.handle(command(name))).message.plain == unavailable
    term = await service.handle(command("term", "NP-hard"))  # needs no store: answered
    assert term.message.plain != unavailable and "NP" in term.message.plain
    await asyncio.to_thread(server.resume)
    async with asyncio.timeout(60):  # the pool reconnects with a backoff: as soon as it has
        while (
            answer := (await service.handle(command("unsubscribe"))).message.plain
        ) == unavailable:
            pass
    assert answer == t("en", "unsubscribed")


async def test_a_lookup_is_answered_in_an_outage_when_the_service_has_destination_settings(
    server: PostgresServer, backend: PgBackend, content: Content
) -> None:
    """The language of every answer is read from the destination settings first: in an outage
    that read must not turn a lookup into an error (issue 22: PgDestinations bypassed the
    pool, and `/term` answered "internal error")."""
    platforms = PlatformRegistry(RecordingPlatform())
    policy = DestinationPolicy(
        backend.destinations, backend.subscriptions, platforms, ledger=backend.ledger,
        pinned={}, opt_in="members", default=DeliveryTime("08:30", "Asia/Seoul"), language="en",
    )  # fmt: skip
    service = CommandService(
        LiveContent(content), backend.subscriptions, platforms, language="en", policy=policy
    )
    assert (await service.handle(command("lang", "en"))).message.plain == t("en", "language_set")
    await asyncio.to_thread(server.halt)
    term = await service.handle(command("term", "NP-hard"))
    assert "NP-hard" in term.message.plain and "Also known as" in term.message.plain
    unavailable = t("en", "store_unavailable")
    assert (await service.handle(command("subscribe", "07:30"))).message.plain == unavailable
    await asyncio.to_thread(server.resume)


async def test_what_the_ledger_recorded_during_an_outage_is_written_when_it_is_back(
    server: PostgresServer, backend: PgBackend
) -> None:
    backend.ledger.mark_pending(1, DEST, 0)
    await backend.ledger.commit()
    await asyncio.to_thread(server.halt)
    backend.ledger.mark_sent(1, DEST, 0, MessageRef("telegram", "42", "7"))  # sent, then lost
    with pytest.raises(StoreUnreachable, match="unreachable"):
        await backend.ledger.commit()
    with pytest.raises(StoreUnreachable):
        await backend.refresh()  # a new term cannot start while the database is away
    await asyncio.to_thread(server.resume)
    await backend.refresh()  # the first step of a new term: written first, then read
    assert backend.ledger.parts(1, DEST)[0].state == "sent"
    again = open_postgres(server.url())
    try:
        assert again.ledger.parts(1, DEST)[0].ref == MessageRef("telegram", "42", "7")
    finally:
        await again.close()
