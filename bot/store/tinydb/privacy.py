"""A reader's own data on the tinydb backend (the core's `ReaderData` port): every kind of
record (bot/store/kinds.py) searched for theirs. `/forget` goes through the ports first (so what
they keep in memory, the delivery times in use and the ledger's view, follows), then deletes
whatever record of theirs is left, in one commit."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.ports import DestinationSettings
from bot.core.privacy import Held, Reader
from bot.store.kinds import KINDS, Kind, Match, Row, normal, reader_values
from bot.store.memory_ledger import MemoryLedger
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.snapshot import Doc, Store
from bot.store.tinydb.subscriptions import Subscriptions

Values = dict[str, str | None]


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

    def _values(self, reader: Reader) -> Values:
        sub = self.subscriptions.table.get(f"{reader.platform}:{reader.user}")
        chat = sub["chat"] if sub is not None else reader.dm
        return reader_values(reader.platform, reader.user, chat)

    def _theirs(self, kind: Kind, values: Values) -> Iterator[tuple[Doc, Row, Match]]:
        """Each of the reader's documents of `kind`, its record and how it was found."""
        ways = kind.mine(values)
        for doc in list(self.store.table(kind.tiny)) if ways else ():
            row = kind.row(doc)
            if row is None:
                continue
            for match, wanted in ways:
                if all(str(row.get(c)) == v for c, v in wanted.items()):
                    yield doc, row, match
                    break

    async def held(self, reader: Reader) -> Held:
        values = self._values(reader)
        found: Held = {}
        for kind in KINDS:
            rows = [normal(kind, row) for _, row, _ in self._theirs(kind, values)]
            if rows:
                found[kind.name] = rows
        return found

    async def forget(self, reader: Reader) -> dict[str, int]:
        values = self._values(reader)  # their DM chat, read before the subscription goes
        held = await self.held(reader)
        await self.subscriptions.unsubscribe(reader.platform, reader.user)
        await self.destinations.set_settings(reader.key, DestinationSettings())
        self.ledger.drop(reader.key)
        for kind in KINDS:
            table = self.store.table(kind.tiny)
            for doc, row, _ in self._theirs(kind, values):
                kept = {**row}
                for match, wanted in kind.mine(values):
                    if match.blank and all(str(row.get(c)) == v for c, v in wanted.items()):
                        kept[match.blank] = match.to
                table.delete(doc["key"])
                if kept != row:  # kept without their name
                    table.put(*kind.doc(kept))
        await self.store.commit()
        return {kind: len(rows) for kind, rows in held.items()}
