"""What the bot remembers, behind the core's store ports: the tinydb backend (the embedded
default), with the data-file lock that lets one process own it."""

from bot.store.ledger import Ledger
from bot.store.runs import RunLog
from bot.store.subscriptions import Subscriptions
from bot.store.tinydb import Store, StoreCorrupt

__all__ = ["Ledger", "RunLog", "Store", "StoreCorrupt", "Subscriptions"]
