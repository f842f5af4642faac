"""A reader's own data, as the store holds it: the port behind `/mydata` (what is stored about
them) and `/forget` (delete all of it). The store answers from its one table of record kinds
(bot/store/kinds.py), so a kind another feature adds is listed and forgotten with the rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# kind ("subscriptions") → the records of it about one reader, as column → value
Held = dict[str, list[dict[str, object]]]


@dataclass(frozen=True, slots=True)
class Reader:
    platform: str
    user: str
    dm: str | None = None  # the chat of their DMs with the bot, where the platform said

    @property
    def key(self) -> str:
        """Their DM's destination key, the ledger's and the settings': "telegram:dm:42"."""
        return f"{self.platform}:dm:{self.user}"


class ReaderData(Protocol):
    async def held(self, reader: Reader) -> Held:
        """Every record about `reader`, by kind (kinds with none left out)."""
        ...

    async def forget(self, reader: Reader) -> dict[str, int]:
        """Delete every record about `reader` (the subscription, the settings, the ledger rows
        of their DM, ...; a channel they opted in keeps its opt-in without their name); how
        many records of each kind went."""
        ...
