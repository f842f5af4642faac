"""The store as one object: the ports the core uses and Slack's installations, on one engine,
and how to close it.

Two backends implement it: tinydb (the embedded default, `open_tinydb`) and PostgreSQL
(`bot.store.postgres.backend.open_postgres`, selected by `DATABASE_URL` in the composition root).
Both pass the one contract suite in tests/store/test_contract.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bot.core.approvals import ApprovalStore
from bot.core.audit import KEEP_DAYS, AuditLog
from bot.core.delivery.ports import PostRequests, RunRecord
from bot.core.feedback import FeedbackStore
from bot.core.ports import DestinationStore, InboundClaims, SubscriptionStore
from bot.core.ports import Ledger as LedgerPort
from bot.core.privacy import ReaderData
from bot.core.runs import DeliveryHistory, ReportChoices
from bot.store.common import InstallationStore
from bot.store.tinydb.approvals import Approvals
from bot.store.tinydb.audit import Audit
from bot.store.tinydb.claims import Claims
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.feedback import Feedback
from bot.store.tinydb.history import History
from bot.store.tinydb.history import ReportChoices as TinyReportChoices
from bot.store.tinydb.installations import Installations
from bot.store.tinydb.ledger import Ledger
from bot.store.tinydb.privacy import TinyReaders
from bot.store.tinydb.runs import RunLog
from bot.store.tinydb.snapshot import Store
from bot.store.tinydb.subscriptions import Subscriptions, nothing


class Backend(Protocol):
    name: str

    @property
    def subscriptions(self) -> SubscriptionStore: ...

    @property
    def destinations(self) -> DestinationStore: ...

    @property
    def ledger(self) -> LedgerPort: ...

    @property
    def runs(self) -> RunRecord: ...

    @property
    def claims(self) -> InboundClaims: ...

    @property
    def approvals(self) -> ApprovalStore:
        """Approvals before release and the editors' notices given once (bot/core/approvals.py)."""
        ...

    @property
    def history(self) -> DeliveryHistory: ...

    @property
    def report_choices(self) -> ReportChoices: ...

    @property
    def feedback(self) -> FeedbackStore: ...

    @property
    def post_requests(self) -> PostRequests | None:
        """Where a standby replica's `/post` goes; None where only one process may run."""
        ...

    async def refresh(self) -> None:
        """Read again what the ports answer from memory, as another process may have written
        it (a replica that becomes the leader)."""
        ...

    @property
    def installations(self) -> InstallationStore: ...

    async def ping(self) -> None:
        """Return if the store answers now; raise (`StoreUnreachable`) if not (`/readyz`)."""
        ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def readers(self) -> ReaderData:
        """What the store holds about one reader (`/mydata`), and deleting it (`/forget`)."""
        ...

    async def watch_times(self, changed: Callable[[], None]) -> None:
        """Call `changed()` whenever the delivery times in use may have changed (a time set or
        forgotten, an opt-out, a subscription of a reader with a time), by this process or
        another replica, until cancelled: what the leader's scheduler waits on."""
        ...

    async def close(self) -> None: ...


class TinyBackend:
    """The tinydb file, its journal, and the ports over it; one process owns it (the data
    lock), so nothing is ever written behind its back and there is no replica to hand to."""

    name = "tinydb"
    post_requests = None

    def __init__(self, store: Store, audit_days: int = KEEP_DAYS) -> None:
        self.store = store
        self.subscriptions = Subscriptions(store)
        self.destinations = Destinations(store)
        self.ledger = Ledger(store)
        self.runs = RunLog(store)
        self.installations = Installations(store)
        self.claims = Claims(store)
        self.approvals = Approvals(store)
        self.history = History(store)
        self.report_choices = TinyReportChoices(store)
        self.feedback = Feedback(store)
        self.audit = Audit(store, audit_days)
        self.readers = TinyReaders(store, self.subscriptions, self.destinations, self.ledger)

    async def refresh(self) -> None:
        pass

    async def ping(self) -> None:
        """The file is read into memory and written by this process only: it always answers."""

    async def watch_times(self, changed: Callable[[], None]) -> None:
        """Only this process writes the file: its own writes call `changed`."""
        self.subscriptions.changed = self.destinations.changed = changed
        try:
            await asyncio.get_running_loop().create_future()  # until cancelled
        finally:
            self.subscriptions.changed = self.destinations.changed = nothing

    async def close(self) -> None:
        await self.store.close()


def open_tinydb(path: Path, *, read_only: bool = False, audit_days: int = KEEP_DAYS) -> TinyBackend:
    return TinyBackend(Store.open(path, fold=not read_only), audit_days)
