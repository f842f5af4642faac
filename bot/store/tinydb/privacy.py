"""A reader's own data on the tinydb backend (the core's `ReaderData` port): every kind of
record (bot/store/kinds.py) searched for theirs. `/forget` goes through the ports first (so what
they keep in memory, the delivery times in use and the ledger's view, follows), then deletes
whatever record of theirs is left, in one commit."""

from __future__ import annotations

from bot.core.ports import DestinationSettings
from bot.core.privacy import Held, Reader
from bot.store.kinds import KINDS, normal
from bot.store.memory_ledger import MemoryLedger
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.snapshot import Store
from bot.store.tinydb.subscriptions import Subscriptions


class TinyReaders:
    def __init__(
        self,
        store: Store,
        subscriptions: Subscriptions,
        destinations: Destinations,
        ledger: MemoryLedger,
    ) -> None:
        self.store, self.subscriptions = store, subscriptions
        self.destinations, self.ledger = destinations, ledger

    def _values(self, reader: Reader) -> dict[str, str | None]:
        sub = self.subscriptions.table.get(f"{reader.platform}:{reader.user}")
        chat = sub["chat"] if sub is not None else reader.dm
        return {"platform": reader.platform, "user": reader.user, "dm": reader.key, "chat": chat}

    async def held(self, reader: Reader) -> Held:
        values = self._values(reader)
        found: Held = {}
        for kind in KINDS:
            wanted = kind.mine(values)
            if wanted is None:
                continue
            rows = [normal(kind, row) for doc in self.store.table(kind.tiny)
                    if (row := kind.row(doc)) is not None
                    and all(str(row.get(c)) == v for c, v in wanted.items())]  # fmt: skip
            if rows:
                found[kind.name] = rows
        return found

    async def forget(self, reader: Reader) -> dict[str, int]:
        held = await self.held(reader)
        await self.subscriptions.unsubscribe(reader.platform, reader.user)
        await self.destinations.set_settings(reader.key, DestinationSettings())
        self.ledger.drop(reader.key)
        values = self._values(reader) | {"chat": _chat(held, reader)}
        for kind in KINDS:
            wanted = kind.mine(values)
            if wanted is None:
                continue
            table = self.store.table(kind.tiny)
            for doc in list(table):
                row = kind.row(doc)
                if row is None or any(str(row.get(c)) != v for c, v in wanted.items()):
                    continue
                if kind.blank is not None:
                    table.put(*kind.doc({**row, kind.blank: ""}))
                else:
                    table.delete(doc["key"])
        await self.store.commit()
        return {kind: len(rows) for kind, rows in held.items()}


def _chat(held: Held, reader: Reader) -> str | None:
    """Their DM chat: the subscription's (read before it was deleted), else the platform's."""
    subs = held.get("subscriptions", [])
    return str(subs[0]["chat"]) if subs else reader.dm
