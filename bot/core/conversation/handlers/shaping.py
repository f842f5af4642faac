"""What and how often a destination gets: `/mute`, `/unmute` (and `/briefing mute|unmute` for a
channel) and the weekly digest (`/subscribe weekly …`, `/subscribe daily`, `/briefing weekly …`,
`/briefing daily`). Both are the destination's settings (`DestinationSettings.muted`, `weekly`);
the planner reads them. A channel is changed by whom `[bot] channel_opt_in` allows."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.content.names import normalise
from bot.core.conversation import parsing as p
from bot.core.conversation import sections
from bot.core.conversation.context import Context
from bot.core.conversation.destinations import DestinationPolicy, day_name, dm_key
from bot.core.conversation.inbound import Reply
from bot.core.i18n import Language, t
from bot.core.model.messages import Block, Line, Message, bold, simple, text
from bot.core.model.render import shown

log = logging.getLogger(__name__)


async def mute(ctx: Context, parsed: p.Mute) -> Reply:
    return await _change(ctx, parsed.section, parsed.channel, on=True)


async def unmute(ctx: Context, parsed: p.Unmute) -> Reply:
    return await _change(ctx, parsed.section, parsed.channel, on=False)


async def _change(ctx: Context, section: str, channel: bool, *, on: bool) -> Reply:
    """Mute (`on`) or unmute `section` for the reader or (`channel`, in a channel) the
    channel; no section: list them."""
    policy, command = ctx.ports.policy, ctx.command
    if policy is None:
        return ctx.say("post_unavailable")
    channel = channel and not command.is_dm
    key = dm_key(command.platform, command.user)
    if channel:
        key = f"{command.platform}:{command.chat}"
    chosen = await policy.store.settings(key)
    names = sections.section_names(ctx.content.archive)
    if not section:
        return Reply(_listing(names, chosen.muted, ctx.language))
    found = sections.find(names, section)
    if found.name is None:
        return Reply(_miss(section, found.suggestions, ctx.language))
    name = found.name
    if channel:
        refused = await channel_refusal(policy, ctx, "mute" if on else "unmute")
        if refused is not None:
            return refused
    if on == sections.is_muted(name, chosen.muted):
        return ctx.say("already_muted" if on else "not_muted", section=name)
    if on:
        muted = (*chosen.muted, name)
    else:
        muted = tuple(m for m in chosen.muted if not sections.is_muted(m, (name,)))
    await policy.store.set_settings(key, replace(chosen, muted=muted))
    log.info("%s: %s %s", key, "muted" if on else "unmuted", name)
    if on and _all_muted(ctx, muted):
        return ctx.say("muted_all", section=name)
    return ctx.say("muted" if on else "unmuted", section=name)


def _all_muted(ctx: Context, muted: tuple[str, ...]) -> bool:
    """Whether the newest issue would be sent to them with no section at all."""
    latest = ctx.content.archive.latest
    if latest is None:
        return False
    kept, links = shown(latest, {normalise(m) for m in muted})
    return not kept and not links


def _listing(names: tuple[str, ...], muted: tuple[str, ...], lang: Language) -> Message:
    lines = [
        Line((text(("🔇 " if sections.is_muted(n, muted) else "🔈 ") + n),), indent=1)
        for n in names
    ]
    lines.append(Line((text(t(lang, "mute_hint")),)))
    return Message((Block(tuple(lines)),), title=t(lang, "mute_title"))


def _miss(query: str, suggestions: tuple[str, ...], lang: Language) -> Message:
    lines = [Line((text(t(lang, "section_miss", query=query)),))]
    if suggestions:
        lines.append(Line((text(t(lang, "section_did_you_mean")),)))
        lines.extend(Line((bold(name),), indent=1, bullet=True) for name in suggestions)
    else:
        lines.append(Line((text(t(lang, "section_list_hint")),)))
    return Message((Block(tuple(lines)),))


async def channel_refusal(policy: DestinationPolicy, ctx: Context, action: str) -> Reply | None:
    """None if the asker may change this channel and it receives; else the answer why not."""
    command = ctx.command
    if not await policy.may_change(command):
        return ctx.say("opt_in_who_admins", action=action)
    receives = policy.is_pinned(command.platform, command.chat) or (
        await policy.store.channel(command.platform, command.chat) is not None
    )
    return None if receives else ctx.say("channel_not_opted")


async def set_cadence(
    policy: DestinationPolicy, key: str, parsed: p.Cadence, lang: Language
) -> Message:
    """Weekly on `parsed.day` (at the time given, else the destination's own) or daily again;
    the answer says when it comes now."""
    chosen = await policy.store.settings(key)
    when = await policy.timing(key)
    if parsed.time is not None:
        when = replace(when, time=parsed.time, zone=parsed.zone or policy.default.zone)
    if parsed.day is None:
        await policy.store.set_settings(key, replace(chosen, weekly=None))
        log.info("%s: daily again", key)
        return simple(t(lang, "daily_set", time=when.time, zone=when.zone))
    weekly = replace(chosen, weekly=parsed.day, time=when.time, zone=when.zone)
    await policy.store.set_settings(key, weekly)
    log.info("%s: weekly on %s at %s %s", key, parsed.day, when.time, when.zone)
    day = day_name(parsed.day, lang)
    return simple(t(lang, "weekly_set", day=day, time=when.time, zone=when.zone))
