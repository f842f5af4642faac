"""◀ ▶: the neighbours of an issue, and the button data that comes back (untrusted) through the
buttons' table."""

from __future__ import annotations

import pytest

from bot.core.conversation import buttons, navigation
from bot.core.model.messages import Button


@pytest.mark.parametrize(
    ("numbers", "issue", "expected"),
    [
        ((1, 2), 1, (None, 2)),
        ((1, 2), 2, (1, None)),
        ((1, 2, 5), 2, (1, 5)),
        ((1,), 1, (None, None)),
        ((1, 3), 2, (1, 3)),  # an issue gone: its old neighbours
    ],
)
def test_neighbours(numbers: tuple[int, ...], issue: int, expected: tuple[object, ...]) -> None:
    assert navigation.neighbours(numbers, issue) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("nav:1", 1),
        ("nav:123456", 123456),
        ("nav:1234567", None),
        ("nav:0", None),
        ("nav:01", None),
        ("nav:-1", None),
        ("nav: 1", None),
        ("nav:١", None),  # a non-ASCII digit
        ("NAV:1", None),
        ("", None),
        (None, None),
        (7, None),
        ("nav:1" + "\x00" * 64, None),
    ],
)
def test_only_our_own_data_is_accepted(data: object, expected: int | None) -> None:
    found = buttons.parse(data)
    assert (found[1] if found else None) == expected
    if found:
        assert found[0].prefix == navigation.PREFIX


def test_the_buttons_at_the_ends_and_in_the_middle() -> None:
    assert navigation.navigation((1,), 1, "en") == ()
    assert navigation.navigation((1, 2), 1, "en") == (Button("Issue 2 ▶", "nav:2"),)
    middle = navigation.navigation((1, 2, 3), 2, "ko")
    assert [b.data for b in middle] == ["nav:1", "nav:3"]
    assert middle[0].label == "◀ 제 0001호"
    assert all(len(b.data.encode()) <= buttons.MAX_DATA for b in middle)
