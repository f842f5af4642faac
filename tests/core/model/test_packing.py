"""pack_thread: sections packed into as few replies as fit, each starting at a section boundary;
with a toy budget (a line is its length) for exact sizes, and Telegram's for the real issue."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.render import BUDGET, LIMIT, split, to_plain
from bot.content.loader import Content
from bot.core.model.messages import Block, Line, Message, Thread, simple, text
from bot.core.model.packing import Packing, SizeBudget, pack_thread
from bot.core.model.render import issue_thread

TOY = SizeBudget(limit=20, line_size=lambda line: len(line.plain), line_sep=1, block_sep=2)


def section(size: int, char: str = "x") -> Message:
    return simple(char * size)


def thread(*sizes: int) -> Thread:
    return Thread(
        simple("parent", title="t"), tuple(section(n, chr(97 + i)) for i, n in enumerate(sizes))
    )


def shape(packed: Thread) -> list[list[int]]:
    """Per reply, the sizes of the sections (one-line blocks) it holds."""
    return [[len(b.lines[0].plain) for b in reply.blocks] for reply in packed.replies]


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ((), []),
        ((5,), [[5]]),
        ((9, 9), [[9, 9]]),  # 9 + 2 + 9 = 20: exactly the limit
        ((9, 10), [[9], [10]]),  # 21: one over
        ((4, 4, 4, 4), [[4, 4, 4], [4]]),  # 4+2+4+2+4 = 16; +6 = 22
        ((20, 1), [[20], [1]]),  # a full section takes nothing more
        ((25, 1, 1), [[25], [1, 1]]),  # longer than a message: alone (the adapter splits it)
        ((1, 25, 1), [[1], [25], [1]]),  # and nothing joins it from either side
        ((18, 1, 17), [[18], [1, 17]]),  # each reply starts at a section boundary
    ],
)
def test_sections_pack_greedily_within_the_limit(
    sizes: tuple[int, ...], expected: list[list[int]]
) -> None:
    assert shape(pack_thread(thread(*sizes), TOY)) == expected


def test_the_parent_is_never_merged_and_nothing_is_lost_or_reordered() -> None:
    original = thread(3, 4, 30, 5, 6)
    packed = pack_thread(original, TOY)
    assert packed.parent == original.parent
    blocks = [block for reply in packed.replies for block in reply.blocks]
    assert blocks == [block for reply in original.replies for block in reply.blocks]
    assert pack_thread(original, TOY) == packed  # deterministic


def test_korean_text_is_measured_in_code_points_at_the_telegram_limit() -> None:
    # each section: a bold-free line of Hangul; two fill exactly LIMIT with the blank line between
    half = (LIMIT - 2) // 2
    exact = Thread(simple("부모"), (simple("가" * half), simple("나" * half)))
    over = Thread(simple("부모"), (simple("가" * half), simple("나" * (half + 1))))
    assert len(pack_thread(exact, BUDGET).replies) == 1
    assert len(pack_thread(over, BUDGET).replies) == 2
    (merged,) = pack_thread(exact, BUDGET).replies
    (part,) = split(merged)  # the adapter sends it as one message
    assert len(to_plain(part)) == LIMIT


def test_a_korean_section_longer_than_a_message_is_split_as_before() -> None:
    long = Message(tuple(Block((Line((text("가" * 1000),)),)) for _ in range(6)))
    packed = pack_thread(Thread(simple("부모"), (simple("짧다"), long, simple("끝"))), BUDGET)
    assert len(packed.replies) == 3
    assert packed.replies[1] == long
    assert [len(split(reply)) for reply in packed.replies] == [1, 2, 1]


def test_issue_1_packs_into_three_messages_for_a_dm_with_the_same_text(content: Content) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    unpacked = issue_thread(issue, "ko")
    packed = pack_thread(unpacked, BUDGET)
    assert (len(unpacked.messages), len(packed.messages)) == (11, 3)

    def texts(t: Thread) -> str:
        return "\n\n".join(to_plain(part) for reply in t.replies for part in split(reply))

    assert texts(packed) == texts(unpacked)
    assert all(len(split(message)) == 1 for message in packed.messages)


@pytest.mark.parametrize(
    ("scope", "dm", "channel"), [("dm", True, False), ("all", True, True), ("none", False, False)]
)
def test_packed_threads_setting_says_which_destinations_are_packed(
    scope: str, dm: bool, channel: bool
) -> None:
    packing = Packing(BUDGET, scope)  # type: ignore[arg-type]
    assert (packing.applies_to("dm"), packing.applies_to("channel")) == (dm, channel)
