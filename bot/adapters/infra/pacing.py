"""The `Pacer` port: send as fast as the platforms allow, and no faster.

Each adapter exports its own `Limits` (`bot/adapters/telegram/limits.py`,
`bot/adapters/slack/limits.py`): its buckets, and how its chat strings tell a private chat from a
group and which chats share one bucket; a 429 always wins over these assumptions.

Every bucket is a `PriorityGate` (`priority.py`), a leaky bucket kept as one timestamp: a
burst of `c`, then `r` per second, so any window of `w` seconds holds at most `c + w·r`
admissions. Two details shape the numbers below:

* A destination sends its parts one after another and takes its own chat's slot *before* the
  overall one, so at most one admitted message per chat is still waiting to go out when the
  next is admitted; it can land in the platform's window together with the ones admitted
  after it. Per-chat buckets that sit behind an overall limiter therefore keep one place
  free (a burst of 2 instead of 3 for Telegram private chats, 9 + 10 per minute for groups).
* `headroom` (default 0.97) runs every rate slightly under the limit, so that the jitter
  between admission here and arrival there never makes a window overflow.
* Where no overall limit sits in front (Slack), a chat's bucket hears when each of its
  messages was answered (`PriorityGate.answered`): the platform had the message by then, so
  the chat's next admission is due at least one interval after that answer. A message that
  left late (1,000 Slack workspaces opening with 3,000 sends at once) then cannot put the
  chat's next one in the same window: bench_workspaces went from one 429 per channel to none.
  Answers that come back within the burst's tolerance (two seconds for Slack) change nothing.
  Behind an overall limit (Telegram) the wait in its queue is what delays a message, and the
  place kept free above covers it; counting from answers there would slow every reader's
  thread by that wait while commands flood the overall queue (tests/adapters/telegram/
  test_flood.py).

`time_scale` divides every period, for benchmarks against fakes with compressed time.

Of the sends waiting for a bucket, the lowest `rank` goes first. A command's answer (rank -1,
`bot.core.ports.ANSWER`) goes through the same buckets as deliveries: ahead of them in its chat
and, overall, within `ANSWER_SHARE` of the rate while a delivery waits, so that no answer
provokes a 429 and no flood of commands starves a run. Among deliveries the rank is the
destination's place in the run, so readers are completed in turn instead of all near the end;
a rank changes only who goes next, never how many go (per chat or overall). The overall
gate schedules each slot from when the previous one was due, not from when the event loop woke
it, so the loop's late wake-ups (~1 ms a slot) do not add up to 3 % of the rate; a little of the
headroom pays for that (`priority.py`), the rest still covers the jitter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from bot.adapters.infra.priority import PriorityGate

# Of a platform's overall rate, what command answers may take while deliveries wait for it:
# a run keeps 0.9 × 0.97 = 0.87 of Telegram's 30/s under any flood of commands (`make bench`,
# bench_flood), and answers still get ~3 a second, more than one chat's own ~1 a second.
ANSWER_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Bucket:
    burst: float  # admissions at once
    rate: float  # then per second

    def gate(
        self, headroom: float, time_scale: float, share: float = 1.0, *, overall: bool = False
    ) -> PriorityGate:
        rate = self.scaled(headroom, time_scale)
        return PriorityGate(self.burst, rate, share, hold_after_stall=overall)

    def scaled(self, headroom: float, time_scale: float) -> float:
        return self.rate * headroom * time_scale


def _by_kind(chat: str, kind: str) -> bool:
    return kind == "dm"


def _same_chat(chat: str) -> str:
    return chat


@dataclass(frozen=True, slots=True)
class Limits:
    """One platform's buckets, and what its chat strings mean for them."""

    dm: Bucket  # a private chat
    group: Bucket  # a channel or group
    overall: Bucket | None = None  # every message of the platform
    is_private: Callable[[str, str], bool] = _by_kind  # (chat, kind) -> a private chat?
    bucket_of: Callable[[str], str] = _same_chat  # chats that share one bucket map to one key


class SendMeter(Protocol):
    """Hears what became of each send inside a slot: the root's metrics (`bot/app/metrics.py`).
    `limit` is the bucket the send was paced under: "dm" (a private chat) or "group"."""

    def sent(self, platform: str, kind: str) -> None: ...

    def failed(self, exc: Exception, platform: str, kind: str, limit: str) -> None: ...


class Pacer:
    """Per-chat and per-platform limiters, made on first use; platforms without limits
    (the console) are admitted at once. A `meter` hears how each send inside a slot ended."""

    def __init__(
        self,
        limits: Mapping[str, Limits],
        *,
        headroom: float = 0.97,
        time_scale: float = 1.0,
        meter: SendMeter | None = None,
    ) -> None:
        if not 0 < headroom <= 1 or time_scale <= 0:
            raise ValueError("headroom must be in (0, 1] and time_scale > 0")
        self.limits = limits
        self.headroom, self.time_scale = headroom, time_scale
        self._chats: dict[tuple[str, str], PriorityGate] = {}
        self._overall: dict[str, PriorityGate] = {}
        self.meter = meter

    @asynccontextmanager
    async def slot(self, platform: str, chat: str, kind: str, rank: int = 0) -> AsyncIterator[None]:
        limits = self.limits.get(platform)
        answered = None  # a chat bucket with no overall limit in front hears the answer
        if limits is not None:
            gate = self._chat_limiter(platform, chat, kind, limits)
            await gate.acquire(rank)
            if limits.overall is not None:
                await self._overall_limiter(platform, limits.overall).acquire(rank)
            else:
                answered = gate.answered
        meter = self.meter
        try:
            yield
        except Exception as exc:
            if meter is not None:
                private = limits.is_private(chat, kind) if limits is not None else kind == "dm"
                meter.failed(exc, platform, kind, "dm" if private else "group")
            raise
        else:
            if meter is not None:
                meter.sent(platform, kind)
        finally:
            if answered is not None:  # the chat's next message counts from this one's answer
                answered(asyncio.get_running_loop().time())

    def _chat_limiter(self, platform: str, chat: str, kind: str, limits: Limits) -> PriorityGate:
        chat = limits.bucket_of(chat)
        limiter = self._chats.get((platform, chat))
        if limiter is None:
            bucket = limits.dm if limits.is_private(chat, kind) else limits.group
            limiter = self._chats[(platform, chat)] = bucket.gate(self.headroom, self.time_scale)
        return limiter

    def _overall_limiter(self, platform: str, bucket: Bucket) -> PriorityGate:
        gate = self._overall.get(platform)
        if gate is None:
            gate = self._overall[platform] = bucket.gate(
                self.headroom, self.time_scale, ANSWER_SHARE, overall=True
            )
        return gate
