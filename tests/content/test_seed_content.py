"""The seed issue, as its author wrote it, survives the trip to a thread: nothing is lost."""

from __future__ import annotations

import pytest

from bot.content.loader import Content
from bot.content.models import NoteKind
from bot.core.model.render import issue_thread
from tests.conftest import SEED
from tests.support.seed import seed_fragments, squash


@pytest.fixture(scope="module")
def thread_text(content: Content) -> str:
    issue = content.archive.get(1)
    assert issue is not None
    return squash("\n".join(message.plain for message in issue_thread(issue, "ko").messages))


def test_the_seed_is_read_as_many_fragments() -> None:
    assert len(seed_fragments()) > 60


@pytest.mark.parametrize("fragment", seed_fragments()[2:])
def test_every_fragment_of_the_seed_is_in_the_thread(fragment: str, thread_text: str) -> None:
    assert squash(fragment) in thread_text


def test_title_and_dateline_match_the_seed(content: Content, thread_text: str) -> None:
    first, second = seed_fragments()[:2]
    assert first == "2019년 5월 30일 목요일 뉴랄브리핑"
    assert second == "제 0001호 뉴랄브리핑(2019년 5월 30일)"
    assert second in thread_text
    assert "2019년 5월 30일 목요일" in thread_text


def test_nine_sections_plus_useful_links_make_ten_replies(content: Content) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    assert [s.name for s in issue.sections] == [
        "구글블로그", "AWS Machine Learning Blog", "Facebook Research Blog",
        "Machine teaching with Dr. Patrice Simard", "arXiv", "레딧", "트위터 (Yann LeCun)",
        "파비", "기타소식",
    ]  # fmt: skip
    assert [item.plain_title for item in issue.links] == [
        "Microsoft Machine Teaching Group",
        "Microsoft Research Potcast",
    ]
    assert issue.keywords == ("AutoML",)
    assert len(issue_thread(issue, "ko").replies) == 10


def test_every_note_kind_of_the_seed_is_kept(content: Content) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    kinds = [n.kind for s in issue.sections for i in s.items for n in i.notes]
    assert kinds.count(NoteKind.TRIVIA) == 4
    assert kinds.count(NoteKind.SUMMARY) == 3
    assert kinds.count(NoteKind.SIGNIFICANCE) == 3
    assert kinds.count(NoteKind.QUOTE) == 1


def test_tex_is_shown_readably(thread_text: str) -> None:
    assert "depth = α_φ" in thread_text
    assert "α · β² · γ² ≈ c" in thread_text
    assert "\\text" not in thread_text and "$" not in thread_text


def test_placeholder_links_become_unlinked_titles(content: Content) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    assert all(item.url is None for s in issue.sections for item in s.items)
    assert "(#)" not in thread_text_of(content)


def thread_text_of(content: Content) -> str:
    issue = content.archive.get(1)
    assert issue is not None
    return "\n".join(m.plain for m in issue_thread(issue, "ko").messages)


def test_the_fixture_is_the_authors_file_when_shared_is_beside_the_repo() -> None:
    shared = SEED.parents[3] / "shared" / "seed" / "000_d649431efd7e0d2a.txt"
    if shared.exists():
        assert shared.read_bytes() == SEED.read_bytes()
    assert SEED.read_bytes().count(b"\n") > 80
