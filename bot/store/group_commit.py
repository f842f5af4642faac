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

    `write()` must make durable every change made before it was called (it may write more)."""

    def __init__(self, write: Callable[[], Awaitable[None]]) -> None:
        self._write = write
        self._asked = 0  # commits asked for, numbered in order
        self._durable = 0  # every commit up to this number is durable
        self._running: asyncio.Future[None] | None = None
        self._covers = 0  # the commits the running write is for

    async def __call__(self) -> None:
        self._asked += 1
        mine = self._asked
        while self._durable < mine:
            if self._running is None:
                self._covers = self._asked  # the write starts after this: it includes them
                self._running = asyncio.ensure_future(self._flush(self._covers))
                self._running.add_done_callback(_retrieved)
            running, covers = self._running, self._covers
            try:
                await asyncio.shield(running)  # a cancelled caller leaves the write going
            except Exception:
                if covers >= mine:
                    raise  # the write for this commit failed
                # a write begun before this commit failed: this one gets a write of its own

    async def _flush(self, covered: int) -> None:
        try:
            await self._write()
            self._durable = max(self._durable, covered)
        finally:
            self._running = None


def _retrieved(future: asyncio.Future[None]) -> None:
    """Its callers got the error; with none left (all cancelled), nothing is left unread."""
    if not future.cancelled():
        future.exception()
