"""Readers completed in turn: a fan-out through the real pacer (compressed time) to 100 Telegram
private chats finishes each reader's thread before readers further down start theirs, oldest
subscription first, never faster than the fake Telegram's flood limits. Every assertion is on
the order (and times) of what the recording platform received, none on how long it took."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.adapters.infra.pacing import Pacer
from bot.adapters.telegram.render import BUDGET as TELEGRAM_BUDGET
from bot.app import RATE_LIMITS
from bot.content.loader import Content
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.ports import Pacer as PacerPort
from bot.core.model.messages import Message, MessageRef
from bot.core.model.packing import Packing
from bot.core.platforms import PlatformRegistry
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform
from bot.store import Ledger, Store, Subscriptions
from tests.fakes.telegram_api import _Chat, _FloodControl

SCALE = 10.0  # as tests/adapters/infra/test_pacing.py
READERS = 100


@dataclass
class Timed(RecordingPlatform):
    """A recording Telegram: also when (time.monotonic) each message arrived."""

    name: str = "telegram"
    times: list[float] = field(default_factory=list)

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        self.times.append(time.monotonic())
        return await super().send(chat, message, reply_to=reply_to)


async def fan_out(tmp_path: Path, content: Content, pacer: PacerPort) -> tuple[Timed, list[str]]:
    """Issue 1, packed, to READERS private chats subscribed in a shuffled order; the platform,
    and the chats oldest subscription first."""
    clock = FakeClock(auto_advance=True)
    store = Store.open(tmp_path / "briefing.json")
    subscriptions = Subscriptions(store, clock=clock.now)
    chats = [str(1000 + n) for n in range(READERS)]
    random.Random(18).shuffle(chats)  # so that neither chat id nor user id gives the order
    for chat in chats:
        await subscriptions.subscribe("telegram", f"u{chat}", chat)
        clock.elapsed += 60  # a minute between subscriptions
    clock.elapsed += timedelta(days=1).total_seconds()
    platform = Timed()
    engine = DeliveryEngine(
        content=lambda: content, channels={"telegram": []}, platforms=PlatformRegistry(platform),
        subscriptions=subscriptions, ledger=Ledger(store), pacer=pacer, clock=clock,
        concurrency=96, progress_every=None, packing={"telegram": Packing(TELEGRAM_BUDGET)},
    )  # fmt: skip
    report = await engine.deliver(1)
    assert report.sent == len(platform.sent) and report.failed == 0
    return platform, chats


async def test_each_reader_gets_a_rank_oldest_subscription_first(
    tmp_path: Path, content: Content
) -> None:
    pacer = OpenPacer()
    platform, oldest_first = await fan_out(tmp_path, content, pacer)
    parts = len(platform.to(oldest_first[0]))
    assert [pacer.ranks[chat] for chat in oldest_first] == [[n] * parts for n in range(READERS)]


async def test_readers_are_completed_in_turn_within_the_flood_limits(
    tmp_path: Path, content: Content
) -> None:
    platform, oldest_first = await fan_out(tmp_path, content, Pacer(RATE_LIMITS, time_scale=SCALE))
    flood, chats = _FloodControl(SCALE), {c: _Chat(int(c), "private") for c in oldest_first}
    for sent, at in zip(platform.sent, platform.times, strict=True):
        assert flood.check(chats[sent.chat], at) == 0, f"{sent.chat} would get a 429 at {at}"
    order = [sent.chat for sent in platform.sent]
    first = {chat: order.index(chat) for chat in oldest_first}
    last = {chat: len(order) - 1 - order[::-1].index(chat) for chat in oldest_first}
    # oldest subscription first: the readers start in that order, bar a rare near neighbour
    # (a worker's ledger commit runs in a thread and may finish after the next reader's)
    started = sorted(oldest_first, key=first.__getitem__)
    places = {chat: n for n, chat in enumerate(started)}
    assert all(abs(places[chat] - n) <= 2 for n, chat in enumerate(oldest_first))
    # in turn: the median reader has the whole issue early, not near the end as in FIFO
    completed = sorted(last.values())
    assert completed[READERS // 2] < 0.6 * len(order)
    assert max(last[c] for c in oldest_first[: READERS // 2]) < 0.6 * len(order)
