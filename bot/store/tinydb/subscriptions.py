"""The `SubscriptionStore` port on the tinydb backend (table "subscriptions"). A reader's
delivery time counts only while they are subscribed, so `changed` is called after a subscription
of a reader with a time of their own (table "destination_settings") starts or ends
(`TinyBackend.watch_times`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.core.ports import Subscriber
from bot.store.common import utcnow
from bot.store.tinydb.snapshot import Store

SUBSCRIPTIONS = "subscriptions"
SETTINGS = "destination_settings"  # bot/store/tinydb/destinations.py


def nothing() -> None:
    """The `changed` hook of a store nobody watches."""


class Subscriptions:
    """The `SubscriptionStore` port on top of `Store`."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.store = store
        self.table = store.table(SUBSCRIPTIONS)
        self.settings = store.table(SETTINGS)
        self.clock = clock
        self.changed: Callable[[], None] = nothing

    @staticmethod
    def key(platform: str, user: str) -> str:
        return f"{platform}:{user}"

    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        key = self.key(platform, user)
        existing = self.table.get(key)
        if existing is not None and existing.get("chat") == chat:
            return False
        since = existing["since"] if existing else self.clock().isoformat()
        self.table.put(key, {"platform": platform, "user": user, "chat": chat, "since": since})
        await self.store.commit()
        if existing is None:
            self._changed(platform, user)
        return existing is None

    async def unsubscribe(self, platform: str, user: str) -> bool:
        removed = self.table.delete(self.key(platform, user))
        if removed:
            await self.store.commit()
            self._changed(platform, user)
        return removed

    def _changed(self, platform: str, user: str) -> None:
        """A subscription started or ended: a change of the times in use if they have one."""
        chosen = self.settings.get(f"{platform}:dm:{user}")
        if chosen is not None and chosen.get("time"):
            self.changed()

    async def is_subscribed(self, platform: str, user: str) -> bool:
        return self.table.get(self.key(platform, user)) is not None

    async def subscribers(self, platform: str | None = None) -> list[Subscriber]:
        return [
            Subscriber(doc["platform"], doc["user"], doc["chat"], doc.get("since", ""))
            for doc in self.table
            if platform is None or doc["platform"] == platform
        ]

    async def count(self) -> int:
        return len(self.table)
