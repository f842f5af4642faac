"""Packed threads: the parent, then the sections packed into as few replies as fit one message.

Telegram allows ~30 messages a second per bot, so a reader's wait is readers × messages per
reader ÷ 30: fewer, fuller replies bring every reader the issue sooner. `pack_thread` is pure
and deterministic (the same thread and budget always give the same parts), which is what the
delivery ledger needs to resume a packed thread part by part exactly as an unpacked one.

Rules: each packed reply starts at a section boundary (a section is one reply of the unpacked
thread); consecutive sections share a reply while the reply, measured by the platform's
`SizeBudget`, stays within its limit; a section that does not fit alone stays a reply of its
own, and the adapter splits it as it always did. The parent is never merged with a section.

The budget is the platform's measure of a message (exported by its adapter, passed in by the
composition root), so the core never imports an adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.core.model.messages import Block, Line, Message, Thread

PackedThreads = Literal["dm", "all", "none"]


@dataclass(frozen=True, slots=True)
class SizeBudget:
    """How a platform measures a message without a title: lines, and the separators between."""

    limit: int
    line_size: Callable[[Line], int]
    line_sep: int = 1
    block_sep: int = 2

    def block_size(self, block: Block) -> int:
        return sum(map(self.line_size, block.lines)) + self.line_sep * max(len(block.lines) - 1, 0)

    def size(self, message: Message) -> int:
        sizes = [self.block_size(block) for block in message.blocks if block.lines]
        return sum(sizes) + self.block_sep * max(len(sizes) - 1, 0)


@dataclass(frozen=True, slots=True)
class Packing:
    """One platform's packing: its budget, and which destinations are packed."""

    budget: SizeBudget
    scope: PackedThreads = "dm"

    def applies_to(self, kind: str) -> bool:
        return self.scope == "all" or (self.scope == "dm" and kind == "dm")


def pack_thread(thread: Thread, budget: SizeBudget) -> Thread:
    """The thread with consecutive replies merged while each merged reply fits the budget."""
    replies: list[Message] = []
    used = 0
    for section in thread.replies:
        cost = budget.size(section)
        last = replies[-1] if replies else None
        fits = bool(used and cost) and used + budget.block_sep + cost <= budget.limit
        if last is not None and fits and not section.title and not last.title:
            replies[-1] = Message(last.blocks + section.blocks, None, last.link_previews,
                                  sections=last.sections + section.sections)  # fmt: skip
            used += budget.block_sep + cost
            continue
        replies.append(section)
        used = cost if cost <= budget.limit else budget.limit + 1  # too long: nothing joins it
    return Thread(thread.parent, tuple(replies))
