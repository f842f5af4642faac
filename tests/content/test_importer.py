"""`import`: the author's plain format to the content format, with nothing lost."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.content.editing.importer import Imported, import_issue
from bot.content.models import Issue, Note, NoteKind
from bot.content.parser import parse_issue, parse_issue_file
from bot.core.model.render import issue_thread
from tests.conftest import CONTENT, SEED
from tests.support.seed import seed_fragments, squash

HEAD = "2019년 5월 30일 목요일 뉴랄브리핑\n\n제 0007호 뉴랄브리핑(2019년 5월 30일)\n\n"


def imported(text: str) -> Imported:
    return import_issue(text, "in.txt")


def parsed(text: str) -> Issue:
    result = imported(text)
    assert result.ok, [str(p) for p in result.problems]
    return parse_issue(result.text)[0]


def _notes(notes: tuple[Note, ...], where: str) -> Iterator[str]:
    for n, note in enumerate(notes):
        yield f"{where} note {n}: [{note.kind.value}] {note.plain}"
        yield from _notes(note.children, f"{where} note {n}")


def outline(issue: Issue) -> list[str]:
    """Every section, item title (and link), note text and kind, keyword and link, in order."""
    lines = [f"number {issue.number}", f"date {issue.date}", f"title {issue.title}"]
    lines += [f"keyword {k}" for k in issue.keywords]
    for s, section in enumerate(issue.sections):
        lines.append(f"section {s}: {section.name}")
        for i, item in enumerate(section.items):
            lines.append(f"section {s} item {i}: {item.plain_title} <{item.url}>")
            lines += _notes(item.notes, f"section {s} item {i}")
    lines += [f"link {item.plain_title} <{item.url}>" for item in issue.links]
    return lines


@pytest.fixture(scope="module")
def seed() -> Issue:
    result = import_issue(SEED.read_text(encoding="utf-8"), str(SEED))
    assert result.problems == []
    issue, _ = parse_issue(result.text)
    return issue


def without_lines(value: object) -> object:
    """A model dump without `line` and `path`: where a thing is written, not what it is."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k not in ("line", "path")}
    if isinstance(value, list | tuple):
        return [without_lines(v) for v in value]
    return value


def test_the_seed_imports_as_the_hand_written_0001(seed: Issue) -> None:
    hand, _ = parse_issue_file(CONTENT / "issues" / "0001.md")
    assert outline(seed) == outline(hand)  # pytest lists the differing lines
    assert without_lines(seed.model_dump()) == without_lines(hand.model_dump())  # inline runs too


@pytest.mark.parametrize("fragment", seed_fragments()[2:])
def test_every_fragment_of_the_seed_is_in_the_imported_thread(seed: Issue, fragment: str) -> None:
    thread = squash("\n".join(m.plain for m in issue_thread(seed, "ko").messages))
    assert squash(fragment) in thread


def test_all_62_fragments_are_checked_the_first_two_as_the_heading(seed: Issue) -> None:
    fragments = seed_fragments()
    assert len(fragments) == 62
    thread = squash("\n".join(m.plain for m in issue_thread(seed, "ko").messages))
    assert fragments[1] == seed.heading and fragments[1] in thread
    assert fragments[0] == f"{seed.dateline} {seed.title}" and seed.dateline in thread


def test_crlf_a_bom_and_stray_whitespace_change_nothing() -> None:
    seed = SEED.read_text(encoding="utf-8")
    messy = "\ufeff" + "\r\n".join(line + "  " for line in seed.split("\n"))
    assert imported(messy).text == imported(seed).text


def test_tags_split_a_line_and_a_bare_quote_gathers_the_notes_after_it() -> None:
    issue = parsed(
        HEAD + "소스\n\n- [Item](#) **[요약]** short [의의] why\n - [본문 중]\n - one\n - two\n"
        " - [토막상식] term\n - after\n"
    )
    notes = issue.sections[0].items[0].notes
    assert [(n.kind, n.plain) for n in notes] == [
        (NoteKind.SUMMARY, "short"),
        (NoteKind.SIGNIFICANCE, "why"),
        (NoteKind.QUOTE, ""),
        (NoteKind.TRIVIA, "term"),
        (NoteKind.PLAIN, "after"),
    ]
    assert [c.plain for c in notes[2].children] == ["one", "two"]
    assert issue.number == 7 and issue.sections[0].items[0].url is None


def test_a_line_broken_mid_sentence_is_joined_and_a_caption_stays_with_its_item() -> None:
    issue = parsed(HEAD + "소스\n\n- Item\n - a line broken\n\nin two.\n\nA caption of it.\n")
    assert [n.plain for n in issue.sections[0].items[0].notes] == [
        "a line broken in two.",
        "A caption of it.",
    ]


def test_markdown_like_starts_stay_text() -> None:
    notes = parsed(HEAD + "소스\n\n- Item\n - 1) one\n - [x]=>[y]\n - # not a heading\n")
    texts = [n.plain for n in notes.sections[0].items[0].notes]
    assert texts == ["1) one", "[x]=>[y]", "# not a heading"]


def test_a_note_before_any_item_is_reported_with_its_line_and_kept() -> None:
    result = imported(HEAD + "소스\n\n - stray note\n- Item\n")
    assert [str(p) for p in result.problems] == [
        "in.txt:7: warning: a note before any item of its section: kept with the nearest item"
    ]
    assert result.ok and "  - stray note" in result.text  # reported and kept, never dropped


def test_an_unknown_tag_is_kept_as_text_with_a_warning() -> None:
    result = imported(HEAD + "소스\n\n- Item\n - [메모] later\n")
    assert result.ok and [p.line for p in result.problems if p.warning] == [8]
    assert parse_issue(result.text)[0].sections[0].items[0].notes[0].plain == "[메모] later"


def test_an_empty_section_and_a_second_header_are_reported() -> None:
    result = imported(HEAD + "빈 소스\n\n소스\n- Item\n\n제 0008호 뉴랄브리핑\n")
    assert sorted(str(p) for p in result.problems) == [
        "in.txt:10: a second `제 …호` header (the first is line 3)",
        "in.txt:5: section '빈 소스' has no items",
    ]


def test_number_comes_from_the_header_or_from_the_option() -> None:
    assert import_issue(HEAD + "소스\n- Item\n", number=12).number == 12
    bare = import_issue("2019년 5월 30일\n\n소스\n- Item\n")
    assert not bare.ok and re.search(r"--number", str(bare.problems[0]))
