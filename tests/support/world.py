"""The conversation over a real store backend (tinydb or PostgreSQL): what the tests of the
audit log and of a reader's own data talk to."""

from __future__ import annotations

from bot.content.loader import Content
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.inbound import Reply
from bot.core.conversation.service import CommandService
from bot.core.delivery.engine import DeliveryEngine
from bot.core.destination import DeliveryTime
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform
from bot.store.backend import Backend

ADMINS = frozenset({"fake:operator"})


class World:
    """The service over a real backend (tinydb or PostgreSQL), a recording platform where
    "boss" administers chat G1 (and reader 7712345678 chat G2), and "operator" in `[bot] admins`."""

    def __init__(self, store: Backend, content: Content) -> None:
        self.store = store
        self.platform = RecordingPlatform(admins={("G1", "boss"), ("G2", "7712345678")})
        platforms = PlatformRegistry(self.platform)
        engine = DeliveryEngine(
            content=lambda: content, channels={}, platforms=platforms,
            subscriptions=store.subscriptions, ledger=store.ledger, pacer=OpenPacer(),
            clock=FakeClock(auto_advance=True), progress_every=None,
            destinations=store.destinations,
        )  # fmt: skip
        policy = DestinationPolicy(
            store.destinations, store.subscriptions, platforms, ledger=store.ledger,
            default=DeliveryTime("08:30", "Asia/Seoul"), admins=ADMINS,
            issues=lambda: content.archive.numbers,
        )  # fmt: skip
        self.service = CommandService(
            LiveContent(content, lambda: content), store.subscriptions, platforms,
            admins=ADMINS, deliverer=engine, policy=policy, audit=store.audit,
            readers=store.readers,
        )  # fmt: skip

    async def ask(self, line: str, *, chat: str = "G1", user: str = "boss") -> Reply:
        name, _, argument = line.lstrip("/").partition(" ")
        dm = chat.startswith("dm")
        command = Command("fake", chat, user, name, argument, is_dm=dm,
                          dm_chat=chat if dm else None)  # fmt: skip
        return await self.service.handle(command)

    async def press(self, data: object, *, chat: str, user: str) -> Reply:
        """A button press (its untrusted `data`) by `user`, as an adapter hands it over."""
        dm = chat.startswith("dm")
        return await self.service.press(data, Command("fake", chat, user, "press", is_dm=dm))
