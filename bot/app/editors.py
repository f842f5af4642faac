"""The editors' command-line steps that need the store or a platform: `briefing-bot test N --to
slack:U123` (the test send of /briefing test, to that person's DM, platforms send-only) and
the approval state `validate` and `preview` print (the store opened read-only)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from bot.app.build import Bot, approvals_of, open_backend, schedule_of
from bot.app.run import started
from bot.config import Settings
from bot.content.archive import Archive
from bot.core.ports import Command


async def test_send(bot: Bot, number: int | None, to: str) -> tuple[int, str]:
    """Issue `number` (None: the next to be released) to the DM of `to` ("slack:U123"), as
    `/briefing test` sends it there: messages sent (0: none) and the answer's text."""
    platform, _, user = to.partition(":")
    asker = Command(platform, user, user, "test", is_dm=True, operator=True)
    try:
        async with started(bot, receive=False):
            sent, reply = await bot.service.test_send(asker, number)
    finally:
        await bot.store.close()
    return sent, reply.message.plain


def approval_states(settings: Settings, config: Path | None, archive: Archive) -> dict[int, str]:
    """Per issue on disk, "waiting for approval" or who approved it and when, as the store has
    it; nothing where `[bot] require_approval` is off (the store is not even opened)."""
    if not settings.bot.require_approval:
        return {}
    # read-only and never closed: closing would write (fold the tinydb file) behind the back
    # of the `run` that owns it; PostgreSQL's pool opens on first use, which this never makes
    store = open_backend(settings, config).open(read_only=True)
    approvals = approvals_of(settings, store, read_only=True)
    release = schedule_of(settings).release()
    states: dict[int, str] = {}
    for entry in archive.entries:
        found, due = approvals.of(entry), release.time_of(entry)
        if found is not None:
            at = found.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            states[entry.number] = f"approved by {found.by} at {at}"
        elif due is not None and not approvals.releasable(entry, due):
            states[entry.number] = "waiting for approval"
    return states
