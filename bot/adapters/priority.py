"""A rate limit that admits the lowest rank first: the platform-wide limit of a fan-out.

A FIFO limiter shared by many workers serves them round-robin, so every reader's thread
advances one part per round and the median reader has the issue near the run's end. Here a
waiter carries its destination's rank (its place in the run: channels, then readers oldest
subscription first) and a free slot goes to the lowest rank waiting, FIFO among equal ranks:
readers are completed in turn, and the rate stays full because a reader further down fills
every slot the ones before it cannot use (their own private-chat bucket holds them).

**Scheduled from the ideal time.** The gate is a GCRA (the generic cell rate algorithm, a leaky
bucket kept as one timestamp): `_due` is when the next admission is due, and each admission
moves it one interval (`1/rate`) on from where it *was due*, not from when the timer really
fired. The event loop wakes a timer about 1 ms late (`make bench`, bench_pacing); a gate that
counts from "now" loses that on every slot (0.94 of the rate at 30/s instead of the 0.97 its
headroom leaves, and 0.75 with time compressed x10). Here a late wake-up is made up by the next
slot, up to `LATE` (2 ms, the loop's p99 lateness; it rounds its waits up to whole
milliseconds) and at most a quarter of an interval: never more, so a stall is not followed by a
burst, and any second holds fewer than `burst + rate·(1 s + LATE)` admissions (30.16 at 29.1/s: at
most 30). The rest of the headroom, 14 ms at each edge of a second, still absorbs the jitter
between admission here and arrival there (`pacing.py`). With time compressed x10 a slot is
3.4 ms, and a quarter of it (0.86 ms, about the loop's mean lateness) is made up: more would
leave too little for the jitter, which compression magnifies as much.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

LATE = 0.002  # seconds of a late wake-up the next slot makes up (at most a quarter of one)
_EPSILON = 1e-9  # float slack on "the next admission is due"


class PriorityGate:
    """`burst` admissions at once, then `rate` per second; lowest `rank` first, FIFO within."""

    def __init__(self, burst: float, rate: float) -> None:
        self.capacity, self.rate = burst, rate
        self.interval = 1 / rate
        self.tolerance = (burst - 1) * self.interval  # how far ahead of due a burst may go
        self.catch_up = min(LATE, self.interval / 4)  # seconds
        self._due: float | None = None  # when the next admission is due (the GCRA's TAT)
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, rank: int = 0) -> None:
        now = asyncio.get_running_loop().time()
        if not self._waiters and self._has_room(now):
            self._admit(now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (rank, next(self._order), future))
        self._schedule()
        await future

    def _has_room(self, now: float) -> bool:
        return self._due is None or now + _EPSILON >= self._due - self.tolerance

    def _admit(self, now: float) -> None:
        """One admission at `now`: the next is due an interval after this one was due (or
        after `now`, less what may be made up, when the gate was idle or woke too late)."""
        due = now - self.catch_up if self._due is None else max(self._due, now - self.catch_up)
        self._due = due + self.interval

    def _schedule(self) -> None:
        if self._waiters and self._timer is None:
            loop = asyncio.get_running_loop()
            at = self._due - self.tolerance if self._due is not None else loop.time()
            self._timer = loop.call_at(at, self._wake)

    def _wake(self) -> None:
        self._timer = None
        now = asyncio.get_running_loop().time()
        while self._waiters and self._has_room(now):
            _, _, future = heapq.heappop(self._waiters)
            if future.done():  # its task was cancelled while waiting: the slot goes on
                continue
            future.set_result(None)
            self._admit(now)
        self._schedule()
