"""Group commit, for both backends' `commit()` (the tinydb journal, the PostgreSQL ledger), and
the same grouping for PostgreSQL's reads that run before every part (`membership`).

Many delivery workers commit at once (a part's pending mark before it is sent). Each would
otherwise wait for a write of its own. Here a commit that arrives while a write is in flight
waits for it to end, and then one write makes durable everything committed meanwhile (one
journal line + fsync, one transaction); each caller returns as soon as a write that began after
its call ended, never earlier (its changes are then durable) and never later than needed: there
is no timer, so a change is at most one write late. A failed write fails every caller it was for
(their changes stay queued; the next commit writes them again).

`Batched` is that mechanism with an item and an answer per caller: `GroupCommit` asks nothing
and is answered nothing; `membership` asks whether a key is present (the engine's "is this
reader still subscribed?" before every part: one query for every check asked meanwhile, not a
query and a pooled connection each).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)


class Batched(Generic[T, R]):
    """`await batched(item)`: `run(items)` answers, in order, every item asked while the run
    before it was in flight; a caller is answered only by a run that began after its call.

    Each caller waits on a future of its own, so a cancelled caller cancels only its wait (the
    run goes on for the others), at one wake-up per caller. A run that fails fails the callers
    it was for."""

    def __init__(self, run: Callable[[list[T]], Awaitable[Sequence[R]]]) -> None:
        self._run = run
        self._task: asyncio.Task[None] | None = None  # the run in flight, then the next ones
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []  # callers the next run is for

    async def __call__(self, item: T) -> R:
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answer))
        if self._task is None:
            self._task = asyncio.ensure_future(self._flush())
        return await answer

    async def _flush(self) -> None:
        try:
            while self._waiting:
                callers, self._waiting = self._waiting, []
                try:
                    results = await self._run([item for item, _ in callers])
                except Exception as exc:  # the callers of this run get it
                    for _, answer in callers:
                        if not answer.done():  # else cancelled while it waited
                            answer.set_exception(exc)
                except BaseException:
                    for _, answer in callers:
                        answer.cancel()
                    raise
                else:
                    for (_, answer), result in zip(callers, results, strict=True):
                        if not answer.done():
                            answer.set_result(result)
        finally:
            self._task = None


class GroupCommit:
    """`await group()` returns once every change made before the call is durable.

    `write()` must make durable every change made before it was called (it may write more).
    A commit with no write in flight starts one; a commit during a write waits for the next
    one, which starts as soon as that write ends and serves every commit that arrived meanwhile.
    """

    def __init__(self, write: Callable[[], Awaitable[None]]) -> None:
        self._write = write
        self._batched: Batched[None, None] = Batched(self._run)

    async def __call__(self) -> None:
        await self._batched(None)

    async def _run(self, callers: list[None]) -> list[None]:
        await self._write()
        return callers


def membership(find: Callable[[list[K]], Awaitable[set[K]]]) -> Batched[K, bool]:
    """`await present(key)`: whether `find` names `key`; `find(keys)` gets each key asked
    meanwhile once and returns the subset of them that is present."""

    async def run(keys: list[K]) -> list[bool]:
        found = await find(list(dict.fromkeys(keys)))
        return [key in found for key in keys]

    return Batched(run)
