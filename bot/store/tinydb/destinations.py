"""The `DestinationStore` port on the tinydb backend: tables "channels" (the opted-in channels,
keyed "telegram:-100123:7") and "destination_settings" (keyed by the destination's ledger key,
"telegram:dm:42" or "slack:C1").

The delivery times in use are kept in memory, each with the destinations at it, so the
scheduler's read costs the number of distinct times, not of destinations; a reader's time counts
only while they are subscribed (the "subscriptions" table). `changed` is called after every
write that may change them (`TinyBackend.watch_times`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from bot.core.destination import Destination
from bot.core.ports import DestinationSettings, OptedIn
from bot.store.common import utcnow
from bot.store.tinydb.snapshot import Doc, Store
from bot.store.tinydb.subscriptions import SETTINGS, SUBSCRIPTIONS, nothing

CHANNELS = "channels"


class Destinations:
    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.store = store
        self.channels = store.table(CHANNELS)
        self.settings_table = store.table(SETTINGS)
        self.subscriptions = store.table(SUBSCRIPTIONS)
        self.clock = clock
        self.changed: Callable[[], None] = nothing
        # the destinations at each chosen (time, zone): the scheduler reads it often
        self._times: defaultdict[tuple[str, ...], set[str]] = defaultdict(set)
        for doc in self.settings_table:
            if doc.get("time"):
                self._times[_time(doc)].add(doc["key"])

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
        timed = self._forget_time(key)
        forgot = self.settings_table.delete(key)
        if removed or forgot:
            await self.store.commit()
        if timed:
            self.changed()
        return removed

    async def opted_in(self, platform: str | None = None) -> list[OptedIn]:
        found = [_opted(doc) for doc in self.channels]
        found = [o for o in found if platform is None or o.platform == platform]
        return sorted(found, key=lambda o: (o.since, Destination(o.platform, o.chat).key))

    async def channel(self, platform: str, chat: str) -> OptedIn | None:
        doc = self.channels.get(f"{platform}:{chat}")
        return None if doc is None else _opted(doc)

    async def settings(self, key: str) -> DestinationSettings:
        doc = self.settings_table.get(key)
        return DestinationSettings() if doc is None else _settings(doc)

    async def set_settings(self, key: str, settings: DestinationSettings) -> None:
        old = self._forget_time(key)
        new = _chosen_time(settings.time, settings.zone, settings.weekly)
        if new is not None:
            self._times[new].add(key)
        if settings == DestinationSettings():
            self.settings_table.delete(key)
        else:
            chosen: dict[str, object] = {
                "time": settings.time,
                "zone": settings.zone,
                "language": settings.language,
            }
            if settings.muted or settings.weekly:
                chosen |= {"muted": list(settings.muted), "weekly": settings.weekly}
            self.settings_table.put(key, chosen)
        await self.store.commit()
        if old != new:
            self.changed()

    async def delivery_times(self) -> set[tuple[str, ...]]:
        return {chosen for chosen, keys in self._times.items() if any(map(self._receives, keys))}

    def _receives(self, key: str) -> bool:
        """A channel's settings go with its opt-in; a reader's time counts while subscribed."""
        where = Destination.parse(key)
        return (
            where.user is None
            or self.subscriptions.get(f"{where.platform}:{where.user}") is not None
        )

    def _forget_time(self, key: str) -> tuple[str, ...] | None:
        """Take `key` off the time it was at; that time, if it had one."""
        old = self.settings_table.get(key)
        if old is None or not old.get("time"):
            return None
        chosen = _time(old)
        self._times[chosen].discard(key)
        if not self._times[chosen]:
            del self._times[chosen]
        return chosen

    async def all_settings(self) -> dict[str, DestinationSettings]:
        return {doc["key"]: _settings(doc) for doc in self.settings_table}


def _time(doc: Doc) -> tuple[str, ...]:
    chosen = _chosen_time(doc["time"], doc.get("zone"), doc.get("weekly"))
    assert chosen is not None
    return chosen


def _chosen_time(time: str | None, zone: str | None, weekly: str | None) -> tuple[str, ...] | None:
    """(time, zone) daily, (time, zone, day) weekly; None without a time of its own."""
    if not time:
        return None
    return (time, zone or "", weekly) if weekly else (time, zone or "")


def _opted(doc: Doc) -> OptedIn:
    return OptedIn(doc["platform"], doc["chat"], doc.get("by", ""), doc.get("since", ""))


def _settings(doc: Doc) -> DestinationSettings:
    return DestinationSettings(
        doc.get("time"), doc.get("zone"), doc.get("language"), tuple(doc.get("muted") or ()),
        doc.get("weekly"),
    )  # fmt: skip
