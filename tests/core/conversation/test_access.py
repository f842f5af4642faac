"""Roles: `[bot] editors` and `admins`, and the strictest of two roles (a command's row and what
it parsed to)."""

from __future__ import annotations

import pytest

from bot.core.conversation.access import Who, may, strictest
from bot.core.ports import Command

EDITORS = frozenset({"telegram:7"})
ADMINS = frozenset({"slack:U1"})


def by(platform: str, user: str, operator: bool = False) -> Command:
    return Command(platform, "C1", user, "x", operator=operator)


@pytest.mark.parametrize(
    ("who", "command", "allowed"),
    [
        ("everyone", by("telegram", "9"), True),
        ("editors", by("telegram", "9"), False),
        ("editors", by("telegram", "7"), True),
        ("editors", by("slack", "7"), False),  # the same id on another platform is someone else
        ("editors", by("slack", "U1"), True),  # an admin may do what an editor may
        ("admins", by("telegram", "7"), False),
        ("admins", by("slack", "U1"), True),
        ("admins", by("console", "me", operator=True), True),
        ("editors", by("console", "me", operator=True), True),
    ],
)
def test_who_may(who: Who, command: Command, allowed: bool) -> None:
    assert may(who, command, EDITORS, ADMINS) is allowed


def test_the_strictest_role_wins() -> None:
    assert strictest("everyone", "editors") == "editors"
    assert strictest("admins", "editors") == "admins"
    assert strictest("everyone") == "everyone"
