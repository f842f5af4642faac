"""◀ ▶ between issues: the neighbours an `/issue` or `/latest` answer links, and the button data
that comes back when a reader presses one.

The data is `nav:<n>` on every platform (Telegram `callback_data`, Slack a button's `value`):
short, ASCII, far within Telegram's 64 bytes. What comes back is untrusted (a client can send any
bytes): `parse` accepts exactly a payload `<n>` and nothing else, so a forged press is a `None`.
The row of `nav` in the buttons' table (`buttons.py`) routes a press here.
"""

from __future__ import annotations

import bisect
import re

from bot.core.i18n import Language, t
from bot.core.model.messages import Button

PREFIX = "nav"
_PAYLOAD = re.compile(r"[1-9][0-9]{0,5}")


def data(issue: int) -> str:
    """What a button to `issue` carries."""
    return f"{PREFIX}:{issue}"


def parse(payload: str) -> int | None:
    """The issue a button's payload asks for, or None for anything that is not our own."""
    return int(payload) if _PAYLOAD.fullmatch(payload) else None


def neighbours(numbers: tuple[int, ...], issue: int) -> tuple[int | None, int | None]:
    """The issues before and after `issue` in the (sorted) archive numbers."""
    at = bisect.bisect_left(numbers, issue)
    previous = numbers[at - 1] if at > 0 else None
    after = at + 1 if at < len(numbers) and numbers[at] == issue else at
    following = numbers[after] if after < len(numbers) else None
    return previous, following


def navigation(numbers: tuple[int, ...], issue: int, lang: Language) -> tuple[Button, ...]:
    """The ◀ ▶ of `issue`; none when the archive has no other issue."""
    previous, following = neighbours(numbers, issue)
    buttons = []
    if previous is not None:
        buttons.append(Button(t(lang, "nav_previous", number=previous), data(previous)))
    if following is not None:
        buttons.append(Button(t(lang, "nav_next", number=following), data(following)))
    return tuple(buttons)
