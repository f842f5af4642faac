"""/subscribe (with a time: `/subscribe 07:30 Europe/Berlin`) and /unsubscribe: a reader's DM,
opened on the platform when the adapter does not know it, checked first where the platform lets
the bot write only to users who started it."""

from __future__ import annotations

import dataclasses
import logging
import math

from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context
from bot.core.conversation.destinations import dm_key
from bot.core.conversation.handlers import lookups
from bot.core.conversation.inbound import Reply
from bot.core.errors import MessageRejected, PlatformError, RateLimited, RecipientGone
from bot.core.i18n import t
from bot.core.model.messages import Block, Button, Line, Message, link, simple, text

log = logging.getLogger(__name__)
READ_NOW = "read"  # the welcome's button: "read:3" sends issue 3 to the presser's DM


async def subscribe(ctx: Context, parsed: p.Subscribe) -> Reply:
    """The reader's DM subscribes; with a policy, the reader keeps the language they are
    answered in, and a time given is theirs. A new subscription is welcomed (`welcome`); a
    second /subscribe changes nothing and says so (a time given with it is still taken)."""
    policy, command, subscriptions = ctx.ports.policy, ctx.command, ctx.ports.subscriptions
    was = await subscriptions.is_subscribed(command.platform, command.user)
    if policy is None:
        if parsed.time is not None:
            return ctx.say("post_unavailable")
        reply = await subscribe_dm(ctx)
        return await welcome(ctx, reply) if not was else reply
    reply = await subscribe_dm(ctx)
    if not await subscriptions.is_subscribed(command.platform, command.user):
        return reply
    await policy.keep_language(command, ctx.language)  # the DM thread's words
    when = None
    if parsed.time is not None:
        when = await policy.reader_time(command, parsed.time, parsed.zone, ctx.language)
    reply = reply if was else await welcome(ctx, reply)
    if when is None:
        return reply
    return Reply(dataclasses.replace(reply.message, blocks=(*reply.message.blocks, *when.blocks)))


async def welcome(ctx: Context, confirmed: Reply) -> Reply:
    """The confirmation of a new subscription, with when and in which language it comes, how
    to change that and how to stop, and the latest released issue's title with a button that
    sends it now (an answer: the ledger knows nothing of it)."""
    lang, command, policy = ctx.language, ctx.command, ctx.ports.policy
    blocks = list(confirmed.message.blocks)
    if policy is not None:
        when = await policy.timing(dm_key(command.platform, command.user))
        line = t(lang, "welcome_settings", time=when.time, zone=when.zone, words=lang)
        blocks.append(Block((Line((text(line),)),)))
    latest = ctx.content.archive.latest
    if latest is None:
        return Reply(Message(tuple(blocks)))
    blocks.append(Block((Line((text(t(lang, "welcome_latest", title=latest.heading)),)),)))
    read = Button(t(lang, "welcome_read_now"), f"{READ_NOW}:{latest.number}")
    return Reply(Message(tuple(blocks), buttons=(read,)))


def parse_issue(payload: str) -> int | None:
    """`3` → 3; None for anything else (a forged press)."""
    if not payload.isascii() or not payload.isdigit() or len(payload) > 6:
        return None
    return int(payload) or None


async def read_now(ctx: Context, number: int) -> Reply:
    """The welcome's button: that issue as a thread in the presser's DM, as /latest sends it
    (an answer: the ledger knows nothing of it); an issue gone from the archive is noticed."""
    if ctx.content.archive.get(number) is None:
        return ctx.notice("nav_stale")
    return lookups.issue_reply(ctx.ports, ctx.language, number, platform=ctx.command.platform)


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
