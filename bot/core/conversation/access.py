"""Who may do what: the one admin check, for the admin commands, the quota's exemption and who
may change a channel's delivery."""

from __future__ import annotations

from collections.abc import Collection

from bot.core.ports import Command


def is_admin(command: Command, admins: Collection[str]) -> bool:
    """`[bot] admins` lists "platform:user" ("slack:U1"); whoever runs the bot (the console's
    user, `Command.operator`) is one wherever it runs."""
    return command.operator or f"{command.platform}:{command.user}" in admins
