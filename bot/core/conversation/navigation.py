"""◀ ▶ between issues: the neighbours an `/issue` or `/latest` answer links, and the button data
that comes back when a reader presses one.

The data is `nav:<n>` on every platform (Telegram `callback_data`, Slack a button's `value`):
short, ASCII, far within Telegram's 64 bytes. What comes back is untrusted (a client can send any
bytes): `parse` accepts exactly that form and nothing else, so a forged press is a `None`.
"""

from __future__ import annotations

import bisect
import re

from bot.core.i18n import Language, t
from bot.core.model.messages import Navigation, Step

PREFIX = "nav:"
MAX_DATA = 64  # bytes: Telegram's limit of callback_data
_DATA = re.compile(r"nav:([1-9][0-9]{0,5})")


def data(issue: int) -> str:
    """What a button to `issue` carries."""
    return f"{PREFIX}{issue}"


def parse(value: object) -> int | None:
    """The issue a button's data asks for, or None for anything that is not our own data."""
    if not isinstance(value, str) or len(value.encode("utf-8", "replace")) > MAX_DATA:
        return None
    found = _DATA.fullmatch(value)
    return int(found.group(1)) if found else None


def neighbours(numbers: tuple[int, ...], issue: int) -> tuple[int | None, int | None]:
    """The issues before and after `issue` in the (sorted) archive numbers."""
    at = bisect.bisect_left(numbers, issue)
    previous = numbers[at - 1] if at > 0 else None
    after = at + 1 if at < len(numbers) and numbers[at] == issue else at
    following = numbers[after] if after < len(numbers) else None
    return previous, following


def navigation(numbers: tuple[int, ...], issue: int, lang: Language) -> Navigation | None:
    """The ◀ ▶ of `issue`; None when the archive has no other issue."""
    previous, following = neighbours(numbers, issue)
    if previous is None and following is None:
        return None
    return Navigation(
        Step(t(lang, "nav_previous", number=previous), previous) if previous else None,
        Step(t(lang, "nav_next", number=following), following) if following else None,
    )
