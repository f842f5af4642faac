"""Readers' feedback: the 👍/👎 vote on an issue and the reactions on its sections, the port
that keeps them (both store backends), and the totals `/stats` shows.

Stored per (issue, section, who): a vote is one per reader per issue (a second press of the
same button withdraws it, of the other changes it); a reaction is per (issue, section, who,
emoji) with a count (1 for a reader's own; a channel's anonymous total where the platform
gives only totals: Telegram's `message_reaction_count`, kept under who = "count:<chat>:<id>").
Only aggregates ever leave the store (`totals`): nothing says who voted or reacted.

Every delivered thread's parent carries 👍 and 👎 (`vote_buttons`). Which message carried
which sections is remembered when a thread is delivered (`remember`), so a reaction on any
message of it (Slack `reaction_added` on a reply, a Telegram reaction) finds its issue and
section (`find`). The parent carries no section: a reaction on it counts for the issue only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from bot.core.model.messages import Button, MessageRef

Vote = Literal["up", "down"]
Outcome = Literal["recorded", "changed", "withdrawn"]
TOP_SECTIONS = 3
VOTE = "vote"  # the buttons' prefix (`bot/core/conversation/buttons.py`): "vote:3:up"


@dataclass(frozen=True, slots=True)
class Carried:
    """What one delivered message carried: its issue and sections ("" alone: the parent)."""

    issue: int
    sections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IssueFeedback:
    """An issue's totals: 👍, 👎 and its sections with most reactions (most first)."""

    issue: int
    up: int = 0
    down: int = 0
    top: tuple[tuple[str, int], ...] = ()


class FeedbackStore(Protocol):
    async def vote(self, issue: int, reader: str, vote: Vote) -> Outcome:
        """Record `reader`'s ("slack:U1") vote on `issue`: a first vote is "recorded", the
        other button "changed", the same button again "withdrawn" (no vote left)."""
        ...

    async def react(
        self, where: Carried, who: str, reactions: Mapping[str, int], *, replace: bool
    ) -> None:
        """Set `who`'s count of each reaction (emoji name → count, 0: none) on each section
        `where` carries (its issue alone when it carries none); `replace`: every other
        reaction of `who` there goes (Telegram gives the whole list each time)."""
        ...

    async def remember(self, issue: int, messages: Sequence[tuple[MessageRef, Carried]]) -> None:
        """The messages of one delivered thread and what each carried."""
        ...

    async def find(self, platform: str, chat: str, message: str) -> Carried | None:
        """What the delivered message `message` in `chat` carried; None: not one of ours."""
        ...

    async def totals(self, issues: Sequence[int]) -> list[IssueFeedback]:
        """Each of `issues`' totals (in that order), the top sections `TOP_SECTIONS` long."""
        ...


def as_reacted(ref: MessageRef) -> MessageRef:
    """`ref` as a reaction names its message: by its chat alone (a Telegram forum topic's
    address "<chat>:<topic>" is its chat's: message ids belong to the chat, and a reaction
    update names no topic)."""
    return replace(ref, chat=ref.chat.partition(":")[0])


def vote_buttons(issue: int) -> tuple[Button, ...]:
    """👍 and 👎 under a delivered thread's parent. The data names the issue, never a reader:
    one rendered parent serves every reader, and the press says who pressed."""
    return (Button("👍", f"{VOTE}:{issue}:up"), Button("👎", f"{VOTE}:{issue}:down"))


def top_sections(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """The sections with most reactions, most first (ties by name), the issue's own ("") and
    empty counts left out."""
    ranked = sorted(((s, n) for s, n in counts.items() if s and n > 0), key=lambda x: (-x[1], x[0]))
    return tuple(ranked[:TOP_SECTIONS])
