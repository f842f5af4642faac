"""The one retry layer, on the fake clock: what is retried, how often, how long it waits, and
that a stop cuts a wait short."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.core.delivery.retry import Retrier, RetryingPlatform, RetryPolicy, Stopped
from bot.core.errors import MessageRejected, RateLimited, RecipientGone, TransientError
from bot.core.model.messages import simple
from bot.core.testing import FakeClock, RecordingPlatform

POLICY = RetryPolicy(attempts=3, base_delay=1.0, rate_limited_attempts=3, max_wait=30.0)


def retrying(platform: RecordingPlatform, clock: FakeClock, **options: object) -> RetryingPlatform:
    retrier = Retrier(POLICY, clock, rng=random.Random(7), **options)  # type: ignore[arg-type]
    return RetryingPlatform(platform, retrier)


async def test_a_transient_failure_is_retried_with_backoff_then_sent_once() -> None:
    platform, clock = RecordingPlatform(), FakeClock(auto_advance=True)
    platform.fail["C1"] = [TransientError("502"), TransientError("timeout")]
    await retrying(platform, clock).send("C1", simple("x"))
    assert len(platform.to("C1")) == 1
    assert len(clock.sleeps) == 2
    assert 0.5 <= clock.sleeps[0] <= 1.5 and 1.0 <= clock.sleeps[1] <= 3.0  # doubled, jittered


async def test_a_send_is_tried_at_most_attempts_times() -> None:
    platform, clock = RecordingPlatform(), FakeClock(auto_advance=True)
    platform.fail["C1"] = [TransientError("502")] * 5
    with pytest.raises(TransientError):
        await retrying(platform, clock).send("C1", simple("x"))
    assert len(platform.fail["C1"]) == 5 - POLICY.attempts and platform.sent == []


async def test_rate_limited_waits_what_the_platform_asked_for() -> None:
    platform, clock = RecordingPlatform(), FakeClock(auto_advance=True)
    platform.fail["C1"] = [RateLimited("429", retry_after=12.0)]
    await retrying(platform, clock).send("C1", simple("x"))
    assert clock.sleeps == [12.0] and len(platform.to("C1")) == 1


async def test_a_wait_longer_than_max_wait_is_given_up_at_once() -> None:
    platform, clock = RecordingPlatform(), FakeClock(auto_advance=True)
    platform.fail["C1"] = [RateLimited("429", retry_after=300.0)]
    with pytest.raises(RateLimited):
        await retrying(platform, clock).send("C1", simple("x"))
    assert clock.sleeps == []


@pytest.mark.parametrize("error", [RecipientGone("blocked"), MessageRejected("bad markup")])
async def test_gone_and_rejected_are_never_retried(error: Exception) -> None:
    platform, clock = RecordingPlatform(), FakeClock(auto_advance=True)
    platform.fail["C1"] = [error]
    with pytest.raises(type(error)):
        await retrying(platform, clock).send("C1", simple("x"))
    assert clock.sleeps == []


async def test_a_stop_cuts_a_backoff_short() -> None:
    platform, clock, stop = RecordingPlatform(), FakeClock(), asyncio.Event()
    platform.fail["C1"] = [TransientError("502")]
    send = asyncio.create_task(retrying(platform, clock, stop=stop).send("C1", simple("x")))
    async with asyncio.timeout(5):
        while clock.sleeping == 0:  # noqa: ASYNC110 (the fake clock has no event to wait on)
            await asyncio.sleep(0)
    stop.set()
    with pytest.raises(Stopped):
        await send
    assert platform.sent == [] and clock.elapsed == 0  # no time passed: the wait was cut short
