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
    """

    def __init__(self, write: Callable[[], Awaitable[None]]) -> None:
        self._write = write
        self._running = False
        self._next: asyncio.Future[None] | None = None  # done when the next write is
        self._task: asyncio.Task[None] | None = None  # the write in flight

    async def __call__(self) -> None:
        if self._running:
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            done = self._next
        else:
            done = self._start()
        await asyncio.shield(done)  # a cancelled caller leaves the write going

    def _start(self) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieved)
        self._running = True
        self._task = asyncio.ensure_future(self._flush(done))
        return done

    async def _flush(self, done: asyncio.Future[None]) -> None:
        try:
            await self._write()
        except Exception as exc:  # the callers of this write get it
            done.set_exception(exc)
        except BaseException:
            done.cancel()
            raise
        else:
            done.set_result(None)
        finally:
            self._running = False
            if self._next is not None:  # commits that arrived during this write
                waiting, self._next = self._next, None
                waiting.add_done_callback(_retrieved)
                self._running = True
                self._task = asyncio.ensure_future(self._flush(waiting))


def _retrieved(future: asyncio.Future[None]) -> None:
    """Its callers got the error; with none left (all cancelled), nothing is left unread."""
    if not future.cancelled():
        future.exception()
