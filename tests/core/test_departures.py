"""The one rule for a recipient that is gone (bot/core/departures.py), whoever learns it: a
reader is unsubscribed; a chat ends its opt-in and its forum topics'; a topic ends alone; a
pinned channel is reported and stays. On the tinydb store, as the bot runs it."""

from __future__ import annotations

import logging

import pytest

from bot.core.departures import Departures
from bot.store import Store, Subscriptions
from bot.store.tinydb.destinations import Destinations

FORUM = "-1001"


@pytest.fixture
async def departures(store: Store) -> Departures:
    destinations = Destinations(store)
    for chat in (FORUM, f"{FORUM}:7", f"{FORUM}:9", "-1002", "-1003:4"):
        await destinations.opt_in("telegram", chat, "u1")
    subscriptions = Subscriptions(store)
    await subscriptions.subscribe("telegram", "42", "42")
    return Departures(subscriptions, destinations, {"telegram": ["-1009"]})


async def opted(departures: Departures) -> list[str]:
    assert departures.destinations is not None
    return sorted(o.chat for o in await departures.destinations.opted_in("telegram"))


async def test_a_chat_that_is_gone_ends_with_its_topics(departures: Departures) -> None:
    assert await departures.chats("telegram", [FORUM], "kicked") == {FORUM}
    assert await opted(departures) == ["-1002", "-1003:4"]


async def test_a_topic_that_is_gone_ends_alone(departures: Departures) -> None:
    assert await departures.chats("telegram", [f"{FORUM}:7"], "thread gone") == {f"{FORUM}:7"}
    assert await opted(departures) == ["-1001", "-1001:9", "-1002", "-1003:4"]


async def test_a_pinned_channel_is_reported_and_stays(
    departures: Departures, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "bot.core.departures"):
        assert await departures.chats("telegram", ["-1009"], "kicked") == set()
    assert "pinned channel" in caplog.text and len(await opted(departures)) == 5


async def test_a_reader_who_is_gone_is_unsubscribed_once(departures: Departures) -> None:
    assert await departures.reader("telegram", "42", "blocked the bot")
    assert not await departures.reader("telegram", "42", "blocked the bot")
    assert not await departures.subscriptions.is_subscribed("telegram", "42")
