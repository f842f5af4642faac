"""The archive at scale: lazy issues, the content cache, and ranked search."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from bot.content.errors import ContentError
from bot.content.loader import load_content
from tests.conftest import CONTENT


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    return generate(tmp_path / "content", issues=30, terms=300)


def test_a_generated_archive_loads_and_finds_every_issue(generated: Path) -> None:
    content = load_content(generated)
    assert content.summary()["issues"] == 30 and len(content.glossary) == 300
    assert content.archive.latest is not None and content.archive.latest.number == 30
    issue = content.archive.get(17)
    assert issue is not None and len(issue.sections) == 9


def test_the_cache_gives_the_same_archive_and_notices_changes(
    generated: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "data" / "content-cache.json"
    first = load_content(generated, cache)
    assert cache.exists()
    second = load_content(generated, cache)
    assert second.summary() == first.summary()
    assert second.archive.search("arxiv") == first.archive.search("arxiv")
    assert second.archive.get(3) == first.archive.get(3)
    issue = generated / "issues" / "0003.md"
    issue.write_text(
        issue.read_text(encoding="utf-8").replace("## arXiv", "## arXiv\n\n- 새로운 항목 zqxj"),
        encoding="utf-8",
    )
    third = load_content(generated, cache)
    assert [hit.issue for hit in third.archive.search("zqxj")] == [3]


def test_a_broken_file_is_refused_even_when_the_cache_knew_it(
    generated: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.json"
    load_content(generated, cache)
    (generated / "issues" / "0005.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"0005\.md:1: missing front matter"):
        load_content(generated, cache)


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    cache = tmp_path / "cache.json"
    cache.write_bytes(b"\x00not json")
    content = load_content(tmp_path / "content", cache)
    assert content.summary()["issues"] == 1


def test_search_ranks_title_matches_first_and_newest_first(generated: Path) -> None:
    content = load_content(generated)
    hits = content.archive.search("efficientnet", limit=50)
    assert hits, "the generator uses the seed's words"
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    for a, b in itertools.pairwise(hits):
        if a.score == b.score:
            assert a.issue >= b.issue


def test_search_needs_every_word_and_matches_inside_korean_words(content: object) -> None:
    from bot.content.loader import Content

    assert isinstance(content, Content)
    assert [h.section for h in content.archive.search("EfficientNet인데")] == ["구글블로그"]
    assert content.archive.search("EfficientNet입니다") == []
    assert [h.section for h in content.archive.search("앙상블")] == ["구글블로그"]
    assert [h.section for h in content.archive.search("efficientnet 품평글")] == ["레딧"]
    assert content.archive.search("   ") == []


def test_a_large_glossary_still_suggests_the_misspelt_term(tmp_path: Path) -> None:
    """Above 1,000 names the suggestions come from a trigram prefilter; it must keep recall."""
    from bot.content.glossary import load_glossary

    path = generate(tmp_path / "g", issues=1, terms=2_000) / "glossary.toml"
    glossary = load_glossary(path, path.read_text(encoding="utf-8"))
    sample = glossary.entries[::40]
    found = 0
    for entry in sample:
        term = entry.term
        typo = term[:3] + term[4] + term[3] + term[5:]  # two letters swapped
        result = glossary.lookup(typo)
        found += result.entry is entry or entry in result.suggestions
    assert found >= 0.95 * len(sample), f"{found} of {len(sample)}"
