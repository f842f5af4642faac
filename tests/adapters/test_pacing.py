"""The pacer keeps every send within the platforms' limits as the fake servers enforce them,
on compressed time (`time_scale`) so no test waits long."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.adapters.pacing import Pacer
from bot.app import RATE_LIMITS
from tests.fakes.telegram_api import _Chat, _FloodControl

SCALE = 10.0  # compressed, but not so far that a loaded machine's stalls look like bursts


async def send_in_order(
    pacer: Pacer, platform: str, chat: str, kind: str, count: int
) -> list[float]:
    """One destination's sends, one after another as the engine does; their admission times."""
    times = []
    for _ in range(count):
        async with pacer.slot(platform, chat, kind):
            times.append(time.monotonic())
        await asyncio.sleep(0)
    return times


async def test_telegram_sends_never_trip_the_fake_flood_control() -> None:
    pacer = Pacer(RATE_LIMITS, time_scale=SCALE)
    jobs = [send_in_order(pacer, "telegram", str(1000 + n), "dm", 6) for n in range(30)]
    jobs += [send_in_order(pacer, "telegram", f"-100{n}", "channel", 12) for n in range(2)]
    results = await asyncio.gather(*jobs)
    flood, chats = _FloodControl(SCALE), {}
    sends = sorted((t, chat) for chat, times in zip(range(32), results, strict=True) for t in times)
    for at, index in sends:
        chat_id = 1000 + index if index < 30 else -1000 - index
        chat = chats.setdefault(index, _Chat(chat_id, "private" if index < 30 else "supergroup"))
        assert flood.check(chat, at) == 0, f"chat {chat_id} would get a 429 at {at}"
    span = sends[-1][0] - sends[0][0]
    overall_minimum = (len(sends) - 1) / (30 * SCALE)
    assert span >= overall_minimum * 0.95  # how close to the limit it gets is `make bench`'s job


async def test_a_private_chat_gets_a_short_burst_then_about_one_per_second() -> None:
    times = await send_in_order(Pacer(RATE_LIMITS, time_scale=SCALE), "telegram", "42", "dm", 5)
    flood, chat = _FloodControl(SCALE), _Chat(42, "private")
    assert all(flood.check(chat, at) == 0 for at in times)  # never faster than the fake allows
    # a leaky bucket holds the average, not each gap: after the burst, ~1/s on average
    assert (times[-1] - times[1]) * SCALE >= 3 * 0.95


async def test_slack_channels_are_paced_each_on_its_own() -> None:
    pacer = Pacer(RATE_LIMITS, time_scale=SCALE)
    one, two = await asyncio.gather(
        send_in_order(pacer, "slack", "C1", "channel", 6),
        send_in_order(pacer, "slack", "C2", "channel", 6),
    )
    for times in (one, two):
        assert (times[-1] - times[2]) * SCALE >= 3 * 0.95  # after the burst of 3, ~1/s
    assert two[0] < one[-1] and one[0] < two[-1]  # side by side, not one after the other


async def test_the_console_is_not_paced() -> None:
    pacer = Pacer(RATE_LIMITS)
    await send_in_order(pacer, "console", "console", "dm", 100)
    assert pacer._chats == {}  # no limiter was ever made for it


@pytest.mark.parametrize("options", [{"headroom": 0.0}, {"headroom": 1.5}, {"time_scale": 0}])
def test_nonsense_settings_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="headroom"):
        Pacer(RATE_LIMITS, **options)


def test_forum_topics_share_their_groups_bucket() -> None:
    from bot.adapters.telegram.limits import LIMITS as TELEGRAM

    pacer = Pacer(RATE_LIMITS)
    first = pacer._chat_limiter("telegram", "-1001:7", "channel", TELEGRAM)
    assert pacer._chat_limiter("telegram", "-1001:9", "channel", TELEGRAM) is first
    assert pacer._chat_limiter("telegram", "-1002", "channel", TELEGRAM) is not first
