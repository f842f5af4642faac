"""`briefing-bot new` (and `import`): the editor's daily steps, on files in `content_dir`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from bot.content.loader import load_content
from bot.content.scaffold import next_path, scaffold, usual_sections
from bot.core.schedule import Schedule


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


def _next_edition_day(schedule: Schedule, latest: dt.date | None) -> dt.date:
    """The day of the next delivery time in the bot's zone, after the latest issue's day."""
    moment = dt.datetime.now(schedule.zone)
    if latest is not None:
        after_latest = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(), schedule.zone)
        moment = max(moment, after_latest - dt.timedelta(microseconds=1))
    return schedule.next_after(moment).astimezone(schedule.zone).date()
