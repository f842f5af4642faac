"""Batched membership checks (#27): the engine's "still subscribed?" before each part, asked by
hundreds of workers at once, is one query for all of them on PostgreSQL, and each answer comes
from a query that began after it was asked."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.group_commit import membership
from bot.store.postgres.backend import open_postgres


class Finder:
    """A `find` whose queries end when the test says so, recording what each was asked."""

    def __init__(self, present: set[int]) -> None:
        self.present = present
        self.asked: list[list[int]] = []
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def __call__(self, keys: list[int]) -> set[int]:
        self.asked.append(sorted(keys))
        await self.release.wait()
        self.release.clear()
        if self.fail is not None:
            fail, self.fail = self.fail, None
            raise fail
        return self.present & set(keys)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_questions_asked_during_a_query_are_answered_together_by_the_next() -> None:
    finder = Finder({1, 3})
    batched = membership(finder)
    first = asyncio.ensure_future(batched(1))
    await settle()
    waiting = [asyncio.ensure_future(batched(k)) for k in (2, 3, 3, 4)]
    await settle()
    assert finder.asked == [[1]]  # the others wait for a query that begins after them
    finder.release.set()
    assert await first is True
    await settle()
    assert finder.asked == [[1], [2, 3, 4]]
    finder.release.set()
    assert await asyncio.gather(*waiting) == [False, True, True, False]


async def test_a_failed_query_fails_only_its_questions() -> None:
    finder = Finder({7})
    batched = membership(finder)
    finder.fail = ConnectionError("server closed the connection")
    failing = asyncio.ensure_future(batched(7))
    await settle()
    finder.release.set()
    with pytest.raises(ConnectionError):
        await failing
    later = asyncio.ensure_future(batched(7))
    await settle()
    finder.release.set()
    assert await later is True


async def test_a_cancelled_question_leaves_the_others_answered() -> None:
    finder = Finder({5})
    batched = membership(finder)
    gone, kept = (asyncio.ensure_future(batched(5)) for _ in range(2))
    await settle()
    gone.cancel()
    finder.release.set()
    assert await kept is True
    assert gone.cancelled()


async def test_postgres_answers_hundreds_of_concurrent_checks_rightly(database_url: str) -> None:
    backend = open_postgres(database_url)
    subscriptions = backend.subscriptions
    for user in range(0, 300, 2):
        await subscriptions.subscribe("telegram", str(user), str(user))
    await subscriptions.subscribe("slack", "1", "D1")  # same user id, other platform
    checks = [subscriptions.is_subscribed("telegram", str(user)) for user in range(300)]
    assert await asyncio.gather(*checks) == [user % 2 == 0 for user in range(300)]
    await subscriptions.unsubscribe("telegram", "0")
    assert not await subscriptions.is_subscribed("telegram", "0")
    assert await subscriptions.is_subscribed("slack", "1")
    await backend.close()
