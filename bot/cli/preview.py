"""`briefing-bot preview N --platform P`: print exactly what would be sent for issue N."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bot.content.archive import Archive
from bot.content.models import Issue


def preview(archive: Archive, number: int, render: Callable[[Issue], str]) -> int:
    """Issue `number` of `archive` (drafts and scheduled issues too), as `render` sends it."""
    issue = archive.get(number)
    if issue is None:
        print(f"no issue {number} (have: {', '.join(map(str, archive.numbers))})", file=sys.stderr)
        return 2
    if issue.draft:
        print(f"issue {number} is a draft: not released while `draft = true`", file=sys.stderr)
    elif issue.publish_at is not None:
        print(f"issue {number} is released at {issue.publish_at.isoformat()}", file=sys.stderr)
    print(render(issue))
    return 0
