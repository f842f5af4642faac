"""Split messages to a platform's size limit, centrally, for every renderer.

Boundaries are chosen in this order: between blocks, between lines, between words, and only
then between grapheme clusters (never inside an emoji sequence, a combining mark or a flag).
A span's text may be cut in two, which gives two well-formed spans (a link becomes two links
to the same URL); no markup is ever cut because splitting happens before rendering.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from bot.core.model.messages import Block, Line, Message, Span

T = TypeVar("T")
_JOINERS = {"\u200d", "\u20e3"}


def is_boundary(text: str, index: int) -> bool:
    """True if cutting `text` before `index` would not split a grapheme cluster (approximately
    UAX #29: combining marks, ZWJ sequences, variation selectors, skin tones, flags)."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if before in _JOINERS or after in _JOINERS:
        return False
    if unicodedata.category(after) in {"Mn", "Me", "Mc"} or "\ufe00" <= after <= "\ufe0f":
        return False
    if "\U0001f3fb" <= after <= "\U0001f3ff" or "\U000e0020" <= after <= "\U000e007f":
        return False
    if "\udc00" <= after <= "\udfff":
        return False
    if _is_regional(before) and _is_regional(after):
        run = 0
        i = index - 1
        while i >= 0 and _is_regional(text[i]):
            run += 1
            i -= 1
        return run % 2 == 0
    return not (0x1100 <= ord(before) <= 0x11FF and 0x1160 <= ord(after) <= 0x11FF)


def _is_regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def cut_point(text: str, limit: int) -> int:
    """The best index <= limit to cut `text` at: after a space if one is near, else a grapheme
    boundary; 0 if the first cluster alone is longer than `limit`."""
    if len(text) <= limit:
        return len(text)
    space = text.rfind(" ", 0, limit)
    if space > limit // 2 and is_boundary(text, space + 1):  # a skin tone may follow a space
        return space + 1
    index = limit
    while index > 0 and not is_boundary(text, index):
        index -= 1
    return index


def forced_cut(text: str, limit: int) -> int:
    """Last resort for one cluster longer than a whole message: cut at a code point."""
    return max(1, min(limit, len(text) - 1))


def split_line(line: Line, budget: int, measure: Callable[[Line], int]) -> list[Line]:
    """Cut one line into lines that each measure <= budget (continuations keep the indent)."""
    if measure(line) <= budget:
        return [line]
    out: list[Line] = []
    current: list[Span] = []
    spans = list(line.spans)

    def make(parts: list[Span]) -> Line:
        return Line(tuple(parts), line.indent, line.bullet and not out)

    while spans:
        span = spans.pop(0)
        if measure(make([*current, span])) <= budget:
            current.append(span)
            continue
        cut = _longest_fit(span, _fits(make, list(current), measure, budget))
        if cut == 0 and not current:  # a single cluster longer than a whole line (pathological)
            cut = forced_cut(span.text, _longest_prefix(span, _fits(make, [], measure, budget)))
        if cut:
            current.append(_head(span, cut))
            span = replace(span, text=span.text[cut:])
        out.append(make(current))
        current = []
        if span.text:
            spans.insert(0, span)
    if current:
        out.append(make(current))
    return out


def _fits(
    make: Callable[[list[Span]], Line],
    base: list[Span],
    measure: Callable[[Line], int],
    budget: int,
) -> Callable[[Span], bool]:
    return lambda head: measure(make([*base, head])) <= budget


def _head(span: Span, n: int) -> Span:
    return replace(span, text=span.text[:n])


def _longest_prefix(span: Span, fits: Callable[[Span], bool]) -> int:
    """Largest n whose head span[:n] fits, by bisection."""
    low, high = 0, len(span.text)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(_head(span, mid)):
            low = mid
        else:
            high = mid - 1
    return low


def _longest_fit(span: Span, fits: Callable[[Span], bool]) -> int:
    """Largest good cut n of the span's text whose head still fits (fits is monotone in n)."""
    low = _longest_prefix(span, fits)
    return cut_point(span.text, low) if low < len(span.text) else low


def pack(
    units: Sequence[T],
    budget: int,
    size: Callable[[T], int],
    sep: int = 0,
    first: int | None = None,
) -> list[list[T]]:
    """Greedy packing of units (each <= budget, and <= `first`) into groups whose sizes plus
    separators fit; the first group may have a smaller budget (`first`, room for a title)."""
    groups: list[list[T]] = []
    used = 0
    for unit in units:
        cost = size(unit)
        room = first if first is not None and len(groups) == 1 else budget
        if groups and used + sep + cost <= room:
            groups[-1].append(unit)
            used += sep + cost
        else:
            groups.append([unit])
            used = cost
    return groups


def fit_block(
    block: Block, budget: int, measure: Callable[[Line], int], sep: int = 1
) -> list[Block]:
    """A block as one or more blocks whose lines (joined by `sep`) fit the budget."""
    lines = [part for line in block.lines for part in split_line(line, budget, measure)]
    return [Block(tuple(group)) for group in pack(lines, budget, measure, sep)]


def split_message(
    message: Message,
    *,
    budget: int,
    line_size: Callable[[Line], int],
    title_size: int = 0,
    line_sep: int = 1,
    block_sep: int = 2,
) -> list[Message]:
    """Split a message so that each part's text (title + blocks) measures <= budget.

    Blocks stay whole when they fit in a part of their own; otherwise they are cut between
    lines. The title stays on the first part; later parts keep the link-preview setting.
    """

    def block_size(block: Block) -> int:
        return sum(line_size(line) for line in block.lines) + line_sep * (len(block.lines) - 1)

    first_budget = budget - (title_size + block_sep if message.title else 0)
    block_budget = min(budget, first_budget)
    blocks = [
        part
        for block in message.blocks
        if block.lines
        for part in fit_block(block, block_budget, line_size, line_sep)
    ]
    if not blocks:
        return [message]
    parts = pack(blocks, budget, block_size, block_sep, first=first_budget)
    return [
        Message(
            tuple(part),
            message.title if i == 0 else None,
            message.link_previews,
            message.buttons if i == 0 else (),
        )
        for i, part in enumerate(parts)
    ]
