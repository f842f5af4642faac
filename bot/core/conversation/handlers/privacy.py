"""A reader's own data: `/mydata` (what the store holds about them, sent to their DM) and
`/forget` (all of it deleted, once they confirm). What is listed and deleted is the store's
(`ReaderData`: every kind of record it keeps), so a feature that stores something new about
readers is covered by adding its kind there. An admin may `/forget slack:U1` for a reader who
asked them; either way the audit log records that it happened and how much went, never what."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.core.conversation import data_requests as d
from bot.core.conversation.context import Context
from bot.core.conversation.inbound import Reply
from bot.core.errors import PlatformError
from bot.core.i18n import KEYS, Language, t
from bot.core.model.messages import Block, Button, Line, Message, bold, simple, text
from bot.core.privacy import Held, Reader

log = logging.getLogger(__name__)
PREFIX = "forget"  # the confirmation button's (buttons.py)
MAX_LISTED = 30  # records of one kind shown in /mydata; the rest counted


async def mydata(ctx: Context, _: d.MyData) -> Reply:
    readers = ctx.ports.readers
    if readers is None:
        return ctx.say("post_unavailable")
    command = ctx.command
    held = await readers.held(Reader(command.platform, command.user, command.dm_chat))
    message = described(held, ctx.language)
    if command.is_dm:
        return Reply(message)
    platform = ctx.ports.platforms.get(command.platform)
    try:
        await platform.send(await platform.open_dm(command.user), message)
    except PlatformError as exc:
        log.warning("/mydata: could not DM %s: %s", ctx.who, exc)
        return ctx.say("mydata_no_dm")
    return ctx.say("mydata_sent")


def described(held: Held, lang: Language) -> Message:
    """Every record, kind by kind, each as its columns and values (nothing held: one line)."""
    if not held:
        return Message((Block((Line((text(t(lang, "mydata_nothing")),)),)),))
    blocks = [Block((Line((text(t(lang, "mydata_intro")),)),))]
    for kind, records in held.items():
        key = "kind_" + kind.replace(" ", "_").replace("-", "_")
        name = t(lang, key) if key in KEYS else kind
        head = Line((bold(t(lang, "mydata_kind", kind=name, count=len(records))),))
        lines = [
            Line((text(", ".join(f"{c}: {v}" for c, v in r.items() if v not in (None, ""))),),
                 bullet=True)
            for r in records[:MAX_LISTED]
        ]  # fmt: skip
        if len(records) > MAX_LISTED:
            lines.append(Line((text(t(lang, "mydata_more", count=len(records) - MAX_LISTED)),)))
        blocks.append(Block((head, *lines)))
    blocks.append(Block((Line((text(t(lang, "mydata_forget")),)),)))
    return Message(tuple(blocks), title=t(lang, "mydata_title"))


async def forget(ctx: Context, parsed: d.Forget) -> Reply:
    readers = ctx.ports.readers
    if readers is None:
        return ctx.say("post_unavailable")
    command = ctx.command
    if parsed.reader is not None and not ctx.by_admin:
        return ctx.refuse("admins")
    if parsed.reader is None:
        reader = Reader(command.platform, command.user, command.dm_chat)
    else:
        platform, _, user = parsed.reader.partition(":")
        reader = Reader(platform, user)
    if not parsed.confirm:
        held = await readers.held(reader)
        records = sum(len(rows) for rows in held.values())
        asked = (
            t(ctx.language, "forget_ask", records=records)
            if parsed.reader is None
            else t(ctx.language, "forget_ask_for", reader=parsed.reader, records=records)
        )
        # within 64 bytes: "forget:" and a reader `data_requests.forget` accepted (≤ 48 ASCII)
        press = Button(t(ctx.language, "forget_button"), f"{PREFIX}:{parsed.reader or 'me'}")
        return Reply(replace(simple(asked), buttons=(press,)))
    gone = await readers.forget(reader)
    total = sum(gone.values())
    detail = f"{total} records ({', '.join(f'{n} {kind}' for kind, n in gone.items()) or '-'})"
    if parsed.reader is None:  # the reader's own: the log keeps no id of theirs
        anonymous = f"{reader.platform}:(forgotten)"
        await ctx.audit("forget", f"a reader's own data: {detail}", who=anonymous,
                        where=f"{reader.platform}:dm")  # fmt: skip
        return ctx.say("forgotten", records=total)
    await ctx.audit("forget", f"for a {reader.platform} reader: {detail}")
    return ctx.say("forgotten_for", reader=parsed.reader, records=total)


async def forget_pressed(ctx: Context, parsed: d.Forget) -> Reply:
    """The confirmation button of `/forget`: as `/forget confirm`, answered as a notice."""
    return replace(await forget(ctx, parsed), notice=True)
