"""The store as one object: the ports the core uses and Slack's installations, on one engine,
and how to close it.

Two backends implement it: tinydb (the embedded default, `open_tinydb`) and PostgreSQL
(`bot.store.postgres.open_postgres`, selected by `DATABASE_URL` in the composition root).
Both pass the one contract suite in tests/store/test_contract.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.core.ports import Ledger as LedgerPort
from bot.core.ports import RunRecord, SubscriptionStore
from bot.store.installations import Installations, InstallationStore
from bot.store.ledger import Ledger
from bot.store.runs import RunLog
from bot.store.subscriptions import Subscriptions
from bot.store.tinydb import Store


class StoreUnavailable(Exception):
    """The store cannot be opened (an unreachable database, a schema newer than this bot)."""


class Backend(Protocol):
    name: str

    @property
    def subscriptions(self) -> SubscriptionStore: ...

    @property
    def ledger(self) -> LedgerPort: ...

    @property
    def runs(self) -> RunRecord: ...

    @property
    def installations(self) -> InstallationStore: ...

    async def close(self) -> None: ...


class TinyBackend:
    """The tinydb file, its journal, and the three ports over it."""

    name = "tinydb"

    def __init__(self, store: Store) -> None:
        self.store = store
        self.subscriptions = Subscriptions(store)
        self.ledger = Ledger(store)
        self.runs = RunLog(store)
        self.installations = Installations(store)

    async def close(self) -> None:
        await self.store.close()


def open_tinydb(path: Path, *, read_only: bool = False) -> TinyBackend:
    return TinyBackend(Store.open(path, fold=not read_only))
