"""The delivery engine's bench: one data file, reopened for every new engine as a restarted
process would, sending to a recording platform that can be scripted send by send."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import Content
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.retry import RetryPolicy
from bot.core.model.messages import Message, MessageRef
from bot.core.model.render import issue_thread
from bot.core.model.termlinks import TermLinker
from bot.core.platforms import PlatformRegistry
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform, Sent
from bot.store import Ledger, Store, Subscriptions

PARTS = 11  # issue 1: the parent and ten replies


@dataclass
class Scripted(RecordingPlatform):
    """A recording platform that runs `before[n]` / `after[n]` around its n-th send (1-based)."""

    before: dict[int, Callable[[], object]] = field(default_factory=dict)
    after: dict[int, BaseException] = field(default_factory=dict)
    calls: int = 0

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        self.calls += 1
        hook = self.before.pop(self.calls, None)
        if hook is not None:
            result = hook()
            if asyncio.iscoroutine(result):
                await result
        ref = await super().send(chat, message, reply_to=reply_to)
        if self.calls in self.after:
            raise self.after.pop(self.calls)
        return ref


class Bench:
    """One data file, reopened for every new engine as a restarted process would."""

    def __init__(self, path: Path, content: Content, platform: RecordingPlatform) -> None:
        self.path, self.content, self.platform = path, content, platform
        self.clock = FakeClock(auto_advance=True)
        self.channels = ["C1", "C2"]

    def engine(self, **options: object) -> DeliveryEngine:
        store = Store.open(self.path)
        self.subscriptions = Subscriptions(store, clock=self.clock.now)
        self.ledger = Ledger(store)
        settings: dict[str, object] = {
            "content": lambda: self.content,
            "channels": {"fake": self.channels},
            "platforms": PlatformRegistry(self.platform),
            "subscriptions": self.subscriptions,
            "ledger": self.ledger,
            "pacer": OpenPacer(),
            "clock": self.clock,
            "policy": RetryPolicy(base_delay=1.0),
            "progress_every": None,
        }
        return DeliveryEngine(**(settings | options))  # type: ignore[arg-type]

    def thread(self, chat: str) -> list[Sent]:
        return self.platform.to(chat)


def assert_one_complete_thread(bench: Bench, chat: str) -> None:
    sent = bench.thread(chat)
    hints = TermLinker("fake", bench.content.glossary, PlatformRegistry(), "ko")  # /term hints
    issue = bench.content.archive.get(1)
    expected = issue_thread(issue, "ko", None, hints.after).messages  # type: ignore[arg-type]
    assert [s.message for s in sent] == list(expected)
    assert sent[0].reply_to is None
    assert all(s.reply_to == sent[0].ref for s in sent[1:])
