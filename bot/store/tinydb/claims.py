"""The `InboundClaims` port on the tinydb backend (table "inbound"): one process owns the file,
so this only keeps a restarted bot from answering an event twice (a Telegram update answered
but not yet confirmed when the process stopped comes again). A claim is not a commit of its own
(an fsync before every answer would cost every command its latency): it rides on the next
commit of the file (a subscription, a ledger write, the fold at shutdown). Claims older than
`KEEP` are pruned now and then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.store.common import KEEP, PRUNE_EVERY, utcnow
from bot.store.tinydb.snapshot import Store

INBOUND = "inbound"


class Claims:
    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.store = store
        self.table = store.table(INBOUND)
        self.clock = clock
        self._claims = 0

    async def claim(self, key: str) -> bool:
        if self.table.get(key) is not None:
            return False
        now = self.clock()
        if self._claims % PRUNE_EVERY == 0:
            self._prune(now - KEEP)
        self._claims += 1
        self.table.put(key, {"at": now.isoformat()})  # durable with the next commit
        return True

    def _prune(self, before: dt.datetime) -> None:
        old = [doc["key"] for doc in self.table if dt.datetime.fromisoformat(doc["at"]) < before]
        for key in old:
            self.table.delete(key)
