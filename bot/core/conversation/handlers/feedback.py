"""Readers' feedback (`bot/core/feedback.py`): reactions on a delivered thread's messages,
counted for the sections they carried, and the totals `/stats` and `/briefing stats N` show
(👍/👎 and the three sections with most reactions; never who)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.core.conversation.context import Context, Ports
from bot.core.conversation.inbound import Reaction, Reply
from bot.core.feedback import FeedbackStore, Vote
from bot.core.i18n import Language, t

log = logging.getLogger(__name__)
STATS_ISSUES = 3  # /stats: the newest issues' totals
VOTES: tuple[Vote, ...] = ("up", "down")


def parse_vote(payload: str) -> tuple[int, Vote] | None:
    """`3:up` → (3, "up"); None for anything else (a forged press)."""
    number, _, choice = payload.partition(":")
    if not number.isascii() or not number.isdigit() or len(number) > 6 or choice not in VOTES:
        return None
    return int(number), "up" if choice == "up" else "down"


async def vote(ctx: Context, parsed: tuple[int, Vote]) -> Reply:
    """A 👍/👎 press: the presser's vote on the issue, recorded, changed or withdrawn; a press
    for an issue no longer in the archive (or with feedback off) changes nothing."""
    store, lang = ctx.ports.feedback, ctx.language
    number, choice = parsed
    if store is None:
        return ctx.notice("feedback_off")
    if ctx.content.archive.get(number) is None:
        return ctx.notice("vote_stale")
    reader = f"{ctx.command.platform}:{ctx.command.user}"
    outcome = await store.vote(number, reader, choice)
    log.info("vote on issue %d: %s", number, outcome)
    return ctx.notice(f"vote_{outcome}", vote=t(lang, f"vote_{choice}"))


async def react(ports: Ports, reaction: Reaction) -> bool:
    """Count `reaction` for the sections its message carried; False (nothing counted) for a
    message that is not one of a delivered thread, or with feedback off."""
    store = ports.feedback
    if store is None:
        return False
    carried = await store.find(reaction.platform, reaction.chat, reaction.message)
    if carried is None:
        log.debug("reaction on %s:%s:%s: not a delivered message", reaction.platform,
                  reaction.chat, reaction.message)  # fmt: skip
        return False
    await store.react(carried, reaction.who, reaction.reactions, replace=reaction.replace)
    log.info("reaction on issue %d (%s) counted", carried.issue, ", ".join(carried.sections) or "-")
    return True


async def stats_lines(store: FeedbackStore, issues: Sequence[int], lang: Language) -> list[str]:
    """A line per issue: its 👍/👎 and its sections with most reactions."""
    lines = []
    for totals in await store.totals(issues):
        top = ", ".join(f"{section} {n}" for section, n in totals.top) or "-"
        lines.append(t(lang, "stats_feedback", number=totals.issue, up=totals.up,
                       down=totals.down, top=top))  # fmt: skip
    return lines


def newest(numbers: Sequence[int], count: int = STATS_ISSUES) -> list[int]:
    return sorted(numbers, reverse=True)[:count]
