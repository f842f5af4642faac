"""/subscribe (with a time: `/subscribe 07:30 Europe/Berlin`; weekly: `/subscribe weekly mon`;
`/subscribe daily`; a channel's `/briefing weekly|daily`) and /unsubscribe: a reader's DM,
opened on the platform when the adapter does not know it, checked first where the platform lets
the bot write only to users who started it."""

from __future__ import annotations

import logging
import math

from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context
from bot.core.conversation.destinations import dm_key
from bot.core.conversation.handlers.shaping import channel_refusal, set_cadence
from bot.core.conversation.inbound import Reply
from bot.core.errors import MessageRejected, PlatformError, RateLimited, RecipientGone
from bot.core.i18n import t
from bot.core.model.messages import Block, Line, Message, link, simple, text

log = logging.getLogger(__name__)


async def subscribe(ctx: Context, parsed: p.Subscribe) -> Reply:
    """The reader's DM subscribes; with a policy, the reader keeps the language they are
    answered in, and a time given is theirs."""
    policy, command = ctx.ports.policy, ctx.command
    if policy is None:
        plain = parsed.time is None and parsed.cadence is None
        return await subscribe_dm(ctx) if plain else ctx.say("post_unavailable")
    reply = await subscribe_dm(ctx)
    if not await ctx.ports.subscriptions.is_subscribed(command.platform, command.user):
        return reply
    await policy.keep_language(command, ctx.language)  # the DM thread's words
    if parsed.cadence is not None:
        key = dm_key(command.platform, command.user)
        when = await set_cadence(policy, key, parsed.cadence, ctx.language)
    elif parsed.time is not None:
        when = await policy.reader_time(command, parsed.time, parsed.zone, ctx.language)
    else:
        return reply
    return Reply(Message((*reply.message.blocks, *when.blocks)))


async def cadence(ctx: Context, parsed: p.Cadence) -> Reply:
    """`/briefing weekly …` / `/briefing daily`: the channel's; in a DM, the reader's (as
    `/subscribe weekly …` is)."""
    policy, command = ctx.ports.policy, ctx.command
    if policy is None:
        return ctx.say("post_unavailable")
    if not parsed.channel or command.is_dm:
        return await subscribe(ctx, p.Subscribe(cadence=parsed))
    refused = await channel_refusal(policy, ctx, "weekly" if parsed.day else "daily")
    if refused is not None:
        return refused
    key = f"{command.platform}:{command.chat}"
    return Reply(await set_cadence(policy, key, parsed, ctx.language), public=True)


async def unsubscribe(ctx: Context, _: p.Unsubscribe) -> Reply:
    gone = await ctx.ports.subscriptions.unsubscribe(ctx.command.platform, ctx.command.user)
    return ctx.say("unsubscribed" if gone else "not_subscribed")


async def subscribe_dm(ctx: Context) -> Reply:
    """Subscribe the user's DM: the one the adapter knows, else opened on the platform.
    From a group, where the platform lets the bot write only to users who started it
    (it has a start link: Telegram's t.me/<bot>?start=subscribe), the confirmation goes to
    the DM first: if it cannot, the answer is the link that starts the DM (and subscribes)."""
    command, platforms, subscriptions = ctx.command, ctx.ports.platforms, ctx.ports.subscriptions
    platform, user = command.platform, command.user
    chat = command.dm_chat
    if chat is None:
        try:
            chat = await platforms.get(platform).open_dm(user)
        except RateLimited as exc:  # not the user's doing: tell them when to try again
            log.warning("%s: opening a DM with %s was rate limited: %s", platform, user, exc)
            return ctx.say("dm_rate_limited", seconds=math.ceil(max(exc.retry_after, 1)))
        except PlatformError as exc:
            log.warning("%s: cannot open a DM with %s: %s", platform, user, exc)
            return ctx.say("no_dm")
    start = None if command.is_dm else platforms.start_link(platform, "subscribe")
    if start is not None and not await subscriptions.is_subscribed(platform, user):
        try:
            await platforms.get(platform).send(chat, simple(t(ctx.language, "subscribed")))
        except (RecipientGone, MessageRejected) as exc:
            log.info("cannot message %s user %s privately: %s", platform, user, exc)
            line = Line((text(t(ctx.language, "open_dm_first") + " "), link(start, start)))
            return Reply(Message((Block((line,)),)))
    new = await subscriptions.subscribe(platform, user, chat)
    return ctx.say("subscribed" if new else "already_subscribed")
