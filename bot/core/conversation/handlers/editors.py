"""The editors' commands (editors and admins: the table's `who`): a test send to yourself
(`/briefing test [N]`, Telegram `/test [N]`), approval before release (`/briefing approve N`
and the test send's approve button) and one issue's status (`/briefing status N`).

Each takes the content on disk first, as /reload would (`Ports.refresh`): an editor tests and
approves the file they just saved, and content with problems is answered with its `file:line`
problems instead. A test send goes only to the asker's DM (`TestSender`: the delivery's own
rendering for a reader there); nothing is recorded, nothing released.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import zoneinfo

from bot.content.archive import Entry
from bot.core.approvals import Approvals, digest
from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context
from bot.core.conversation.handlers.lookups import ranges, refusal
from bot.core.conversation.inbound import Reply
from bot.core.errors import PlatformError, RecipientGone
from bot.core.i18n import Language, t
from bot.core.model.messages import Block, Button, Line, Message, bold, simple

log = logging.getLogger(__name__)


async def test_send(ctx: Context, parsed: p.TestSend) -> Reply:
    _, reply = await send_test(ctx, parsed.number)
    return reply


async def send_test(ctx: Context, number: int | None) -> tuple[int, Reply]:
    """Issue `number` (None: the next to be released) to the asker's DM: how many messages
    that took (0: none was sent) and the answer to give."""
    ports, lang = ctx.ports, ctx.language
    if ports.tester is None:
        return 0, ctx.say("post_unavailable")
    problems = await _on_disk(ctx)
    if problems is not None:
        return 0, problems
    number = number if number is not None else next_up(ctx)
    entry = ports.live.loaded.archive.entry(number) if number is not None else None
    if entry is None:
        if number is None:
            return 0, ctx.say("test_nothing")
        return 0, ctx.say("issue_not_found", number=number, available=_loaded(ctx))
    who = ctx.command
    policy = ports.policy  # the DM speaks the asker's language, whatever chat they asked in
    mine = await policy.language_for(dataclasses.replace(who, is_dm=True)) if policy else lang
    try:
        sent = await ports.tester.test_send(
            entry.number, who.platform, who.user, mine, lambda top: mark(ctx, entry, top, mine)
        )
    except RecipientGone:
        return 0, ctx.say("test_no_dm")
    except PlatformError as exc:
        log.warning("test send of issue %d to %s:%s failed: %s", entry.number, who.platform,
                    who.user, exc)  # fmt: skip
        return 0, ctx.say("test_failed", reason=str(exc)[:200])
    await ctx.audit("test", f"issue {entry.number}: {sent} messages to the asker's DM")
    return sent, ctx.say("test_sent", number=entry.number, messages=sent)


async def approve(ctx: Context, parsed: p.Approve) -> Reply:
    approvals = ctx.ports.approvals
    if approvals is None:
        return ctx.say("post_unavailable")
    problems = await _on_disk(ctx)
    if problems is not None:
        return problems
    entry = ctx.ports.live.loaded.archive.entry(parsed.number)
    if entry is None:
        return ctx.say("issue_not_found", number=parsed.number, available=_loaded(ctx))
    if parsed.digest and not digest(entry).startswith(parsed.digest):
        return ctx.say("approve_stale", number=entry.number)
    if entry.draft:
        return ctx.say("approve_draft", number=entry.number)
    out = released(ctx, entry)
    if out is not None:
        return ctx.say("approve_released", number=entry.number, at=when(ctx, out))
    by = f"{ctx.command.platform}:{ctx.command.user}"
    approval = await approvals.approve(entry, by, ctx.ports.live.now())
    log.info("issue %d approved by %s (content %s)", entry.number, by, approval.digest[:16])
    await ctx.audit("approve", f"issue {entry.number} (content {approval.digest[:16]})")
    due = ctx.ports.live.release.time_of(entry)
    plan = t(ctx.language, "release_at", at=when(ctx, due)) if due else ""
    if not approvals.required:
        plan = f"{plan} {t(ctx.language, 'approve_not_needed')}".strip()
    return ctx.say("approved", number=entry.number, by=by, at=when(ctx, approval.at), when=plan)


async def press_approve(ctx: Context, parsed: p.Approve) -> Reply:
    """The approve button of a test send: approves the content it was sent with; a refusal
    (changed since, a draft, out already) is a short notice."""
    reply = await approve(ctx, parsed)
    approvals, entry = ctx.ports.approvals, ctx.ports.live.loaded.archive.entry(parsed.number)
    if approvals is None or entry is None or approvals.of(entry) is None:
        return dataclasses.replace(reply, notice=True)
    return reply


async def issue_status(ctx: Context, parsed: p.IssueStatus) -> Reply:
    approvals = ctx.ports.approvals
    if approvals is not None:
        await approvals.reload()  # another replica may have approved
    entry = ctx.ports.live.loaded.archive.entry(parsed.number)
    if entry is None:
        return ctx.say("issue_not_found", number=parsed.number, available=_loaded(ctx))
    lines = status_lines(ctx, entry)
    return Reply(simple(*lines, title=t(ctx.language, "status_issue", number=entry.number,
                                         title=entry.title)))  # fmt: skip


def status_lines(ctx: Context, entry: Entry) -> list[str]:
    """Where issue `entry` is: its file, its release (draft, due, out) and its approval."""
    lang, live, approvals = ctx.language, ctx.ports.live, ctx.ports.approvals
    out = released(ctx, entry)
    due = live.release.time_of(entry)
    if out is not None:
        release = t(lang, "release_done", at=when(ctx, out))
    elif due is None:
        release = t(lang, "release_draft")
    else:
        release = t(lang, "release_at", at=when(ctx, due))
    lines = [entry.path, release]
    if approvals is not None and out is None:
        lines.append(approval_line(lang, approvals, entry, ctx))
        if due is not None and due <= live.now() and not approvals.releasable(entry, due):
            lines.append(t(lang, "approval_held"))
    return lines


def released(ctx: Context, entry: Entry) -> dt.datetime | None:
    """When `entry` was released (a run started delivering it, else its release time), if
    readers see it now; None if not released."""
    live, approvals = ctx.ports.live, ctx.ports.approvals
    out = approvals.released_at(entry.number) if approvals is not None else None
    if out is None and entry.number in live.current.archive.numbers:
        out = live.release.time_of(entry)
    return out


def approval_line(lang: Language, approvals: Approvals, entry: Entry, ctx: Context) -> str:
    found = approvals.of(entry)
    if found is not None:
        return t(lang, "approval_by", by=found.by, at=when(ctx, found.at))
    return t(lang, "approval_waiting" if approvals.required else "approval_off")


def mark(ctx: Context, entry: Entry, parent: Message, lang: Language) -> Message:
    """A test send's parent: the test banner above it and, with approval required and the
    issue not approved as it is, the approve button (for this content: a press after the file
    changed approves nothing)."""
    banner = Block((Line((bold(t(lang, "test_mark")),)),))
    marked = dataclasses.replace(parent, blocks=(banner, *parent.blocks))
    approvals = ctx.ports.approvals
    if approvals is None or not approvals.required or approvals.of(entry) is not None:
        return marked
    button = Button(t(lang, "approve_button"), p.approve_data(entry.number, digest(entry)))
    return dataclasses.replace(marked, buttons=(*marked.buttons, button))


def next_up(ctx: Context) -> int | None:
    """The next issue to be released (held ones first, drafts last); else the newest."""
    live = ctx.ports.live
    upcoming = live.release.upcoming(live.loaded.archive, live.now())
    if upcoming:
        return upcoming[0][0].number
    numbers = live.loaded.archive.numbers
    return numbers[-1] if numbers else None


async def _on_disk(ctx: Context) -> Reply | None:
    """Take the content on disk; its problems as the answer if it was refused."""
    live = ctx.ports.live
    if ctx.ports.refresh is not None:
        await ctx.ports.refresh()
    elif live.reloadable:
        live.refresh()
    if live.refused is not None:
        return Reply(refusal(live.refused, ctx.language, "content_problems"))
    return None


def _loaded(ctx: Context) -> str:
    """The issues on disk (drafts included), as ranges, for an editor's miss."""
    return ranges(ctx.ports.live.loaded.archive.numbers) or "-"


def when(ctx: Context, at: dt.datetime | None) -> str:
    """`at` in the bot's zone: "2026-12-08 08:30 Asia/Seoul"."""
    if at is None:
        return "-"
    policy = ctx.ports.policy
    zone = policy.default.zone if policy is not None else "UTC"
    local = at.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone}"
