"""The one table of every button: the prefix of its data, how its payload is parsed, who may press
it, and which handler answers a press.

A `Button` (`bot/core/model/messages.py`) carries `<prefix>:<payload>`: ASCII, at most 64 bytes
(Telegram's `callback_data`; Slack's button `value` allows more). What comes back is untrusted (a
client can send any bytes): a press is followed only if its prefix is a row here and the row's
parser accepts its payload; anything else is a forged press, answered with a short notice.

Adding a button means its row here (prefix, parser, handler, role), the `Button` on the message
that offers it, and its strings in `i18n.py`. A handler is `(Context, <parsed payload>) ->
Reply`, as a command's is; the `Reply` says how the press is answered (`inbound.Reply`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.conversation import data_requests, navigation
from bot.core.conversation import parsing as p
from bot.core.conversation.access import Who
from bot.core.conversation.context import Handler
from bot.core.conversation.handlers import editors, feedback, lookups, privacy, subscribing
from bot.core.feedback import VOTE

MAX_DATA = 64  # bytes: Telegram's limit of callback_data


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """One kind of button. `parse` turns the payload into what the press asks for, or None for
    a payload that is not one of ours."""

    prefix: str
    parse: Callable[[str], object | None]
    handle: Handler
    who: Who = "everyone"


BUTTONS: tuple[ButtonSpec, ...] = (
    ButtonSpec(navigation.PREFIX, navigation.parse, lookups.navigate),
    ButtonSpec(p.APPROVE, p.approve_press, editors.press_approve, who="editors"),
    ButtonSpec(VOTE, feedback.parse_vote, feedback.vote),  # 👍/👎 under a delivered thread
    ButtonSpec(subscribing.READ_NOW, subscribing.parse_issue, subscribing.read_now),  # welcome
    ButtonSpec(privacy.PREFIX, data_requests.forget_press, privacy.forget_pressed),
)
BY_PREFIX: Mapping[str, ButtonSpec] = {spec.prefix: spec for spec in BUTTONS}


def data(prefix: str, payload: str) -> str:
    """What a button of kind `prefix` carries (checked against the platforms' limit)."""
    value = f"{prefix}:{payload}"
    if not value.isascii() or len(value) > MAX_DATA:
        raise ValueError(f"button data {value[:80]!r} is not ASCII within {MAX_DATA} bytes")
    return value


def parse(value: object) -> tuple[ButtonSpec, object] | None:
    """The row a press's data belongs to and what its payload asks for; None if it is not ours."""
    if not isinstance(value, str) or not value.isascii() or len(value) > MAX_DATA:
        return None
    prefix, colon, payload = value.partition(":")
    spec = BY_PREFIX.get(prefix)
    if spec is None or not colon:
        return None
    parsed = spec.parse(payload)
    return None if parsed is None else (spec, parsed)
