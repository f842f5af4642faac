"""`briefing-bot preview N --platform P`: print exactly what would be sent for issue N."""

from __future__ import annotations

import sys

from bot.app import App
from bot.core.model.render import issue_thread


def preview(app: App, number: int, platform: str) -> int:
    archive = app.live.loaded.archive  # drafts and scheduled issues too
    issue = archive.get(number)
    if issue is None:
        print(f"no issue {number} (have: {', '.join(map(str, archive.numbers))})", file=sys.stderr)
        return 2
    if issue.draft:
        print(f"issue {number} is a draft: not released while `draft = true`", file=sys.stderr)
    elif issue.publish_at is not None:
        print(f"issue {number} is released at {issue.publish_at.isoformat()}", file=sys.stderr)
    thread = issue_thread(issue, app.settings.bot.language, app.service.web)
    if platform == "console":
        from bot.adapters.console.platform import render_thread

        print(render_thread(thread))
        return 0
    if platform == "telegram":
        from bot.adapters.telegram.render import preview_lines

        print("\n".join(preview_lines(thread)))
        return 0
    if platform == "slack":
        from bot.adapters.slack.render import preview_json

        print(preview_json(thread))
        return 0
    raise ValueError(f"no renderer for platform {platform!r}")
