"""`/briefing reports on|off`: whether the asker (an editor or admin) gets the report every
delivery run ends with (`AdminNotices.tell_run`). The choice is kept in the store
(`ReportChoices`), per "platform:user", so it holds on every replica and after a restart."""

from __future__ import annotations

import logging

from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context
from bot.core.conversation.inbound import Reply

log = logging.getLogger(__name__)


async def set_reports(ctx: Context, parsed: p.ReportsChoice) -> Reply:
    editing = ctx.ports.editing
    if editing is None:
        return ctx.say("post_unavailable")
    who = f"{ctx.command.platform}:{ctx.command.user}"
    if who not in editing.recipients:
        return ctx.say("reports_not_recipient")
    changed = await editing.reports.set_reports(who, parsed.on)
    log.info("run reports %s for %s%s", "on" if parsed.on else "off", who,
             "" if changed else " (unchanged)")  # fmt: skip
    return ctx.say("reports_on" if parsed.on else "reports_off")
