"""Where a daily thread goes: one value, with the one key, for the policy, the planner, the
ledger, the stores and the retry layer.

A destination is a channel (a Slack channel, a Telegram group, supergroup, broadcast channel or
forum topic) or one reader's DM. Its key names it in the ledger and the stores:

    "slack:C1"              a channel
    "telegram:-100123:7"    a Telegram forum topic: the chat string carries the topic
    "telegram:dm:42"        a reader's DM: by user, whatever chat their DM is

The stores that keep keys in SQL (`bot/store/postgres/`) spell the reader form there too
(`platform || ':dm:' || user_id`); `parse` reads every form back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core.i18n import Language

READER = ":dm:"  # what a reader's key has between platform and user
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # a weekly digest's days, as cron


@dataclass(frozen=True, slots=True)
class DeliveryTime:
    """A destination's own delivery time: "07:30" in "Europe/Berlin" ("" is the default zone,
    `bot.timezone`), daily, or weekly on `day` ("mon" … "sun": a weekly digest's)."""

    time: str
    zone: str = ""
    day: str = ""


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one thread goes (platform, chat, and the reader for a DM), and what the planner
    knows of it: when its reader subscribed, its language, its own delivery time, whether it is
    a channel that opted in itself."""

    platform: str
    chat: str
    user: str | None = None  # set for a reader's DM
    since: datetime | None = None  # when that reader subscribed
    language: Language | None = None  # the bot's words there, if the destination chose
    opted_in: bool = False  # a channel that opted in itself (its opt-in ends when it is gone)
    time: DeliveryTime | None = None  # its own delivery time; None: the edition's schedule
    muted: frozenset[str] = frozenset()  # the sections left out of its thread

    @classmethod
    def reader(cls, platform: str, user: str, chat: str = "") -> Destination:
        return cls(platform, chat or user, user)

    @classmethod
    def parse(cls, key: str) -> Destination:
        """`key` back into a destination (a reader's chat is not in the key: it is `user`)."""
        platform, dm, user = key.partition(READER)
        if dm:
            return cls.reader(platform, user)
        platform, _, chat = key.partition(":")
        return cls(platform, chat)

    @property
    def key(self) -> str:
        """The ledger's and the stores' name for it: "slack:C1", "telegram:dm:42"."""
        if self.user:
            return f"{self.platform}{READER}{self.user}"
        return f"{self.platform}:{self.chat}"

    @property
    def weekly(self) -> bool:
        """It gets one weekly digest (at its `time`'s day) instead of every issue's thread."""
        return self.time is not None and bool(self.time.day)

    @property
    def kind(self) -> Literal["dm", "channel"]:
        return "dm" if self.user else "channel"
