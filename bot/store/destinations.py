"""The `DestinationStore` port on the tinydb backend: tables "channels" (the opted-in channels,
keyed "telegram:-100123:7") and "destination_settings" (keyed by the destination's ledger key,
"telegram:dm:42" or "slack:C1")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.core.ports import DestinationSettings, OptedIn
from bot.store.subscriptions import utcnow
from bot.store.tinydb import Doc, Store

CHANNELS = "channels"
SETTINGS = "destination_settings"


class Destinations:
    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.store = store
        self.channels = store.table(CHANNELS)
        self.settings_table = store.table(SETTINGS)
        self.clock = clock

    async def opt_in(self, platform: str, chat: str, by: str) -> bool:
        key = f"{platform}:{chat}"
        if self.channels.get(key) is not None:
            return False
        since = self.clock().isoformat()
        self.channels.put(key, {"platform": platform, "chat": chat, "by": by, "since": since})
        await self.store.commit()
        return True

    async def opt_out(self, platform: str, chat: str) -> bool:
        key = f"{platform}:{chat}"
        removed = self.channels.delete(key)
        forgot = self.settings_table.delete(key)
        if removed or forgot:
            await self.store.commit()
        return removed

    async def opted_in(self, platform: str | None = None) -> list[OptedIn]:
        found = [_opted(doc) for doc in self.channels]
        found = [o for o in found if platform is None or o.platform == platform]
        return sorted(found, key=lambda o: (o.since, o.key))

    async def channel(self, platform: str, chat: str) -> OptedIn | None:
        doc = self.channels.get(f"{platform}:{chat}")
        return None if doc is None else _opted(doc)

    async def settings(self, key: str) -> DestinationSettings:
        doc = self.settings_table.get(key)
        return DestinationSettings() if doc is None else _settings(doc)

    async def set_settings(self, key: str, settings: DestinationSettings) -> None:
        if settings == DestinationSettings():
            self.settings_table.delete(key)
        else:
            self.settings_table.put(
                key, {"time": settings.time, "zone": settings.zone, "language": settings.language}
            )
        await self.store.commit()

    async def all_settings(self) -> dict[str, DestinationSettings]:
        return {doc["key"]: _settings(doc) for doc in self.settings_table}


def _opted(doc: Doc) -> OptedIn:
    return OptedIn(doc["platform"], doc["chat"], doc.get("by", ""), doc.get("since", ""))


def _settings(doc: Doc) -> DestinationSettings:
    return DestinationSettings(doc.get("time"), doc.get("zone"), doc.get("language"))
