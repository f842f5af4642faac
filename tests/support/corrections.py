"""What the corrections tests share: content of their own to edit (a copy of the shipped
`content/`), one word changed in it, and a section grown past one Telegram message."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CONTENT

ISSUE = Path("issues/0001.md")
OLD_WORD, NEW_WORD = "자랑만", "자랑을"  # in "AWS Machine Learning Blog", issue 1's 2nd section
SECTION = "## AWS Machine Learning Blog"


def editable_content(tmp_path: Path) -> Path:
    """A copy of the shipped content the test may change."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    return folder


def change_word(content: Path, old: str = OLD_WORD, new: str = NEW_WORD) -> None:
    path = content / ISSUE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in the issue"
    path.write_text(text.replace(old, new), encoding="utf-8")


def grow_section(content: Path, items: int = 40) -> str:
    """Add `items` long items to the AWS section (well past 4,096 characters); the marker
    each added item carries, to find them again."""
    path = content / ISSUE
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(SECTION + "\n\n")
    assert sep, "the AWS section is not in the issue"
    added = "".join(
        f"- Grown item {n}: " + "A long line about model scaling and search engines. " * 3 + "\n"
        for n in range(items)
    )
    path.write_text(head + sep + added + rest, encoding="utf-8")
    return "Grown item"
