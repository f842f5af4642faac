"""`briefing-bot new` (and `import`): the editor's daily steps, on files in `content_dir`; and
`briefing-bot test [N] --to slack:U123`, /briefing test from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from bot.config import Settings
from bot.content.editing.importer import import_issue
from bot.content.editing.scaffold import next_path, scaffold, usual_sections
from bot.content.errors import ContentError, Problem
from bot.content.loader import load_content
from bot.content.parser import parse_issue, read_text
from bot.core.delivery.cron import Schedule


def new_issue(content_dir: Path, schedule: Schedule, date: dt.date | None) -> int:
    """Write the next issue as a draft; never overwrite a file."""
    archive = load_content(content_dir).archive
    number, path = next_path(content_dir / "issues", archive)
    if date is None:
        date = _next_edition_day(schedule, archive.entries[-1].date if archive.entries else None)
    title = archive.latest.title if archive.latest else "뉴랄브리핑"
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(scaffold(number, date, title, usual_sections(archive)))
    except FileExistsError:
        print(f"briefing-bot new: {path} already exists; nothing written", file=sys.stderr)
        return 2
    print(path)
    print(f"next: write the items, then `briefing-bot validate` and `preview {number}`;")
    print("remove `draft = true` (or set publish_at) to release it")
    return 0


def import_file(content_dir: Path, source: Path, number: int | None, *, check: bool) -> int:
    """Convert `source` (the author's format) to `issues/NNNN.md` if every line found its place
    and the result is a valid issue; `check` prints the result and the report, writes nothing."""
    result = import_issue(read_text(source), str(source), number)
    path = content_dir / "issues" / f"{result.number or 0:04d}.md"
    problems = list(result.problems)
    if result.ok:
        try:
            parse_issue(result.text, str(path))
        except ContentError as exc:
            problems += exc.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    failed = any(not p.warning for p in problems)
    if check:
        print(result.text, end="")
        return 2 if failed else 0
    if failed:
        print(f"briefing-bot import: {source}: nothing written", file=sys.stderr)
        return 2
    return _write_new(path, result.text, problems)


def _write_new(path: Path, text: str, problems: list[Problem]) -> int:
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        print(f"briefing-bot import: {path} already exists; nothing written", file=sys.stderr)
        return 2
    print(path)
    warned = f" ({len(problems)} warnings above)" if problems else ""
    print(f"next: `briefing-bot validate` and `preview {int(path.stem)}`{warned}")
    return 0


def _next_edition_day(schedule: Schedule, latest: dt.date | None) -> dt.date:
    """The day of the next delivery time in the bot's zone, after the latest issue's day."""
    moment = dt.datetime.now(schedule.zone)
    if latest is not None:
        after_latest = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(), schedule.zone)
        moment = max(moment, after_latest - dt.timedelta(microseconds=1))
    return schedule.next_after(moment).astimezone(schedule.zone).date()


def test_send(settings: Settings, config: Path | None, number: int | None, to: str) -> int:
    """Issue `number` (None: the next to be released) to the DM of `to`, as /briefing test
    sends it: exit 0 once sent, 1 if it could not be, 2 for a `--to` no platform here has."""
    from bot import app as application
    from bot.app.editors import test_send as send

    platform, _, user = to.partition(":")
    names = [p.name for p, _ in application.enabled(settings)]
    if platform not in names or not user:
        wanted = ", ".join(f"{name}:<user id>" for name in names) or "an enabled platform"
        print(f"briefing-bot test: --to {to!r} is not one of {wanted}", file=sys.stderr)
        return 2
    built = application.build(settings, config, read_only=True)
    sent, answer = asyncio.run(send(built, number, to))
    print(answer, file=sys.stdout if sent else sys.stderr)
    return 0 if sent else 1
