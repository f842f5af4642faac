"""Splitting, as a property: never loses, duplicates or reorders a character, never cuts an
emoji sequence or a combining mark, and every part fits the budget."""

from __future__ import annotations

import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.messages import Block, Line, Message, Span, Style
from bot.core.split import cut_point, is_boundary, split_message

EMOJI = ["👨‍👩‍👧‍👦", "🇰🇷", "👍🏽", "1️⃣", "é", "각", "ᄀ\u1161", "🏳️‍🌈", "\r\n"]
# Sized to the budgets below (12..120), not to real issues: a message reaches ~300 characters
# and a line ~80, so most examples need several parts and about one in five has a line longer
# than its budget, as with the old sizes (30 x 40 x 4 x 6 x 5 against 12..400), which drew
# five times the characters for the same cover (~12 s of the suite; drawing is the cost).
pieces = st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(EMOJI), st.just(" "))
span_text = st.lists(pieces, min_size=1, max_size=8).map("".join)
spans = st.builds(Span, span_text, st.sampled_from(list(Style)), st.just("https://example.com/x"))
lines = st.builds(
    Line, st.lists(spans, min_size=1, max_size=3).map(tuple), st.integers(0, 3), st.booleans()
)
blocks = st.builds(Block, st.lists(lines, min_size=1, max_size=3).map(tuple))
messages = st.builds(
    Message, st.lists(blocks, min_size=1, max_size=3).map(tuple), st.none() | span_text
)


def size(line: Line) -> int:
    return len(line.plain) + 2 * line.indent + 2 * line.bullet


def cuts(parts: list[str]) -> set[int]:
    offsets, offset = set(), 0
    for part in parts:
        offset += len(part)
        offsets.add(offset)
    return offsets


def new_cuts_are_boundaries(text: str, before: list[str], after: list[str]) -> bool:
    """Every cut the splitter added (not a span edge the author made) is a cluster boundary."""
    return all(is_boundary(text, cut) for cut in cuts(after) - cuts(before))


@settings(max_examples=300, deadline=None)
@given(messages, st.integers(min_value=12, max_value=120))
def test_split_keeps_every_character_in_order_and_fits(message: Message, budget: int) -> None:
    title = len(message.title or "")
    if title + 2 >= budget:
        message = Message(message.blocks, None)
    parts = split_message(
        message, budget=budget, line_size=size, title_size=len(message.title or "")
    )
    spans_before = [s.text for block in message.blocks for line in block.lines for s in line.spans]
    original = "".join(spans_before)
    room = budget - 8 - (len(message.title) + 2 if message.title else 0)
    assume(longest_cluster(original) < room)  # a longer cluster is cut by force, see below
    pieces_ = [
        span.text
        for part in parts
        for block in part.blocks
        for line in block.lines
        for span in line.spans
    ]
    assert "".join(pieces_) == original
    for part in parts:
        for block in part.blocks:
            for line in block.lines:
                assert size(line) <= budget or len(line.plain) == 1 or _one_cluster(line.plain)
    assert new_cuts_are_boundaries(original, spans_before, pieces_)
    assert parts[0].title == message.title


def longest_cluster(text: str) -> int:
    longest = start = 0
    for i in range(1, len(text) + 1):
        if is_boundary(text, i):
            longest, start = max(longest, i - start), i
    return longest


def test_a_cluster_longer_than_the_budget_is_cut_rather_than_lost() -> None:
    family = "👨‍👩‍👧‍👦" * 40
    line = Line((Span(family),))
    parts = split_message(Message((Block((line,)),)), budget=50, line_size=size)
    assert "".join(p.plain for p in parts) == family
    assert all(len(p.plain) <= 50 for p in parts)


def _one_cluster(text: str) -> bool:
    return all(not is_boundary(text, i) for i in range(1, len(text)))


@given(span_text)
def test_boundaries_never_fall_inside_a_cluster(text: str) -> None:
    for i in range(1, len(text)):
        if (
            unicodedata.category(text[i]) in {"Mn", "Me"}
            or text[i] == "\u200d"
            or text[i - 1] == "\u200d"
        ):
            assert not is_boundary(text, i)


def test_a_space_followed_by_a_skin_tone_is_not_a_place_to_cut() -> None:
    """Found by the property above: a skin tone after a space joins the space's cluster, so
    the cut "after a space" must move back to a real boundary."""
    text = "0000000000000000 00000  0000 0000000 0000000000000 00000000000000000000000 🏻"
    cut = cut_point(text, len(text) - 1)
    assert is_boundary(text, cut) and text[cut:] == " 🏻"
