"""Telegram's rate limits, as the pacer applies them (see `bot/adapters/infra/pacing.py` for why the
bursts are one short of the platform's).

Telegram does not document its limits exactly; the Bot FAQ gives 30 messages/s overall, 20 a
minute per group or channel, and about one a second per private chat after a short burst (3).
A chat string (see `send.py`) names a private chat by a positive id; groups and channels are
negative ids or `@names`, and a forum topic (`"-100…:7"`) shares its group's 20 a minute.

With `[telegram] paid_broadcast` every message carries `allow_paid_broadcast`, which lifts the
overall limit to 1,000 a second (billed in Stars); each chat's own limit holds as before.
"""

from __future__ import annotations

from dataclasses import replace

from bot.adapters.infra.pacing import Bucket, Limits


def is_private(chat: str, kind: str) -> bool:
    return chat.lstrip().isdigit()


def bucket_of(chat: str) -> str:
    return chat.split(":", 1)[0]


LIMITS = Limits(
    overall=Bucket(1, 30.0),  # no burst: one slot each 1/29.1 s, so never 31 in a second
    group=Bucket(9, 10 / 60),  # ≤ 9 + 10 + 1 in flight = 20 in any minute
    dm=Bucket(2, 1.0),  # ≤ 2 + 1 in flight = the burst of 3, then 1/s
    is_private=is_private,
    bucket_of=bucket_of,
)

# allow_paid_broadcast on every send: a slot is 1 ms, the event loop's own lateness, so a burst of
# 10 carries the rate (10 + 970 < 1,000 in any second)
PAID_BROADCAST = replace(LIMITS, overall=Bucket(10, 1000.0))


def limits(*, paid_broadcast: bool) -> Limits:
    return PAID_BROADCAST if paid_broadcast else LIMITS


def workers(*, paid_broadcast: bool) -> int:
    """Destinations to deliver at once, so that the overall limit sets the pace rather than each
    private chat's ~1/s: a packed DM thread (3 messages) takes about a second, so each worker
    sends ~3 a second; 64 fill 30/s with room to spare, 1,000/s needs ~350, so 512."""
    return 512 if paid_broadcast else 64
