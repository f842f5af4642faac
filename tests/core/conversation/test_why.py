"""`/briefing why` through the command service on both store backends (the tinydb file and a
PostgreSQL database of the test's own): the last three issues of a reader, each line from the
ledger, the delivery history and the subscription, and the next run."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.content.loader import load_content
from bot.core.conversation.context import Editing
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command, DeliveryTime
from bot.core.runs import Attempt
from bot.core.testing import RecordingPlatform
from tests.conftest import CONTENT
from tests.content.issue_files import add_issues
from tests.support.stores import Opener

READER = "fake:dm:42"
NEXT = datetime(2029, 12, 31, 23, 30, tzinfo=UTC)  # 2030-01-01 08:30 in Asia/Seoul


def ask(text: str, user: str = "ed") -> Command:
    return Command("fake", f"dm-{user}", user, "briefing", text, is_dm=True, locale="en")


async def test_a_readers_last_three_issues_and_next_run(reopen: Opener, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    add_issues(folder, [2, 3, 4])
    backend = reopen()
    await backend.subscriptions.subscribe("fake", "42", "dm-42")
    now = datetime.now(UTC)
    ledger = backend.ledger
    ledger.release(2, now - timedelta(days=2))  # before the reader subscribed
    ledger.release(3, now + timedelta(seconds=1))
    ledger.release(4, now + timedelta(seconds=2))
    ledger.mark_done(3, READER, 3)
    await ledger.commit()
    sent = now + timedelta(seconds=3)
    await backend.history.record([
        Attempt(3, READER, 3, sent, ((0, sent), (1, sent), (2, sent)), True),
        Attempt(4, READER, 3, sent, ((0, sent),), False, "rejected", "Bad Request: too long"),
    ])  # fmt: skip
    platforms = PlatformRegistry(RecordingPlatform())
    service = CommandService(
        LiveContent(load_content(folder)), backend.subscriptions, platforms,
        editors=frozenset({"fake:ed"}),
        policy=DestinationPolicy(backend.destinations, backend.subscriptions, platforms,
                                 ledger=ledger, default=DeliveryTime("08:30", "Asia/Seoul")),
        editing=Editing(backend.history, backend.report_choices, lambda slot: NEXT),
    )  # fmt: skip

    reply = await service.handle(ask("why fake:dm:42"))

    title, *lines = reply.message.plain.split("\n")
    assert title == READER
    assert lines[1].startswith("Subscribed since ")
    assert lines[2:4] == ["Every day at 08:30 (Asia/Seoul) · language ko", "The last issues:"]
    assert lines[4].startswith("issue 4: 1 of 3 parts sent; then: the platform refused the "
                               "message (Bad Request: too long) (")  # fmt: skip
    assert lines[5].startswith("issue 3: complete, 3 parts at ")
    assert lines[6].startswith("issue 2: not sent — subscribed after its release (")
    assert lines[7:] == ["Next run: 2030-01-01 08:30 — issue 4"]
    stranger = await service.handle(ask("why fake:dm:42", user="someone"))
    assert stranger.message.plain.startswith("Only editors and admins")
