"""A leaky bucket that admits the lowest rank first: the platform-wide limit of a fan-out.

A FIFO limiter shared by many workers serves them round-robin, so every reader's thread
advances one part per round and the median reader has the issue near the run's end. Here a
waiter carries its destination's rank (its place in the run: channels, then readers oldest
subscription first) and a free slot goes to the lowest rank waiting, FIFO among equal ranks:
readers are completed in turn, and the rate stays full because a reader further down fills
every slot the ones before it cannot use (their own private-chat bucket holds them).

The level leaks by the event loop's clock, by the time really elapsed, so a late wake-up costs
nothing beyond itself (the next admission is due at once), and a slot is handed over when it
frees rather than on the next poll. `burst` bounds the level, so a wake-up however late never
admits more than `burst` at once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

_EPSILON = 1e-9  # float slack on "the level has room for one more"


class PriorityGate:
    """`burst` admissions at once, then `rate` per second; lowest `rank` first, FIFO within."""

    def __init__(self, burst: float, rate: float) -> None:
        self.capacity, self.rate = burst, rate
        self._level = 0.0
        self._last: float | None = None
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, rank: int = 0) -> None:
        self._leak()
        if not self._waiters and self._has_room():
            self._level += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (rank, next(self._order), future))
        self._schedule()
        await future

    def _has_room(self) -> bool:
        return self._level + 1 <= self.capacity + _EPSILON

    def _leak(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._last is not None:
            self._level = max(0.0, self._level - (now - self._last) * self.rate)
        self._last = now

    def _schedule(self) -> None:
        if self._waiters and self._timer is None:
            delay = max(0.0, (self._level + 1 - self.capacity) / self.rate)
            self._timer = asyncio.get_running_loop().call_later(delay, self._wake)

    def _wake(self) -> None:
        self._timer = None
        self._leak()
        while self._waiters and self._has_room():
            _, _, future = heapq.heappop(self._waiters)
            if future.done():  # its task was cancelled while waiting: the slot goes on
                continue
            future.set_result(None)
            self._level += 1
        self._schedule()
