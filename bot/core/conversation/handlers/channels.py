"""The destination commands: `/briefing here|stop|status`, `/briefing time`, `/briefing lang` and
`/lang`. What they change, and who may, is the `DestinationPolicy`'s to decide; without one (a
test, a read-only command) they are unavailable. Also what the bot says when it joins a channel."""

from __future__ import annotations

import logging

from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.handlers import why
from bot.core.conversation.inbound import Reply
from bot.core.errors import PlatformError
from bot.core.i18n import t
from bot.core.model.messages import Message, simple

log = logging.getLogger(__name__)


async def channel_action(ctx: Context, parsed: p.ChannelAction) -> Reply:
    if ctx.ports.policy is None:
        return ctx.say("post_unavailable")
    if ctx.command.is_dm and parsed.action == "status":
        own = await why.own_status(ctx)  # a reader's own: what they got, when, what is next
        if own is not None:
            return own
    message, changed = await ctx.ports.policy.channel_action(parsed, ctx.command, ctx.language)
    return Reply(message, public=changed)


async def set_time(ctx: Context, parsed: p.SetTime) -> Reply:
    if ctx.ports.policy is None:
        return ctx.say("post_unavailable")
    return Reply(await ctx.ports.policy.set_time(parsed, ctx.command, ctx.language))


async def set_language(ctx: Context, parsed: p.SetLanguage) -> Reply:
    if ctx.ports.policy is None:
        return ctx.say("post_unavailable")
    return Reply(await ctx.ports.policy.set_language(parsed, ctx.command))


def welcome(policy: DestinationPolicy) -> Message:
    """What the bot says once when it is added to a channel: how to opt in."""
    lang = policy.language
    who = t(lang, "who_admins" if policy.opt_in == "admins" else "who_members")
    return simple(t(lang, "welcome_channel", who=who))


async def arrived(policy: DestinationPolicy, platform: str, chat: str) -> None:
    """The bot was added to `chat`: one message on how to opt in."""
    log.info("%s:%s: the bot was added to the channel", platform, chat)
    try:
        await policy.platforms.get(platform).send(chat, welcome(policy))
    except PlatformError as exc:
        log.warning("%s:%s: could not say how to opt in: %s", platform, chat, exc)
