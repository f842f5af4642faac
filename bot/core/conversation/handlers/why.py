"""`/briefing why <reader or channel>` (editors and admins) and a reader's own `/briefing status`
in a DM: what the store and the ledger know of one destination.

    telegram:dm:42
    Subscribed since 2026-12-01 09:12 (Asia/Seoul)
    Every day at 08:30 (Asia/Seoul) · language ko
    The last issues:
    • issue 3: complete, 3 parts at 2026-12-07 08:30:01, 08:30:02, 08:30:02
    • issue 2: 1 of 3 parts sent; then: blocked the bot or left: unsubscribed (2026-12-06 08:30)
    • issue 1: not sent: subscribed after its release (2026-12-01 08:30); /issue 1 shows it
    Next run: 2026-12-08 08:30: nothing new until the next issue is released

What each issue's line says comes from the delivery history (each part's time, the failure
that stopped a thread: `DeliveryHistory`, written by the leader), the ledger (done, half-sent,
release times) and the subscription (a reader subscribed after an issue's release does not get
it). The next run is the timetable's next due moment at the destination's own time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context, Editing
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.inbound import Reply
from bot.core.destination import DeliveryTime, Destination
from bot.core.errors import PlatformError
from bot.core.i18n import Language, t
from bot.core.model.messages import Line, Message, simple, text
from bot.core.ports import ResolvesNames
from bot.core.runs import Attempt

log = logging.getLogger(__name__)
RECENT = 3  # the issues a diagnosis goes through, newest first


async def why(ctx: Context, parsed: p.WhyQuery) -> Reply:
    policy, editing = ctx.ports.policy, ctx.ports.editing
    if policy is None or editing is None:
        return ctx.say("post_unavailable")
    platform = parsed.platform or ctx.command.platform
    if parsed.kind == "name":
        chat = await _resolve(ctx, platform, parsed.target)
        if chat is None:
            return ctx.say("why_unresolved", name=parsed.target)
        dest = (
            Destination(platform, chat)
            if chat.startswith("-")
            else Destination.reader(platform, chat)
        )
    elif parsed.kind == "reader":
        dest = Destination.reader(platform, parsed.target)
    else:
        dest = Destination(platform, parsed.target)
    log.info("why %s, asked by %s:%s", dest.key, ctx.command.platform, ctx.command.user)
    return Reply(await diagnose(ctx, policy, editing, dest, dest.key))


async def own_status(ctx: Context) -> Reply | None:
    """A reader's `/briefing status` in a DM: their own diagnosis (None: not wired)."""
    policy, editing = ctx.ports.policy, ctx.ports.editing
    if policy is None or editing is None:
        return None
    reader = Destination.reader(ctx.command.platform, ctx.command.user)
    return Reply(await diagnose(ctx, policy, editing, reader, t(ctx.language, "why_yours")))


async def _resolve(ctx: Context, platform: str, name: str) -> str | None:
    if platform not in ctx.ports.platforms:
        return None
    found = ctx.ports.platforms.get(platform)
    if not isinstance(found, ResolvesNames):
        return None
    try:
        return await found.resolve(name)
    except PlatformError as exc:
        log.info("%s could not resolve @%s: %s", platform, name, exc)
        return None


@dataclass(frozen=True, slots=True)
class _Standing:
    line: str  # is it a destination, since when
    receives: bool
    since: datetime | None = None  # a reader's subscription


async def diagnose(
    ctx: Context, policy: DestinationPolicy, editing: Editing, dest: Destination, title: str
) -> Message:
    lang, key = ctx.language, dest.key
    timing = await policy.timing(key)
    zone = _zone(timing.zone)
    standing = await _standing(policy, dest, lang, zone)
    chosen = await policy.store.settings(key)
    words = chosen.language or policy.language
    slot = DeliveryTime(chosen.time, chosen.zone or "") if chosen.time else None
    recent = sorted(ctx.content.archive.numbers, reverse=True)[:RECENT]
    kept = await editing.history.recent(key, recent)
    lines: list[str | Line] = [standing.line]
    lines.append(t(lang, "why_timing", time=timing.time, zone=timing.zone, words=words))
    lines.append(t(lang, "why_issues") if recent else t(lang, "archive_empty"))
    done = {n for n in recent if _done(policy, kept.get(n), n, key)}
    for number in recent:
        says = _issue_line(policy, standing, kept.get(number), number, number in done, key,
                           recent[0], lang, zone)  # fmt: skip
        lines.append(Line((text(says),), bullet=True))
    if standing.receives:
        due = _show(editing.next_due(slot), zone)
        upcoming = _upcoming(policy, standing, recent, done, key)
        lines.append(
            t(lang, "why_next_issue", at=due, number=upcoming)
            if upcoming is not None
            else t(lang, "why_next_nothing", at=due)
        )
    return simple(*lines, title=title)


