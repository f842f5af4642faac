"""The one retry layer: deliveries, command answers and the Telegram edits of a ◀ ▶ press are
retried here, never in an adapter (the service's few messages outside an answer, a /subscribe's
DM confirmation, a channel's welcome and the admins' notices, are sent once, not retried).
Adapters translate a failure once, at the boundary, into the errors of `bot.core.errors`; this
module decides whether and when to try again:

    RateLimited     wait its `retry_after` (for that chat only), then the same send again;
                    a delivery waits as often and as long as the platform says, until the run
                    is stopped (a 429 is never a failure); a command's answer (a person is
                    waiting) gives up after `rate_limited_attempts` or past `max_wait` seconds
    TransientError  exponential backoff with ±50 % jitter, at most `attempts` tries in all
    anything else   raised at once (RecipientGone, MessageRejected, PlatformError)

Waits go through the `Clock` port (a fake clock in tests) and a set `stop` event cuts them
short with `Stopped`, so SIGTERM never waits out a backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.core.delivery.ports import ANSWER, Clock, Pacer
from bot.core.destination import Destination
from bot.core.errors import RateLimited, TransientError
from bot.core.model.messages import Message, MessageRef
from bot.core.ports import ChatPlatform

log = logging.getLogger(__name__)
T = TypeVar("T")


class Stopped(Exception):
    """A stop was requested while waiting to retry."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5  # tries of one send when it keeps failing transiently
    base_delay: float = 1.0  # first backoff; doubled per attempt, jittered by ±50 %
    max_delay: float = 60.0
    rate_limited_attempts: float = float("inf")  # 429s in a row on one send before giving up
    max_wait: float = float("inf")  # a longer retry_after is given up at once

    def backoff(self, attempt: int, rng: random.Random) -> float:
        delay = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return delay * rng.uniform(0.5, 1.5)


DELIVERY = RetryPolicy()
# A person is waiting for an answer: fewer tries, and no flood-control wait past half a minute.
ANSWERS = RetryPolicy(attempts=3, base_delay=0.5, rate_limited_attempts=2, max_wait=30.0)


@dataclass
class Retrier:
    """Calls a send under a `RetryPolicy`; callbacks hear of retries and 429s (tallies)."""

    policy: RetryPolicy
    clock: Clock
    stop: asyncio.Event | None = None
    rng: random.Random | None = None

    async def call(
        self,
        send: Callable[[], Awaitable[T]],
        what: str,
        on_retry: Callable[[], None] | None = None,
        on_rate_limited: Callable[[float], None] | None = None,
    ) -> T:
        """`send()` until it succeeds or the policy gives up; `on_retry` hears of every retry,
        `on_rate_limited` of every 429 waited out (with the seconds it asked for)."""
        rng = self.rng or random.Random()
        transient = limited = 0
        while True:
            try:
                return await send()
            except RateLimited as exc:
                limited += 1
                wait = max(exc.retry_after, 0.0)
                if limited >= self.policy.rate_limited_attempts or wait > self.policy.max_wait:
                    raise
                log.info("%s: rate limited; pausing it for %.1f s", what, wait)
                if on_rate_limited is not None:
                    on_rate_limited(wait)
            except TransientError as exc:
                transient += 1
                if transient >= self.policy.attempts:
                    raise
                wait = self.policy.backoff(transient, rng)
                log.warning("%s: %s; retry %d in %.1f s", what, exc, transient, wait)
            if on_retry is not None:
                on_retry()
            await self.pause(wait)

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds` on the clock; a stop request cuts it short with `Stopped`."""
        if not await sleep_unless_stopped(self.clock, seconds, self.stop):
            raise Stopped("stop requested")


async def sleep_unless_stopped(clock: Clock, seconds: float, stop: asyncio.Event | None) -> bool:
    """Sleep `seconds` on `clock`; False (at once) if `stop` is or becomes set first."""
    if stop is None:
        await clock.sleep(seconds)
        return True
    if stop.is_set():
        return False
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
    sleeper.cancel()
    stopper.cancel()
    return not stop.is_set()


class RetryingPlatform:
    """A `ChatPlatform` whose sends go through a `Retrier` (command answers) and, given a
    `Pacer`, through the platform's limits as answers (`ANSWER`: ahead of deliveries, within
    their share of the overall rate), so that no answer provokes a 429."""

    def __init__(
        self, platform: ChatPlatform, retrier: Retrier, pacer: Pacer | None = None
    ) -> None:
        self.platform = platform
        self.retrier = retrier
        self.pacer = pacer
        self.name = platform.name

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        async def paced() -> MessageRef:
            if self.pacer is None:
                return await self.platform.send(chat, message, reply_to=reply_to)
            async with self.pacer.slot(self.name, chat, "answer", ANSWER):
                return await self.platform.send(chat, message, reply_to=reply_to)

        return await self.retrier.call(paced, f"{self.name}:{chat}")

    async def open_dm(self, user: str) -> str:
        return await self.retrier.call(
            lambda: self.platform.open_dm(user), Destination.reader(self.name, user).key
        )

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        return await self.platform.is_chat_admin(chat, user)

    async def can_post(self, chat: str) -> bool:
        return await self.platform.can_post(chat)
