"""A reader's requests about their own data, parsed: `/mydata`, `/forget` and the press of
`/forget`'s confirmation button (its payload). Answered by `handlers/privacy.py`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.conversation.parsing import BadInput, Parsed

_READER = re.compile(r"[a-z]{2,16}:[A-Za-z0-9_-]{1,31}")  # "slack:U1": a button's data fits


@dataclass(frozen=True, slots=True)
class MyData(Parsed):
    pass


@dataclass(frozen=True, slots=True)
class Forget(Parsed):
    """`/forget` (asks to confirm), `/forget confirm`; an admin's `/forget slack:U1 [confirm]`
    forgets that reader."""

    confirm: bool = False
    reader: str | None = None  # "slack:U1": an admin's, for someone else


def forget(arg: str) -> Parsed:
    words = arg.split()
    confirm = bool(words) and words[-1].casefold() in ("confirm", "확인")
    rest = words[:-1] if confirm else words
    if not rest:
        return Forget(confirm)
    if len(rest) == 1 and _READER.fullmatch(rest[0]):
        return Forget(confirm, rest[0])
    return BadInput("forget_usage")


def forget_press(payload: str) -> Forget | None:
    """A forget button's payload: "me" (the presser's own data) or an admin's "slack:U1"."""
    if payload == "me":
        return Forget(confirm=True)
    return Forget(confirm=True, reader=payload) if _READER.fullmatch(payload) else None
