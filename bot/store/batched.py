"""Membership checks asked together: the PostgreSQL side of the engine's check before each part.

A delivery asks "is this reader still subscribed?" before every part it sends (a reader who
unsubscribes mid-run gets nothing more). On PostgreSQL that was a query, a pooled connection
and a round trip per part: with paid broadcast's 512 workers, a tenth of the bot's CPU and, with
the process starved, waits past the pool's timeout. Here a check that arrives while a query is in
flight waits for it to end and joins the next one, which answers every key asked meanwhile in one
statement: the same pattern as `group_commit.py`, for reads. Each answer comes from a query that
began after its question was asked; a failed query fails only the questions it was for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class BatchedMembership(Generic[K]):
    """`await contains(key)`: whether `find` names `key`, with concurrent questions asked
    together. `find(keys)` returns the subset of `keys` that is present."""

    def __init__(self, find: Callable[[list[K]], Awaitable[set[K]]]) -> None:
        self._find = find
        self._asked: dict[K, list[asyncio.Future[bool]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def contains(self, key: K) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._asked.setdefault(key, []).append(answer)
        if self._task is None:
            self._task = asyncio.ensure_future(self._answer())
        return await answer

    async def _answer(self) -> None:
        try:
            while self._asked:
                asked, self._asked = self._asked, {}
                try:
                    found = await self._find(list(asked))
                except Exception as exc:  # the questions of this query get the error
                    _settle(asked, exc)
                except BaseException:  # cancelled: so are its questions, none left waiting
                    for answer in (a for answers in asked.values() for a in answers):
                        answer.cancel()
                    raise
                else:
                    _settle(asked, found)
        finally:
            self._task = None


def _settle(asked: dict[K, list[asyncio.Future[bool]]], found: set[K] | Exception) -> None:
    for key, answers in asked.items():
        for answer in answers:
            if answer.done():  # its caller was cancelled
                continue
            if isinstance(found, Exception):
                answer.set_exception(found)
            else:
                answer.set_result(key in found)
