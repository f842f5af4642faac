"""What the bot remembers, behind the core's store ports: one `Backend` (backend.py) on the
tinydb file (the embedded default, with the data-file lock that lets one process own it) or on
PostgreSQL (postgres.py, when DATABASE_URL is set). The tinydb classes are exported here."""

from bot.store.ledger import Ledger
from bot.store.runs import RunLog
from bot.store.subscriptions import Subscriptions
from bot.store.tinydb import Store, StoreCorrupt

__all__ = ["Ledger", "RunLog", "Store", "StoreCorrupt", "Subscriptions"]
