"""A reader's own data on PostgreSQL (the core's `ReaderData` port): every kind of record
(bot/store/kinds.py) searched for theirs by its columns. `/forget` goes through the ports first
(their NOTIFYs tell the leader that a delivery time is no longer in use), then deletes whatever
record of theirs is left in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.ports import DestinationSettings, DestinationStore, SubscriptionStore
from bot.core.privacy import Held, Reader
from bot.store.kinds import KINDS, Kind, normal, reader_values

if TYPE_CHECKING:
    from bot.store.memory_ledger import MemoryLedger
    from bot.store.postgres.pool import Pool


def _where(wanted: dict[str, str], n: int = 0) -> str:
    return " AND ".join(f"{column} = %({column}_{n})s" for column in wanted)


def _params(wanted: dict[str, str], n: int = 0) -> dict[str, str]:
    return {f"{column}_{n}": value for column, value in wanted.items()}


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
        return reader_values(reader.platform, reader.user, chat)

    async def held(self, reader: Reader) -> Held:
        values = await self._values(reader)
        found: Held = {}
        for kind in KINDS:
            ways = kind.mine(values)
            if not ways:
                continue
            params = {
                f"{c}_{n}": v for n, (_, wanted) in enumerate(ways) for c, v in wanted.items()
            }
            anyway = " OR ".join(f"({_where(wanted, n)})" for n, (_, wanted) in enumerate(ways))
            sql = f"SELECT {', '.join(kind.columns)} FROM {kind.table} WHERE {anyway}"
            rows = [_record(kind, row) for row in await self.pool.query(sql, params)]
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
                for match, wanted in kind.mine(values):
                    if match.blank is not None:
                        sql = (
                            f"UPDATE {kind.table} SET {match.blank} = %(to)s WHERE {_where(wanted)}"
                        )
                        await conn.execute(sql, {**_params(wanted), "to": match.to})
                    else:
                        sql = f"DELETE FROM {kind.table} WHERE {_where(wanted)}"
                        await conn.execute(sql, _params(wanted))
        return {kind: len(rows) for kind, rows in held.items()}
