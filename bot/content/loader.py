"""Load `content/` (issues and glossary) as one snapshot, or fail with every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.content.archive import Archive
from bot.content.errors import ContentError, Problem
from bot.content.glossary import Glossary, load_glossary
from bot.content.models import Issue
from bot.content.parser import MAX_GLOSSARY_BYTES, parse_issue_file, read_text


@dataclass(frozen=True)
class Content:
    archive: Archive
    glossary: Glossary
    warnings: tuple[Problem, ...] = field(default=())

    def summary(self) -> dict[str, int]:
        issues = list(self.archive)
        return {
            "issues": len(issues),
            "sections": sum(len(i.sections) for i in issues),
            "items": sum(len(s.items) for i in issues for s in i.sections),
            "terms": len(self.glossary),
        }


def load_content(content_dir: Path) -> Content:
    """Parse every `issues/*.md` and `glossary.toml` under `content_dir`."""
    problems: list[Problem] = []
    issues: list[Issue] = []
    issue_dir = content_dir / "issues"
    if not issue_dir.is_dir():
        raise ContentError([Problem(str(issue_dir), 0, "no issues directory")])
    owners: dict[int, str] = {}
    for path in sorted(issue_dir.glob("*.md")):
        try:
            issue, found = parse_issue_file(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(found)
        if issue.number in owners:
            problems.append(
                Problem(
                    str(path),
                    2,
                    f"issue number {issue.number} is also used by {owners[issue.number]}",
                )
            )
            continue
        if path.stem.isdigit() and int(path.stem) != issue.number:
            problems.append(
                Problem(
                    str(path), 2, f"file name says {int(path.stem)} but number = {issue.number}"
                )
            )
        owners[issue.number] = str(path)
        issues.append(issue)
    glossary = _glossary(content_dir / "glossary.toml", problems)
    for entry in glossary.entries:
        if entry.first_issue not in owners and owners:
            message = f"{entry.term!r}: first_issue {entry.first_issue} is not in the archive"
            problems.append(Problem(str(content_dir / "glossary.toml"), entry.line, message))
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)
    if not issues:
        raise ContentError(
            [Problem(str(issue_dir), 0, "no issues found (expected issues/0001.md, ...)")]
        )
    return Content(Archive(issues), glossary, tuple(problems))


def _glossary(path: Path, problems: list[Problem]) -> Glossary:
    if not path.exists():
        problems.append(Problem(str(path), 0, "no glossary: /term will find nothing", warning=True))
        return Glossary([])
    try:
        return load_glossary(path, read_text(path, MAX_GLOSSARY_BYTES))
    except ContentError as exc:
        problems.extend(exc.problems)
        return Glossary([])
