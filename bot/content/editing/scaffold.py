"""The next issue's file, as `briefing-bot new` writes it: a draft with the usual sections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.content.archive import Archive

DEFAULT_SECTIONS = ("구글블로그", "arXiv", "레딧", "기타소식", "Useful links")


def next_path(issue_dir: Path, archive: Archive) -> tuple[int, Path]:
    """The next number (after the archive's and any file already there) and its file."""
    taken = [*archive.numbers, *(int(p.stem) for p in issue_dir.glob("*.md") if p.stem.isdigit())]
    number = max(taken, default=0) + 1
    return number, issue_dir / f"{number:04d}.md"


def scaffold(number: int, date: dt.date, title: str, sections: tuple[str, ...]) -> str:
    headings = "\n\n".join(f"## {name}\n" for name in sections or DEFAULT_SECTIONS)
    return (
        f'+++\nnumber = {number}\ndate = {date.isoformat()}\ntitle = "{title}"\n'
        f"keywords = []\ndraft = true\n+++\n\n{headings}"
    )


def usual_sections(archive: Archive) -> tuple[str, ...]:
    """The latest issue's sections (and its links section), else the defaults."""
    latest = archive.latest
    if latest is None:
        return DEFAULT_SECTIONS
    names = tuple(section.name for section in latest.sections)
    return (*names, "Useful links") if latest.links else names
