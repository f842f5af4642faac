"""Group commit, for both backends' `commit()` (the tinydb journal, the PostgreSQL ledger).

Many delivery workers commit at once (a part's pending mark before it is sent). Each would
otherwise wait for a write of its own. Here a commit that arrives while a write is in flight
waits for it to end, and then one write makes durable everything committed meanwhile (one
journal line + fsync, one transaction); each caller returns as soon as a write that began after
its call ended, never earlier (its changes are then durable) and never later than needed: there
is no timer, so a change is at most one write late. A failed write fails every caller it was for
(their changes stay queued; the next commit writes them again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class GroupCommit:
    """`await group()` returns once every change made before the call is durable.

    `write()` must make durable every change made before it was called (it may write more).
    A commit with no write in flight starts one; a commit during a write waits for the next
    one, which starts as soon as that write ends and serves every commit that arrived meanwhile.
    Each caller waits on a future of its own, so a cancelled caller cancels only its wait (the
    write goes on for the others), at one wake-up per caller (a delivery commits before every
    part it sends: docs/benchmarks.md).
    """

    def __init__(self, write: Callable[[], Awaitable[None]]) -> None:
        self._write = write
        self._task: asyncio.Task[None] | None = None  # the write in flight, then the next ones
        self._waiting: list[asyncio.Future[None]] = []  # callers the next write is for

    async def __call__(self) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(done)
        if self._task is None:
            self._task = asyncio.ensure_future(self._flush())
        await done

    async def _flush(self) -> None:
        try:
            while self._waiting:
                callers, self._waiting = self._waiting, []
                try:
                    await self._write()
                except Exception as exc:  # the callers of this write get it
                    _settle(callers, exc)
                except BaseException:
                    for caller in callers:
                        caller.cancel()
                    raise
                else:
                    _settle(callers, None)
        finally:
            self._task = None


def _settle(callers: list[asyncio.Future[None]], error: Exception | None) -> None:
    for caller in callers:
        if caller.done():  # cancelled while it waited
            continue
        if error is None:
            caller.set_result(None)
        else:
            caller.set_exception(error)
