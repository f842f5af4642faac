"""The ports the conversation and delivery share: a chat platform to send through (and, for the
composition root, to run), the subscription and destination stores, the ledger, the deliverer
and inbound claims. Delivery's own (clock, pacer, leadership, run record, `/post` requests) are
in `bot/core/delivery/ports.py`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from bot.core.destination import DeliveryTime as DeliveryTime  # re-exported: a port's word
from bot.core.destination import Destination
from bot.core.i18n import Language
from bot.core.model.messages import Message, MessageRef
from bot.core.runs import Failure, RunSummary


@dataclass(frozen=True, slots=True)
class Command:
    """One incoming command, whatever the platform: `/term NP-hard` from user U1 in chat C1."""

    platform: str
    chat: str
    user: str
    name: str
    text: str = ""
    is_dm: bool = False
    dm_chat: str | None = None  # where a DM to this user goes, when the adapter knows it
    locale: str | None = None  # the user's platform language ("en-US"), where it says
    sent_at: float | None = None  # when the platform says it was sent (epoch seconds), if it does
    privately: bool = False  # in a channel, answered to the asker alone (a Slack ephemeral)
    operator: bool = False  # from whoever runs the bot (the console's user): an admin anywhere


class ChatPlatform(Protocol):
    """What a platform adapter offers the core."""

    name: str

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        """Post `message` (split to the platform's limits if needed) and return the first part's
        reference; with `reply_to`, every part goes into that message's thread."""
        ...

    async def open_dm(self, user: str) -> str:
        """The chat id of a direct conversation with `user`."""
        ...

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        """True if `user` administers `chat` on the platform (Telegram: its creator or an
        administrator; Slack: a workspace admin or owner). Who may `/briefing here`."""
        ...

    async def can_post(self, chat: str) -> bool:
        """True if the bot may post in `chat` (Slack: the app is a member of the channel)."""
        ...


@runtime_checkable
class ResolvesNames(Protocol):
    """A platform that can turn a `@name` into a chat id (Telegram: a public channel's or
    group's username, `getChat`); `/briefing why @name`."""

    async def resolve(self, name: str) -> str | None:
        """The chat id of `@name`, or None if the platform does not know it."""
        ...


@runtime_checkable
class NamesChats(Protocol):
    """A platform that can say a channel's name ("#ml-news"), for the run reports."""

    async def chat_name(self, chat: str) -> str | None:
        """The channel's name as its members know it, or None if the platform will not say."""
        ...


@runtime_checkable
class ReportsStats(Protocol):
    """A platform with a figure of its own for `/stats` (Slack: its installed workspaces)."""

    async def stats_line(self, language: Language) -> str | None: ...


class Runnable(ChatPlatform, Protocol):
    """A platform adapter that runs inside the shared event loop and sends for the core.
    Every adapter can also start send-only (`start(receive=False)`), for `briefing-bot post`."""

    async def start(self, *, receive: bool = True) -> None:
        """Connect; `receive=False` sends only (no updates, no listener: `briefing-bot post`)."""
        ...

    async def stop(self) -> None: ...

    def start_link(self, payload: str) -> str | None:
        """A link that opens a private chat with the bot carrying `payload` (Telegram's
        `t.me/<bot>?start=<payload>`); None where the platform has none or does not know it yet."""
        ...


@runtime_checkable
class Connected(Protocol):
    """A started platform that can lose its connection (Slack's Socket Mode): `/readyz` asks."""

    async def connected(self) -> bool: ...


@runtime_checkable
class FollowsLeader(Protocol):
    """A platform that receives differently on the leader replica (Telegram polling: only
    the leader calls getUpdates)."""

    async def lead(self, leading: bool) -> None:
        """This replica has become the leader (True) or stands by again (False)."""
        ...


class CommandObserver(Protocol):
    """Hears how each command went: the operator's metrics (`bot/app/metrics.py`). `command` is
    a name of the command table or "unknown"; `outcome` one of `OUTCOMES`."""

    def handled(self, command: str, outcome: str, seconds: float) -> None: ...


# what became of a command: answered, over the quota (told once, then silenced), refused (not
# an admin), the store unreachable, a handler's failure
OUTCOMES = ("answered", "over_quota", "silenced", "refused", "store_unavailable", "error")


@dataclass(frozen=True, slots=True)
class Subscriber:
    platform: str
    user: str
    chat: str
    since: str = ""


class SubscriptionStore(Protocol):
    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        """True if this created the subscription, False if it already existed."""
        ...

    async def unsubscribe(self, platform: str, user: str) -> bool:
        """True if a subscription was removed."""
        ...

    async def is_subscribed(self, platform: str, user: str) -> bool: ...

    async def subscribers(self, platform: str | None = None) -> list[Subscriber]: ...

    async def count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    destinations: int = 0
    planned: int = 0  # messages this run set out to send (or, dry, would send)
    sent: int = 0
    retried: int = 0
    skipped: int = 0
    failed: int = 0
    nothing_new: int = 0
    unsubscribed: int = 0  # DM subscribers found gone (blocked the bot, ...) and unsubscribed
    stopped: bool = False  # a stop was requested: the run ended early, the next one resumes
    queued: bool = False  # handed to the leader replica, which delivers it (nothing sent here)
    failures: tuple[str, ...] = ()  # "destination: reason" for each destination that failed
    issue: int | None = None  # the issue the run delivered (None: a resume, or nothing)
    seconds: float = 0.0  # how long the run took
    rate_limited: int = 0  # 429s waited out (the retrier)
    waited: float = 0.0  # seconds spent waiting them out
    problems: tuple[Failure, ...] = ()  # every failure with its kind (readers gone included)
    reached: int = 0  # destinations the run had something for

    def run_summary(self) -> RunSummary:
        return RunSummary(
            "delivery", self.issue, self.reached, self.sent, self.planned, self.seconds,
            self.rate_limited, self.waited, self.problems, self.stopped,
        )  # fmt: skip

    @property
    def summary(self) -> str:
        return (
            f"destinations {self.destinations}, messages planned {self.planned}, "
            f"sent {self.sent}, retried "
            f"{self.retried}, skipped {self.skipped}, failed {self.failed}"
            f" (nothing new {self.nothing_new}, unsubscribed {self.unsubscribed})"
            + (", stopped early" if self.stopped else "")
        )


class Deliverer(Protocol):
    async def deliver(
        self,
        issue: int | None = None,
        *,
        dry_run: bool = False,
        at: Collection[DeliveryTime | None] | None = None,
        by: str = "",
    ) -> DeliveryReport:
        """One delivery run: every destination, or (`at`) only those whose own delivery time
        is one of `at` (None in it: those on the edition's schedule). `by` is who asked for it
        ("slack:U1", a `/post`), for the log and for whoever delivers a queued one."""
        ...


class TestSender(Protocol):
    """A test send: issue N to one person's DM as a reader there gets it, recorded nowhere
    (bot/core/delivery/testsend.py)."""

    async def test_send(
        self,
        number: int,
        platform: str,
        user: str,
        language: Language,
        mark: Callable[[Message], Message],
    ) -> int:
        """Issue `number` (drafts included) to `user`'s DM, its parent marked by `mark`; how
        many messages it took. Raises the platform's errors (`bot.core.errors`)."""
        ...


PartState = Literal["pending", "sent"]


@dataclass(frozen=True, slots=True)
class PartRecord:
    """One part of a thread at one destination: "pending" (about to be sent, or perhaps sent by
    a process that died before recording it) or "sent" with the platform's reference."""

    part: int
    state: PartState
    ref: MessageRef | None = None


class Ledger(Protocol):
    """What was delivered where. Mutations are in memory until `commit()` makes them durable."""

    def released_at(self, issue: int) -> datetime | None:
        """When a delivery run first started delivering `issue`, if one ever did."""
        ...

    def release(self, issue: int, at: datetime) -> datetime:
        """Record `at` as the release time of `issue` unless it has one; return the one kept."""
        ...

    def is_done(self, issue: int, destination: str) -> bool: ...

    def started(self, destination: str) -> list[int]:
        """Issues with parts recorded at `destination` but no done marker, oldest first."""
        ...

    def parts(self, issue: int, destination: str) -> dict[int, PartRecord]: ...

    def mark_pending(self, issue: int, destination: str, part: int) -> None: ...

    def mark_sent(self, issue: int, destination: str, part: int, ref: MessageRef) -> None: ...

    def mark_done(self, issue: int, destination: str, parts: int) -> None: ...

    async def commit(self) -> None: ...


class InboundClaims(Protocol):
    """Inbound events claimed once across every replica of one store (Slack `event_id`s,
    Telegram `update_id`s), so that two replicas never both answer one event."""

    async def claim(self, key: str) -> bool:
        """True for the first claim of `key` ("slack:Ev123"), False for every later one."""
        ...


@dataclass(frozen=True, slots=True)
class OptedIn:
    """A channel that opted in itself (`/briefing here`): where, by whom, when.

    `chat` is the address the platform sends to; a Telegram forum topic's is
    `"<chat_id>:<topic_id>"`, so the topic is the destination and `topic` names it."""

    platform: str
    chat: str
    by: str
    since: str = ""  # ISO time, UTC

    @property
    def key(self) -> str:
        """The destination's ledger key: "slack:C1", "telegram:-100123:7"."""
        return Destination(self.platform, self.chat).key

    @property
    def topic(self) -> str | None:
        _, sep, topic = self.chat.rpartition(":")
        return topic if sep else None


@dataclass(frozen=True, slots=True)
class DestinationSettings:
    """What one destination (a channel or a reader's DM, by its ledger key) chose; None is
    "not chosen": the default applies (the `[schedule] cron` in `bot.timezone`, the reader's
    platform language, else `bot.language`)."""

    time: str | None = None  # "HH:MM"
    zone: str | None = None  # an IANA name: "Europe/Berlin"
    language: str | None = None  # "ko" or "en"
    muted: tuple[str, ...] = ()  # the sections left out of its thread, as the issues name them
    weekly: str | None = None  # "mon" … "sun": one digest a week on that day, at `time`


class DestinationStore(Protocol):
    """Opted-in channels and every destination's settings (channels and DMs alike). The last
    issue a destination got is the ledger's."""

    async def opt_in(self, platform: str, chat: str, by: str) -> bool:
        """True if this opted the channel in, False if it already was."""
        ...

    async def opt_out(self, platform: str, chat: str) -> bool:
        """True if an opt-in was removed (its settings go with it)."""
        ...

    async def opted_in(self, platform: str | None = None) -> list[OptedIn]:
        """Oldest opt-in first."""
        ...

    async def channel(self, platform: str, chat: str) -> OptedIn | None: ...

    async def settings(self, key: str) -> DestinationSettings: ...

    async def set_settings(self, key: str, settings: DestinationSettings) -> None:
        """Replace the settings of destination `key` (all None: forget them)."""
        ...

    async def all_settings(self) -> dict[str, DestinationSettings]: ...

    async def delivery_times(self) -> set[tuple[str, ...]]:
        """Every distinct (time, zone) chosen by a destination that still receives (a
        subscribed reader, a channel), and (time, zone, day) for a weekly digest's: what the
        scheduler's one timer has to watch (read often, so cheap: no destination is built)."""
        ...


@runtime_checkable
class Revises(Protocol):
    """A platform that can correct what it sent (Telegram `editMessageText`/`deleteMessage`,
    Slack `chat.update`/`chat.delete`). Errors: `MessageGone` for a message that can no longer be
    changed, else those of `send`; "not modified" is success."""

    async def revise(
        self, ref: MessageRef, message: Message, *, parent: MessageRef | None, pointer: Message
    ) -> MessageRef:
        """Show `message` in the messages of `ref` (its first and `more`), silently: its pieces
        edit them in order, extra pieces are posted as replies under `parent` (else under
        `ref`), surplus ones are deleted or, where the platform refuses, edited to `pointer`.
        The reference now, with its pieces' ids."""
        ...

    async def remove(self, ref: MessageRef, pointer: Message) -> None:
        """Delete every message of `ref`; one the platform will not delete shows `pointer`."""
        ...
