"""The pacer keeps every send within the platforms' limits as the fake servers enforce them,
on compressed time (`time_scale`) so no test waits long."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.infra.pacing import Bucket, Pacer
from bot.adapters.infra.priority import PriorityGate
from bot.adapters.slack.send import make_client, pooled_session
from bot.adapters.telegram.limits import LIMITS, PAID_BROADCAST
from bot.app import RATE_LIMITS
from bot.core.delivery.ports import ANSWER
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import _Chat, _FloodControl

SCALE = 10.0  # compressed, but not so far that a loaded machine's stalls look like bursts


@pytest.fixture
async def slack_lagging() -> AsyncIterator[tuple[FakeSlackAPI, AsyncWebClient]]:
    async with FakeSlackAPI(enforce_limits=True, time_scale=SCALE) as fake:
        fake.add_channel("C1")
        client = make_client("xoxb-test-token", fake.base_url, pooled_session())
        client.retry_handlers.clear()  # a 429 must reach the test, not be waited out
        try:
            yield fake, client
        finally:
            assert client.session is not None
            await client.session.close()


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


async def test_a_message_that_left_late_moves_its_chats_next_slot(
    slack_lagging: tuple[FakeSlackAPI, AsyncWebClient],
) -> None:
    """The first message is admitted at once but leaves 1.5 s late (a busy event loop; a busy
    platform handling it late is the same to its bucket). The burst's next two follow it; the
    fourth, due a second after the first's admission, waits a second after the first's
    *answer*, so the fake's bucket (a burst of 3, then 1/s) never refuses one."""
    fake, client = slack_lagging
    pacer = Pacer(RATE_LIMITS, time_scale=SCALE)
    for n in range(5):
        async with pacer.slot("slack", "C1", "channel"):
            if n == 0:
                await asyncio.sleep(1.5 / SCALE)
            await client.chat_postMessage(channel="C1", text=f"part {n}")
    assert fake.rate_limited == 0
    assert [m.text for m in fake.messages("C1")] == [f"part {n}" for n in range(5)]


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


def admit_with_late_wake_ups(gate: PriorityGate, count: int, lateness: list[float]) -> list[float]:
    """`count` admissions, each when the gate's timer would fire plus a random lateness (as a
    busy event loop wakes timers): the gate's own arithmetic on simulated time, no clock."""
    rng, now, admitted = random.Random(18), 0.0, []
    for _ in range(count):
        due = gate._due - gate.tolerance if gate._due is not None else 0.0
        now = max(now, due) + rng.choice(lateness)
        assert gate._has_room(now)
        gate._admit(now)
        admitted.append(now)
    return admitted


def never_refused(admitted: list[float], *, paid: bool = False) -> bool:
    flood = _FloodControl(1.0)
    return all(
        flood.check(_Chat(1000 + n, "private"), at, paid=paid) == 0 for n, at in enumerate(admitted)
    )


def rate_of(admitted: list[float]) -> float:
    return (len(admitted) - 1) / (admitted[-1] - admitted[0])


@pytest.mark.parametrize(
    ("bucket", "paid"), [(LIMITS.overall, False), (PAID_BROADCAST.overall, True)]
)
def test_late_wake_ups_are_made_up_so_the_rate_is_the_gates_own(
    bucket: Bucket | None, paid: bool
) -> None:
    assert bucket is not None
    gate = bucket.gate(0.97, 1.0)
    late = [0.0, 0.25, 0.5, 1.0]  # of what the next slot makes up (~1 ms is the loop's own)
    admitted = admit_with_late_wake_ups(gate, 3000, [x * gate.catch_up for x in late])
    assert rate_of(admitted) >= bucket.rate * 0.97 * 0.999  # nothing lost to the lateness
    assert never_refused(admitted, paid=paid)


def test_a_stall_is_not_followed_by_a_burst_past_the_limit() -> None:
    assert LIMITS.overall is not None
    gate = LIMITS.overall.gate(0.97, 1.0)
    late = [0.0, 0.001, 0.002, 0.02, 0.3]  # seconds: late wake-ups and now and then a stall
    assert never_refused(admit_with_late_wake_ups(gate, 3000, late))


async def admission_order(gate: PriorityGate, ranks: list[int]) -> list[int]:
    """Everyone in `ranks` waits for `gate` at once (after one admission that fills it); the
    ranks in the order they were admitted."""
    await gate.acquire()  # the slot is taken: everyone below must wait
    order: list[int] = []

    async def wait(rank: int) -> None:
        await gate.acquire(rank)
        order.append(rank)

    await asyncio.gather(*(wait(rank) for rank in ranks))
    return order


async def test_answers_go_first_but_within_their_share_while_deliveries_wait() -> None:
    gate = PriorityGate(1, 3000.0, share=0.1)  # a slot every 1/3 ms: no test waits long
    order = await admission_order(gate, [ANSWER] * 50 + list(range(100)))
    assert order[0] == ANSWER  # an answer goes first ...
    first_100 = order[:100]
    # ... but while deliveries wait, answers take one slot in ten, however many wait (counted
    # in slots: a loaded event loop changes nothing; one more may go before deliveries queue)
    assert 10 <= first_100.count(ANSWER) <= 11
    assert order[-1] == ANSWER  # once no delivery waits, the answers take every slot
    deliveries = [rank for rank in order if rank != ANSWER]
    assert deliveries == sorted(deliveries)  # and deliveries keep their rank order


async def test_answers_alone_are_not_held_to_a_share() -> None:
    gate = PriorityGate(1, 3000.0, share=0.1)
    await admission_order(gate, [ANSWER] * 30)
    assert gate._credit == 1.0  # never spent: no delivery was waiting


async def test_an_answer_goes_ahead_of_a_delivery_in_its_chat() -> None:
    pacer = Pacer(RATE_LIMITS, time_scale=SCALE)
    gate = pacer._chat_limiter("telegram", "42", "dm", RATE_LIMITS["telegram"])
    await gate.acquire()
    await gate.acquire()  # a private chat's burst of two is used up
    assert await admission_order(gate, [0, 0, ANSWER]) == [ANSWER, 0, 0]


def test_a_share_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        PriorityGate(1, 30.0, share=0)


async def test_after_a_stall_the_next_slot_waits_an_interval_more() -> None:
    """The message admitted before the event loop stalled went out at its end: the next one
    must not follow it at once (the fake's window would hold one too many)."""
    gate = PriorityGate(1, 1000.0, hold_after_stall=True)
    await gate.acquire()
    waiter = asyncio.ensure_future(gate.acquire())
    await asyncio.sleep(0)
    time.sleep(0.05)  # noqa: ASYNC251  (the loop is blocked: the timer fires 49 ms late)
    started = asyncio.get_running_loop().time()
    await waiter
    assert asyncio.get_running_loop().time() - started >= gate.interval * 0.9
