"""Content errors always name the file and line: `content/issues/0001.md:12: message`.

Line 0 means the file or folder as a whole (`content/glossary.toml: warning: no glossary`).
A content folder without `issues/` is a configuration fault: `MissingContent` lets the caller
name the key it came from (`[bot] content_dir: /srv/content has no issues/ folder`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class MissingContent(ContentError):
    """The content folder has no `issues/` folder (or does not exist)."""

    def __init__(self, content_dir: str) -> None:
        self.content_dir = content_dir
        super().__init__([Problem(content_dir, 0, "has no issues/ folder")])

    def describe(self, key: str | None = None) -> str:
        """`[bot] content_dir: /srv/content has no issues/ folder` (without `key`, no prefix)."""
        return f"{key + ': ' if key else ''}{self.content_dir} has no issues/ folder"
