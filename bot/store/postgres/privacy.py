"""A reader's own data on PostgreSQL (the core's `ReaderData` port): every kind of record
(bot/store/kinds.py) searched for theirs by its columns. `/forget` goes through the ports first
(their NOTIFYs tell the leader that a delivery time is no longer in use), then deletes whatever
record of theirs is left in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.ports import DestinationSettings, DestinationStore, SubscriptionStore
from bot.core.privacy import Held, Reader
from bot.store.kinds import KINDS, Kind, normal

if TYPE_CHECKING:
    from bot.store.memory_ledger import MemoryLedger
    from bot.store.postgres.pool import Pool


def _where(wanted: dict[str, str]) -> str:
    return " AND ".join(f"{column} = %({column})s" for column in wanted)


def _record(kind: Kind, row: tuple[Any, ...]) -> dict[str, Any]:
    return normal(kind, dict(zip(kind.columns, row, strict=True)))


class PgReaders:
    def __init__(
        self,
        pool: Pool,
        subscriptions: SubscriptionStore,
        destinations: DestinationStore,
        ledger: MemoryLedger,
    ) -> None:
        self.pool, self.subscriptions = pool, subscriptions
        self.destinations, self.ledger = destinations, ledger

    async def _values(self, reader: Reader) -> dict[str, str | None]:
        rows = await self.pool.query(
            "SELECT chat FROM subscriptions WHERE platform = %s AND user_id = %s",
            (reader.platform, reader.user),
        )
        chat = rows[0][0] if rows else reader.dm
        return {"platform": reader.platform, "user": reader.user, "dm": reader.key, "chat": chat}

    async def held(self, reader: Reader) -> Held:
        values = await self._values(reader)
        found: Held = {}
        for kind in KINDS:
            wanted = kind.mine(values)
            if wanted is None:
                continue
            sql = f"SELECT {', '.join(kind.columns)} FROM {kind.table} WHERE {_where(wanted)}"
            rows = [_record(kind, row) for row in await self.pool.query(sql, wanted)]
            if rows:
                found[kind.name] = rows
        return found

    async def forget(self, reader: Reader) -> dict[str, int]:
        values = await self._values(reader)
        held = await self.held(reader)
        await self.subscriptions.unsubscribe(reader.platform, reader.user)
        await self.destinations.set_settings(reader.key, DestinationSettings())
        self.ledger.drop(reader.key)
        async with self.pool.connection() as conn, conn.transaction():
            for kind in KINDS:
                wanted = kind.mine(values)
                if wanted is None:
                    continue
                if kind.blank is not None:
                    sql = f"UPDATE {kind.table} SET {kind.blank} = '' WHERE {_where(wanted)}"
                else:
                    sql = f"DELETE FROM {kind.table} WHERE {_where(wanted)}"
                await conn.execute(sql, wanted)
        return {kind: len(rows) for kind, rows in held.items()}
