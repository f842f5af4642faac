"""Broken content gives `path:line: message`, one problem per fault, never a traceback."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.glossary import load_glossary
from bot.content.loader import load_content
from bot.content.models import NoteKind
from bot.content.parser import parse_issue, parse_issue_file

GOOD = """+++
number = 2
date = 2019-05-31
title = "뉴랄브리핑"
keywords = ["BERT"]
+++

## arXiv

- [A paper](https://arxiv.org/abs/1)
  - [요약] short summary with $\\alpha$
    - a sub-note
  - **[토막상식]** trivia
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ContentError) as caught:
        parse_issue(text, "issues/0002.md")
    return [str(p) for p in caught.value.problems]


def test_a_good_issue_parses_with_links_kinds_and_lines() -> None:
    issue, warnings = parse_issue(GOOD, "issues/0002.md")
    item = issue.sections[0].items[0]
    assert item.url == "https://arxiv.org/abs/1" and item.plain_title == "A paper"
    assert [n.kind for n in item.notes] == [NoteKind.SUMMARY, NoteKind.TRIVIA]
    assert item.notes[0].children[0].plain == "a sub-note"
    assert item.notes[0].plain == "short summary with α"
    assert item.line == 10
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("number = 2\n", "issues/0002.md:1: missing front matter"),
        ("+++\nnumber = 2\n", "issues/0002.md:1: front matter is not closed"),
        ('+++\nnumber = "two"\ndate = 2019-05-31\ntitle = "x"\n+++\n', "issues/0002.md:2: 'number' must be a int"),
        ("+++\nnumber = 2\ndate = 2019-05-31\n+++\n", "issues/0002.md:1: front matter is missing 'title'"),
        ('+++\nnumber = 2\ndate = 2019-05-31\ntitle = "x"\nauthor = "me"\n+++\n', "issues/0002.md:5: unknown front matter key 'author'"),
        ('+++\nnumber = 2\ndate = 2019-05-31\ntitle = "x\n+++\n', "issues/0002.md:4: front matter is not valid TOML"),
        (GOOD.replace("[요약]", "[요엑]"), "issues/0002.md:11: unknown note tag [요엑]"),
        (GOOD.replace("## arXiv", "## arXiv\n\n## empty"), "issues/0002.md:8: section 'arXiv' has no items"),
        (GOOD.replace("## arXiv", "# arXiv"), "issues/0002.md:8: unexpected h1 heading"),
        (GOOD + "\nloose paragraph\n", "issues/0002.md:15: unexpected paragraph outside a bullet"),
        (GOOD.replace("## arXiv\n", "## arXiv\n\n- x\n\n## arXiv\n"), "section 'arXiv' appears twice"),
        (GOOD.split("## arXiv")[0], "issues/0002.md:7: no `## section`"),
    ],
)  # fmt: skip
def test_each_fault_is_reported_with_its_line(text: str, expected: str) -> None:
    assert any(expected in problem for problem in problems_of(text)), problems_of(text)


def test_a_javascript_link_is_never_a_link() -> None:
    issue, _ = parse_issue(GOOD.replace("https://arxiv.org/abs/1", "javascript:alert(1)"), "x.md")
    item = issue.sections[0].items[0]
    assert item.url is None and all(run.url is None for run in item.title)


def test_placeholder_links_warn_and_stay_unlinked() -> None:
    issue, warnings = parse_issue(GOOD.replace("https://arxiv.org/abs/1", "#"), "x.md")
    assert issue.sections[0].items[0].url is None
    assert any("placeholder link" in str(w) for w in warnings)


def test_invalid_utf8_and_huge_files_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "0003.md"
    bad.write_bytes(b"+++\nnumber = 3\n\xff\xfe\n")
    with pytest.raises(ContentError, match=r"0003.md:3: not valid UTF-8"):
        parse_issue_file(bad)
    huge = tmp_path / "0004.md"
    huge.write_bytes(b"x" * 5_000_000)
    with pytest.raises(
        ContentError, match=r"0004.md:1: file is 5,000,000 bytes; the limit is 1,000,000"
    ):
        parse_issue_file(huge)


def test_duplicate_issue_numbers_across_files(tmp_path: Path) -> None:
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "0002.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "issues" / "0003.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(tmp_path)
    messages = [str(p) for p in caught.value.problems]
    assert any("0003.md:2: issue number 2 is also used by" in m for m in messages), messages


def test_a_glossary_alias_used_twice_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "0002.md").write_text(GOOD, encoding="utf-8")
    entry = 'term = "{t}"\naliases = ["{a}"]\ndefinition = "d"\nfirst_issue = 2\nfirst_section = "arXiv"\n'
    glossary = (
        "[[terms]]\n"
        + entry.format(t="BERT", a="버트")
        + "\n[[terms]]\n"
        + entry.format(t="ERNIE", a="버-트")
    )
    (tmp_path / "glossary.toml").write_text(glossary, encoding="utf-8")
    with pytest.raises(
        ContentError, match=r"glossary.toml:8: '버-트' of 'ERNIE' is already used by 'BERT'"
    ):
        load_content(tmp_path)


def test_decomposed_hangul_is_composed_when_parsed(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "각주")  # as macOS editors write it
    text = GOOD.replace("뉴랄브리핑", nfd).replace("BERT", nfd).replace("arXiv", nfd)
    issue, _ = parse_issue(text.replace("short summary", nfd).replace("A paper", nfd), "x.md")
    item = issue.sections[0].items[0]
    fields = [issue.title, *issue.keywords, issue.sections[0].name, item.plain_title]
    assert [*fields, item.notes[0].plain] == ["각주"] * 4 + ["각주 with α"]
    entry = 'term = "{0}"\naliases = ["{0}2"]\ndefinition = "{0}"\nfirst_issue = 2\nfirst_section = "{0}"\n'
    glossary = load_glossary(tmp_path / "g.toml", "[[terms]]\n" + entry.format(nfd)).entries[0]
    assert [glossary.term, *glossary.aliases, glossary.definition, glossary.first_section] == [
        "각주", "각주2", "각주", "각주"
    ]  # fmt: skip


def test_tex_the_table_cannot_render_is_kept_as_written_and_warned() -> None:
    text = GOOD.replace("$\\alpha$", "$\\alpha$, $\\frac{a}{b}$ and $\\mathcal{O}(n^2)$")
    issue, warnings = parse_issue(text, "issues/0002.md")
    note = issue.sections[0].items[0].notes[0]
    assert note.plain == "short summary with α, $\\frac{a}{b}$ and $\\mathcal{O}(n^2)$"
    assert [str(w) for w in warnings] == [
        "issues/0002.md:11: warning: TeX $\\frac{a}{b}$ kept as written (no rendering for \\frac)",
        "issues/0002.md:11: warning: TeX $\\mathcal{O}(n^2)$ kept as written "
        "(no rendering for \\mathcal)",
    ]
