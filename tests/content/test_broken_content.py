"""A corpus of broken content: `briefing-bot validate` answers each with `path:line: message`
and exit code 2, never a traceback."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CONTENT

GOOD = '+++\nnumber = 2\ndate = 2019-05-31\ntitle = "뉴랄브리핑"\n+++\n\n## arXiv\n\n- [A](https://a.example)\n  - [요약] s\n'
ENTRY = '[[terms]]\nterm = "{term}"\naliases = ["{alias}"]\ndefinition = "d"\nfirst_issue = 1\nfirst_section = "arXiv"\n'
CORPUS: dict[str, tuple[str, bytes, str]] = {
    # name: (file, bytes, expected "path-suffix:line: text")
    "bad front matter": ("issues/0002.md", b'+++\nnumber = 2\ndate = "yesterday"\ntitle = "x"\n+++\n', "0002.md:3: 'date' must be a date"),
    "unclosed front matter": ("issues/0002.md", b"+++\nnumber = 2\n", "0002.md:1: front matter is not closed"),
    "duplicate number": ("issues/0002.md", GOOD.replace("number = 2", "number = 1").encode(), "0002.md:2: issue number 1 is also used by"),
    "missing sections": ("issues/0002.md", GOOD.split("## arXiv")[0].encode(), "0002.md:6: no `## section`"),
    "empty section": ("issues/0002.md", GOOD.replace("## arXiv", "## 레딧\n\n## arXiv").encode(), "0002.md:7: section '레딧' has no items"),
    "unknown note tag": ("issues/0002.md", GOOD.replace("[요약]", "[요얏]").encode(), "0002.md:10: unknown note tag [요얏]"),
    "tag on an item": ("issues/0002.md", GOOD.replace("- [A](https://a.example)", "- [의의] A").encode(), "0002.md:9: a tag like [요약] belongs on a note"),
    "invalid UTF-8": ("issues/0002.md", GOOD.encode().replace(b"s\n", b"\xc3\x28\n"), "0002.md:10: not valid UTF-8"),
    "5 MB file": ("issues/0002.md", GOOD.encode() + b"x" * 5_000_000, "0002.md:1: file is 5,000,"),
    "file name and number disagree": ("issues/0003.md", GOOD.encode(), "0003.md:2: file name says 3 but number = 2"),
    "glossary duplicate alias": ("glossary.toml", (ENTRY.format(term="A1", alias="same") + ENTRY.format(term="A2", alias="SAME")).encode(), "glossary.toml:7: 'SAME' of 'A2' is already used by 'A1'"),
    "glossary missing field": ("glossary.toml", b'[[terms]]\nterm = "x"\nfirst_issue = 1\nfirst_section = "arXiv"\n', "glossary.toml:1: definition: Field required"),
    "glossary bad TOML": ("glossary.toml", b"[[terms]\n", "glossary.toml:1: not valid TOML"),
    "glossary unknown issue": ("glossary.toml", ENTRY.format(term="X", alias="y").replace("first_issue = 1", "first_issue = 99").encode(), "glossary.toml:1: 'X': first_issue 99 is not in the archive"),
}  # fmt: skip


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    """`main()` configures logging for a process; undo that for the tests that follow."""
    names = [
        "",
        "bot",
        "httpx",
        "aiohttp.access",
        "slack_bolt",
        "slack_sdk",
        "telegram",
        "apscheduler",
    ]
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = {h: list(h.filters) for h in logging.getLogger().handlers}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler, filters in handlers.items():
        handler.filters[:] = filters


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_validate_names_the_file_and_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    name, data, expected = CORPUS[case]
    (content / name).write_bytes(data)
    assert main(["validate", str(content)]) == 2
    err = capsys.readouterr().err
    assert any(line.startswith(str(content)) and expected in line for line in err.splitlines()), err
    assert "Traceback" not in err


def test_good_content_validates_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CONTENT)]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 issues, 9 sections, 15 items, 25 terms")
