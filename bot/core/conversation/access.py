"""Who may do what: the roles (`[bot] editors` and `admins`), for the commands' and buttons'
`who`, the quota's exemption and who may change a channel's delivery.

Editors may test, approve, see reports and diagnose; admins may do all of that and the rest.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from bot.core.ports import Command

Who = Literal["everyone", "editors", "admins"]
_RANK: tuple[Who, ...] = ("everyone", "editors", "admins")


def is_admin(command: Command, admins: Collection[str]) -> bool:
    """`[bot] admins` lists "platform:user" ("slack:U1"); whoever runs the bot (the console's
    user, `Command.operator`) is one wherever it runs."""
    return command.operator or f"{command.platform}:{command.user}" in admins


def is_editor(command: Command, editors: Collection[str], admins: Collection[str]) -> bool:
    """`[bot] editors`, and every admin (an admin may do whatever an editor may)."""
    return f"{command.platform}:{command.user}" in editors or is_admin(command, admins)


def strictest(*roles: Who) -> Who:
    """The role that admits fewest of `roles` ("admins" over "editors" over "everyone")."""
    return max(roles, key=_RANK.index)


def may(who: Who, command: Command, editors: Collection[str], admins: Collection[str]) -> bool:
    """Whether `command`'s sender holds role `who`."""
    if who == "admins":
        return is_admin(command, admins)
    if who == "editors":
        return is_editor(command, editors, admins)
    return True


REFUSAL: dict[Who, str] = {"admins": "admin_only", "editors": "editors_only"}  # i18n keys
