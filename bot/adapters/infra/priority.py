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

**A stall leaves a slot free.** When the event loop was blocked for longer than `stall` (10 ms
at 30/s: a burst of CPU work, such as a few hundred commands handled at once), the message
admitted just before the stall went out at its end, not when it was admitted; admitting the next
one at once puts two in the platform's window where the pacing counted one (seen in the flood
test as the one 429 of a run: a 124 ms stall). So on a gate with no place to spare (the overall
limit: `hold_after_stall`), the first wake-up after a stall waits one interval more; it costs
one slot a stall. A chat's own bucket keeps a place free for that (`pacing.py`), and at ~1 s
a slot holding one back would cost a second a stall.

**Answers first, within a share.** A negative rank (a command's answer, `bot.core.ports.ANSWER`:
a person is waiting) goes ahead of every delivery. So that a flood of commands cannot starve a
delivery run (issue 23: 20 users sending `/issue 1` thirty times each took half of Telegram's
30/s), a slot that both an answer and a delivery wait for goes to the answer only while the
answers' credit lasts: every such contested slot adds `share` to it, an answer taking one spends
1, and it never holds more than 1 (so the first answer in a while goes at once). Counted in
slots, not seconds, it holds on a loaded event loop too: while deliveries wait, answers get at
most `share` of the slots; with no delivery waiting they take every slot, uncounted.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

LATE = 0.002  # seconds of a late wake-up the next slot makes up (at most a quarter of one)
STALL = 0.010  # seconds late that mean the event loop stalled (at most half a slot)
_EPSILON = 1e-9  # float slack on "the next admission is due"
_Waiter = tuple[int, int, "asyncio.Future[None]"]


class PriorityGate:
    """`burst` admissions at once, then `rate` per second; lowest `rank` first, FIFO within;
    negative ranks (answers) first but, while others wait, within `share` of the rate."""

    def __init__(
        self, burst: float, rate: float, share: float = 1.0, *, hold_after_stall: bool = False
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        self.capacity, self.rate = burst, rate
        self.interval = 1 / rate
        self.tolerance = (burst - 1) * self.interval  # how far ahead of due a burst may go
        self.catch_up = min(LATE, self.interval / 4)  # seconds
        self.stall = max(2 * self.catch_up, min(STALL, self.interval / 2))  # a late wake-up, s
        self.hold_after_stall = hold_after_stall
        self._wake_at = 0.0  # when the timer was set to fire
        self.share = share
        self._credit = 1.0  # slots answers may still take from waiting deliveries
        self._held = False  # the slot after a stall was held back (once per stall)
        self._due: float | None = None  # when the next admission is due (the GCRA's TAT)
        self._answers: list[_Waiter] = []  # negative ranks
        self._waiters: list[_Waiter] = []  # the rest
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, rank: int = 0) -> None:
        now = asyncio.get_running_loop().time()
        if not self._answers and not self._waiters and self._has_room(now):
            self._admit(now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(
            self._answers if rank < 0 else self._waiters, (rank, next(self._order), future)
        )
        self._schedule()
        await future

    def answered(self, at: float) -> None:
        """A message this gate admitted was answered at `at`: the platform had it by then,
        however late it left here (a busy event loop) or was handled there (a busy platform).
        So the next admission is due at least an interval after `at`, as if it had arrived
        then. Why that suffices, for one chat's messages sent one after another: the
        platform's GCRA moves its TAT to max(TAT, arrival) + its interval; ours moves to at
        least max(TAT, answer) + our interval, and answer >= arrival, our interval >= its
        (headroom), so ours never falls behind its. The next message arrives after we admit
        it, at or after our TAT less our tolerance; when its bucket is empty our TAT is ahead
        by the headroom's share of every interval chained since, at least the tolerances'
        difference, so the message is within its bucket. Costs nothing while answers come
        back within the burst's tolerance (2 s for Slack's 3)."""
        if self._due is not None:
            self._due = max(self._due, at + self.interval)

    def _has_room(self, now: float) -> bool:
        return self._due is None or now + _EPSILON >= self._due - self.tolerance

    def _admit(self, now: float) -> None:
        """One admission at `now`: the next is due an interval after this one was due (or
        after `now`, less what may be made up, when the gate was idle or woke too late)."""
        due = now - self.catch_up if self._due is None else max(self._due, now - self.catch_up)
        self._due = due + self.interval

    def _next(self, now: float) -> asyncio.Future[None] | None:
        """Who takes a free slot: an answer, unless deliveries wait and answers had their
        share; else the lowest-ranked delivery."""
        if self._answers and self._waiters:  # a contested slot
            self._credit = min(1.0, self._credit + self.share)
            if self._credit >= 1.0 - _EPSILON:
                self._credit -= 1.0
                return heapq.heappop(self._answers)[2]
            return heapq.heappop(self._waiters)[2]
        if self._answers:
            return heapq.heappop(self._answers)[2]
        if self._waiters:
            return heapq.heappop(self._waiters)[2]
        return None

    def _schedule(self) -> None:
        if (self._answers or self._waiters) and self._timer is None:
            loop = asyncio.get_running_loop()
            at = self._due - self.tolerance if self._due is not None else loop.time()
            self._wake_at = at
            self._timer = loop.call_at(at, self._wake)

    def _wake(self) -> None:
        self._timer = None
        now = asyncio.get_running_loop().time()
        late = now - self._wake_at > self.stall
        if self.hold_after_stall and self._due is not None and late and not self._held:
            self._due = max(self._due, now + self.interval)  # the stalled message's slot
            self._held = True  # once: a loop late at every wake-up must still admit
        else:
            self._held = False
        while self._has_room(now):
            future = self._next(now)
            if future is None:
                break
            if future.done():  # its task was cancelled while waiting: the slot goes on
                continue
            future.set_result(None)
            self._admit(now)
        self._schedule()