async def _standing(
    policy: DestinationPolicy, dest: Destination, lang: Language, zone: tzinfo
) -> _Standing:
    if dest.user is not None:
        for sub in await policy.subscriptions.subscribers(dest.platform):
            if sub.user == dest.user:
                since = _parse(sub.since)
                shown = _show(since, zone) if since else "-"
                return _Standing(t(lang, "why_reader_on", since=shown), True, since)
        return _Standing(t(lang, "why_reader_off"), False)
    if policy.is_pinned(dest.platform, dest.chat):
        return _Standing(t(lang, "status_pinned"), True)
    opted = await policy.store.channel(dest.platform, dest.chat)
    if opted is None:
        return _Standing(t(lang, "why_channel_off"), False)
    since = _parse(opted.since)
    shown = _show(since, zone) if since else "-"
    return _Standing(t(lang, "why_opted_in", by=opted.by, since=shown), True)


def _done(policy: DestinationPolicy, kept: Attempt | None, number: int, key: str) -> bool:
    in_ledger = policy.ledger is not None and policy.ledger.is_done(number, key)
    return in_ledger or (kept is not None and kept.done)


def _issue_line(
    policy: DestinationPolicy, standing: _Standing, kept: Attempt | None, number: int,
    done: bool, key: str, newest: int, lang: Language, zone: tzinfo,
) -> str:  # fmt: skip
    """What became of issue `number` at the destination `key`."""
    ledger = policy.ledger
    released = ledger.released_at(number) if ledger is not None else None
    if done and kept is not None and kept.sent:
        times = _part_times([at for _, at in kept.sent], zone)
        return t(lang, "why_done", number=number, parts=kept.parts, times=times)
    if done:
        return t(lang, "why_done_untimed", number=number)
    if kept is not None and kept.failure is not None:
        reason = t(lang, f"why_kind_{kept.failure}", detail=kept.detail[:100] or "-")
        return t(lang, "why_failed", number=number, sent=len(kept.sent), parts=kept.parts,
                 reason=reason, at=_show(kept.at, zone))  # fmt: skip
    if (kept is not None and kept.sent) or (ledger is not None and number in ledger.started(key)):
        sent = len(kept.sent) if kept is not None else "?"
        parts = kept.parts if kept is not None else "?"
        return t(lang, "why_partial", number=number, sent=sent, parts=parts)
    if released is None:
        return t(lang, "why_unreleased", number=number)
    if not standing.receives:
        return t(lang, "why_not_destination", number=number)
    if standing.since is not None and released < standing.since:
        return t(lang, "why_after_release", number=number, released=_show(released, zone))
    if number == newest:
        return t(lang, "why_due", number=number)
    return t(lang, "why_older", number=number)


def _upcoming(
    policy: DestinationPolicy, standing: _Standing, recent: list[int], done: set[int], key: str
) -> int | None:
    """The issue the next run brings: a half-sent one first, else the newest not yet had."""
    ledger = policy.ledger
    half = [n for n in ledger.started(key) if n in recent] if ledger is not None else []
    if half:
        return half[0]
    if not recent or recent[0] in done:
        return None
    released = ledger.released_at(recent[0]) if ledger is not None else None
    if standing.since is not None and released is not None and released < standing.since:
        return None
    return recent[0]


def _part_times(times: list[datetime], zone: tzinfo) -> str:
    """ "2026-12-07 08:30:01, 08:30:02": the date once, then each part's time."""
    local = [at.astimezone(zone) for at in sorted(times)]
    first = local[0].strftime("%Y-%m-%d %H:%M:%S")
    return ", ".join([first, *(at.strftime("%H:%M:%S") for at in local[1:])])


def _show(at: datetime, zone: tzinfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
