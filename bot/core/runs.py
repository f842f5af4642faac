"""What a run leaves behind besides its messages, shared by delivery (which fills it), the
conversation (which reports and diagnoses from it) and the store (which keeps it): a failure
with its kind, the summary a run's report takes (a delivery run and a correction run both fill
it), each destination's attempt at an issue, and the ports that keep the attempts
(`DeliveryHistory`) and who turned the reports off (`ReportChoices`). The run's full tally,
`DeliveryReport`, is in `bot/core/ports.py`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

# Why a destination did not get (all of) an issue, by what an editor does about it.
FailureKind = Literal[
    "reader_gone",  # blocked the bot, left, deactivated: unsubscribed
    "channel_left",  # the bot was removed from a channel that opted in: its opt-in ended
    "pinned_gone",  # the bot was removed from a channel in the configuration
    "rejected",  # the platform refused a message (markup, size)
    "transient",  # timeouts, 5xx, resets: retries ran out; the next run tries again
    "error",  # anything else (the log has it)
    "uneditable",  # a correction: the copy was deleted, is too old, or the bot was removed
]
FAILURE_KINDS: tuple[FailureKind, ...] = (
    "reader_gone", "channel_left", "pinned_gone", "rejected", "transient", "error", "uneditable",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Failure:
    """One destination that did not get an issue in a run, and why."""

    destination: str  # its key: "slack:C1", "telegram:dm:42"
    kind: FailureKind
    detail: str = ""  # the platform's words
    issue: int | None = None


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run's report says, filled by a delivery run (`DeliveryReport.run_summary`) and by
    a correction run alike: the report's formatter takes only this."""

    what: Literal["delivery", "correction"]
    issue: int | None
    destinations: int  # destinations the run reached (or tried to)
    messages: int  # messages sent (a delivery) or edited (a correction)
    planned: int = 0
    seconds: float = 0.0
    rate_limited: int = 0  # 429s waited out
    waited: float = 0.0  # seconds waited for them
    failures: tuple[Failure, ...] = ()
    stopped: bool = False  # cut short (a stop, a lost lock): the next run goes on

    @property
    def rate(self) -> float:
        """Messages per second."""
        return self.messages / self.seconds if self.seconds > 0 else 0.0

    @property
    def worth_telling(self) -> bool:
        """Anything happened: a run with nothing to send is not reported (only logged)."""
        return bool(self.planned or self.messages or self.failures or self.stopped)


@dataclass(frozen=True, slots=True)
class Attempt:
    """What delivery runs did with one issue at one destination: the parts sent and when, done
    or not, and why it stopped if it failed (`DeliveryHistory`)."""

    issue: int
    destination: str
    parts: int  # the thread's parts as last planned
    at: datetime  # when the last run's attempt ended
    sent: tuple[tuple[int, datetime], ...] = ()  # (part, when), by part
    done: bool = False
    failure: FailureKind | None = None
    detail: str = ""


class DeliveryHistory(Protocol):
    """When each part went out where, or why not: written by the leader at the end of each
    destination's thread, read by `/briefing why` on any replica."""

    async def record(self, attempts: Sequence[Attempt]) -> None:
        """Merge each into what is kept for its (issue, destination): the parts sent (the
        first time each went out is kept), `done` once true stays, the latest failure (a
        later success clears it)."""
        ...

    async def recent(self, destination: str, issues: Collection[int]) -> dict[int, Attempt]:
        """What is kept for `destination` of each of `issues` (those with a record)."""
        ...


class ReportChoices(Protocol):
    """Who turned the run reports off (`/briefing reports off`): "slack:U1"."""

    async def set_reports(self, who: str, on: bool) -> bool:
        """True if this changed the choice."""
        ...

    async def reports_off(self) -> set[str]: ...
