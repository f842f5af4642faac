"""What the bot can do: /help and /start from the command table, and the answers to a command it
does not know or an argument it cannot use."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context, Listed, Spelling
from bot.core.conversation.inbound import Reply
from bot.core.i18n import Language, t
from bot.core.model.messages import Block, Line, Message, simple, text


async def show_help(ctx: Context, _: p.Help) -> Reply:
    spell = (ctx.ports.spellings or {}).get(ctx.command.platform)
    return Reply(
        help_message(ctx.ports.commands, ctx.language, ctx.by_admin, spell, editor=ctx.by_editor)
    )


async def start(ctx: Context, _: p.Start) -> Reply:
    lines = help_message(ctx.ports.commands, ctx.language, admin=False).blocks[0].lines
    return Reply(simple(t(ctx.language, "start"), *lines))


async def unknown(ctx: Context, parsed: p.Unknown) -> Reply:
    return ctx.say("unknown_command", name=parsed.name)


async def bad_input(ctx: Context, parsed: p.BadInput) -> Reply:
    return ctx.say(parsed.key, **dict(parsed.values))


def help_message(
    commands: Sequence[Listed],
    lang: Language,
    admin: bool,
    spell: Spelling | None = None,
    *,
    editor: bool = False,
) -> Message:
    """The command list, from the command table; on Slack, a command that is not a slash
    command of its own is spelled `/briefing <name>` (and help is `/briefing`). Editors also
    see the editors' commands, admins those and their own."""
    lines = [
        Line((text(_spelled(spec, lang, spell)),), bullet=True)
        for spec in commands
        if spec.help is not None and spec.who == "everyone"
    ]
    for role, shown, key in (("editors", editor or admin, "help_editors"),
                             ("admins", admin, "help_admins")):  # fmt: skip
        listed = [_spelled(s, lang, spell) for s in commands
                  if s.help is not None and s.who == role]  # fmt: skip
        if shown and listed:
            line = t(lang, key, commands=", ".join(listed))
            lines.append(Line((text(line),), bullet=True))
    return Message((Block(tuple(lines)),), title=t(lang, "help_title"))


def _spelled(spec: Listed, lang: Language, spell: Spelling | None) -> str:
    """The command's /help line, as the platform has it typed (`Spelling`)."""
    assert spec.help is not None
    line = t(lang, spec.help)
    typed = spell(spec.name, spec.slash) if spell is not None else f"/{spec.name}"
    return line.replace(f"/{spec.name}", typed, 1)
