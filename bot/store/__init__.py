"""What the bot remembers, behind the core's store ports: one `Backend` (backend.py) on the
tinydb file (the embedded default, with the data-file lock that lets one process own it) or on
PostgreSQL (postgres/, when DATABASE_URL is set). The tinydb classes are exported here."""

from bot.store.tinydb.ledger import Ledger
from bot.store.tinydb.runs import RunLog
from bot.store.tinydb.snapshot import Store, StoreCorrupt
from bot.store.tinydb.subscriptions import Subscriptions

__all__ = ["Ledger", "RunLog", "Store", "StoreCorrupt", "Subscriptions"]
