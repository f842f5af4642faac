"""Inline results in the core: what a query finds, and pages of it."""

from __future__ import annotations

import pytest

from bot.content.loader import Content
from bot.core.conversation import finder as inline
from bot.core.model.messages import simple


def found(n: int) -> list[inline.Found]:
    return [inline.Found(f"k{i}", f"t{i}", "", simple("x")) for i in range(n)]


@pytest.mark.parametrize(
    ("total", "offset", "keys", "next_offset"),
    [
        (45, "", ["k0", "k19"], "20"),
        (45, "20", ["k20", "k39"], "40"),
        (45, "40", ["k40", "k44"], ""),
        (20, "", ["k0", "k19"], ""),
        (45, "-5", ["k0", "k19"], "20"),  # forged offsets start over
        (45, "9" * 40, ["k0", "k19"], "20"),
        (45, "٣", ["k0", "k19"], "20"),
        (45, "100", [], ""),
        (0, "", [], ""),
    ],
)
def test_pages(total: int, offset: str, keys: list[str], next_offset: str) -> None:
    page = inline.page(found(total), offset)
    assert [r.key for r in page.results][:1] + [r.key for r in page.results][-1:] == keys
    assert page.next_offset == next_offset


def test_keys_stay_within_64_bytes() -> None:
    assert inline._key("term", "np-hard") == "term:np-hard"
    long = inline._key("term", "x" * 80)
    assert long.startswith("term:") and len(long.encode()) <= inline.MAX_KEY


def test_an_exact_term_comes_before_the_items_that_mention_it(content: Content) -> None:
    keys = [f.key for f in inline.find(content, "BERT", "en")]
    assert keys[0] == "term:bert" and len(keys) == len(set(keys))


def test_nothing_close_finds_nothing(content: Content) -> None:
    assert inline.find(content, "zzqqxx", "ko") == []
