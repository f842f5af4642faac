"""The `Pacer` port with aiolimiter: send as fast as the platforms allow, and no faster.

The limits to assume (DESIGN.md; neither platform documents them exactly, and a 429 always wins):
Telegram 30 messages/s overall, 20/min per group or channel (negative chat ids, @names),
about 1/s per private chat after a short burst (3); Slack about 1/s per channel after a burst.

aiolimiter is a leaky bucket: `AsyncLimiter(c, p)` admits a burst of `c`, then `c/p` per
second, so any window of `w` seconds holds at most `c + w·c/p` admissions. Two details shape
the numbers below:

* A destination sends its parts one after another and takes its own chat's slot *before* the
  overall one, so at most one admitted message per chat is still waiting to go out when the
  next is admitted; it can land in the platform's window together with the ones admitted
  after it. Per-chat buckets that sit behind an overall limiter therefore keep one place
  free (a burst of 2 instead of 3 for Telegram private chats, 9 + 10 per minute for groups).
* `headroom` (default 0.97) runs every rate slightly under the limit, so that the jitter
  between admission here and arrival there never makes a window overflow.

`time_scale` divides every period, for benchmarks against fakes with compressed time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiolimiter import AsyncLimiter


@dataclass(frozen=True, slots=True)
class Bucket:
    burst: float  # admissions at once
    rate: float  # then per second

    def limiter(self, headroom: float, time_scale: float) -> AsyncLimiter:
        rate = self.rate * headroom * time_scale
        return AsyncLimiter(self.burst, self.burst / rate)


@dataclass(frozen=True, slots=True)
class Limits:
    dm: Bucket  # a private chat
    group: Bucket  # a channel or group
    overall: Bucket | None = None  # every message of the platform


TELEGRAM = Limits(
    overall=Bucket(1, 30.0),  # no burst: strictly 1/30 s apart, so never 31 in a second
    group=Bucket(9, 10 / 60),  # ≤ 9 + 10 + 1 in flight = 20 in any minute
    dm=Bucket(2, 1.0),  # ≤ 2 + 1 in flight = the burst of 3, then 1/s
)
SLACK_CHANNEL = Bucket(3, 1.0)  # no overall limiter in front, so the whole burst of 3
SLACK = Limits(dm=SLACK_CHANNEL, group=SLACK_CHANNEL)
LIMITS = {"telegram": TELEGRAM, "slack": SLACK}


class Pacer:
    """Per-chat and per-platform limiters, made on first use; platforms without limits
    (the console) are admitted at once."""

    def __init__(
        self,
        limits: dict[str, Limits] | None = None,
        *,
        headroom: float = 0.97,
        time_scale: float = 1.0,
    ) -> None:
        if not 0 < headroom <= 1 or time_scale <= 0:
            raise ValueError("headroom must be in (0, 1] and time_scale > 0")
        self.limits = LIMITS if limits is None else limits
        self.headroom, self.time_scale = headroom, time_scale
        self._chats: dict[tuple[str, str], AsyncLimiter] = {}
        self._overall: dict[str, AsyncLimiter] = {}

    @asynccontextmanager
    async def slot(self, platform: str, chat: str, kind: str) -> AsyncIterator[None]:
        limits = self.limits.get(platform)
        if limits is not None:
            await self._chat_limiter(platform, chat, kind, limits).acquire()
            if limits.overall is not None:
                await self._overall_limiter(platform, limits.overall).acquire()
        yield

    def _chat_limiter(self, platform: str, chat: str, kind: str, limits: Limits) -> AsyncLimiter:
        if platform == "telegram":
            chat = chat.split(":", 1)[0]  # a forum topic ("-100…:7") shares its group's limit
        limiter = self._chats.get((platform, chat))
        if limiter is None:
            bucket = limits.dm if _is_private(platform, chat, kind) else limits.group
            limiter = self._chats[(platform, chat)] = bucket.limiter(self.headroom, self.time_scale)
        return limiter

    def _overall_limiter(self, platform: str, bucket: Bucket) -> AsyncLimiter:
        limiter = self._overall.get(platform)
        if limiter is None:
            limiter = self._overall[platform] = bucket.limiter(self.headroom, self.time_scale)
        return limiter


def _is_private(platform: str, chat: str, kind: str) -> bool:
    """Telegram says by the id: groups and channels are negative (or @names); elsewhere the
    destination's kind decides."""
    if platform == "telegram":
        return chat.lstrip().isdigit()
    return kind == "dm"
