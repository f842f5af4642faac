"""Glossary slugs: stable ASCII names, unique, short enough for a Telegram deep link."""

from __future__ import annotations

import re

import pytest

from bot.content.loader import Content
from bot.content.models import GlossaryEntry
from bot.content.slugs import MAX_SLUG, Slugs, slugify

DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def entry(term: str, *aliases: str) -> GlossaryEntry:
    return GlossaryEntry(
        term=term, aliases=aliases, definition="d", first_issue=1, first_section="s"
    )


@pytest.mark.parametrize(
    ("name", "slug"),
    [("NP-hard", "np-hard"), ("Amazon SageMaker", "amazon-sagemaker"), ("pre-training", "pre-training"),
     ("Traveling Salesman Problem", "traveling-salesman-problem"), ("  C++ / CUDA  ", "c-cuda"),
     ("Ｆｕｌｌ－ｗｉｄｔｈ", "full-width"), ("café", "cafe"), ("과적합", "")],
)  # fmt: skip
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_the_seed_glossary_has_the_expected_slugs(content: Content) -> None:
    slugs = content.glossary.slugs
    by_term = {e.term: slugs.of(e) for e in content.glossary.entries}
    assert (
        by_term["NP-hard"] == "np-hard"
        and by_term["software testing and verification"] == "software-testing-and-verification"
    )
    assert len(set(by_term.values())) == len(by_term)
    assert all(slugs.entry(s) is e for e in content.glossary.entries if (s := slugs.of(e)))


def test_a_korean_term_takes_its_first_ascii_alias_else_a_stable_hash() -> None:
    slugs = Slugs([entry("과적합", "오버피팅", "overfitting"), entry("정규화", "규제")])
    first, second = slugs
    assert first == "overfitting"
    assert re.fullmatch(r"term-[0-9a-f]{10}", second)
    assert list(Slugs([entry("정규화", "규제")])) == [second]  # the same on every load


def test_clashing_names_are_numbered_in_file_order() -> None:
    slugs = Slugs([entry("NP hard"), entry("NP-hard"), entry("np_hard")])
    assert list(slugs) == ["np-hard", "np-hard-2", "np-hard-3"]


def test_every_slug_fits_a_telegram_deep_link() -> None:
    long = "x" * 200
    slugs = Slugs([entry(long), entry(long + "y"), entry("과적합")])
    for slug in slugs:
        assert len(slug) <= MAX_SLUG and DEEP_LINK.match("term-" + slug)
