"""Content folders for the editors' tests: a copy of content/ plus issues written by the test."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from tests.conftest import CONTENT

SECOND = (CONTENT / "issues" / "0001.md").read_text(encoding="utf-8")


def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target, ignore=shutil.ignore_patterns("content-cache.json"))
    return target


def second_issue(front: str = "", number: int = 2) -> str:
    """Issue 1's body as issue `number`, with extra front matter lines (`draft = true`, ...)."""
    return SECOND.replace("number = 1\n", f"number = {number}\n{front}", 1).replace(
        "- EfficientNet: Improving", f"- 제{number}호 첫 기사 EfficientNet: Improving", 1
    )


def add_issues(folder: Path, numbers: Iterable[int], front: str = "") -> None:
    """`second_issue(front, n)` written as `issues/<n>.md` of `folder` for each of `numbers`."""
    for number in numbers:
        path = folder / "issues" / f"{number:04d}.md"
        path.write_text(second_issue(front, number=number), encoding="utf-8")
