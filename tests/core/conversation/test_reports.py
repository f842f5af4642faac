"""Who gets a run's report (`AdminNotices.tell_run`): every editor and admin on a running
platform who has not turned it off, once each, in their own language; and the same lines in the
log. Recording fakes of the platform; the tinydb store's report choices and settings."""

from __future__ import annotations

import logging

import pytest

from bot.content.loader import Content
from bot.core.conversation.handlers.admin import AdminNotices
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import DestinationSettings
from bot.core.runs import Failure, RunSummary
from bot.core.testing import RecordingPlatform
from bot.store import Store
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.history import ReportChoices

SUMMARY = RunSummary("delivery", 4, 3, 9, 9, 3.0, 1, 2.0,
                     (Failure("fake:dm:9", "reader_gone", "blocked", 4),))  # fmt: skip


async def test_each_recipient_once_in_their_language_and_not_who_turned_it_off(
    content: Content, store: Store, fake_platform: RecordingPlatform,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    choices, settings = ReportChoices(store), Destinations(store)
    await choices.set_reports("fake:quiet", False)
    await settings.set_settings("fake:dm:editor", DestinationSettings(language="en"))
    notices = AdminNotices(
        LiveContent(content), PlatformRegistry(fake_platform),
        frozenset({"fake:admin", "fake:quiet", "elsewhere:admin"}), "ko",
        editors=frozenset({"fake:editor", "fake:admin"}), choices=choices, settings=settings,
    )  # fmt: skip

    with caplog.at_level(logging.INFO):
        told = await notices.tell_run(SUMMARY)

    assert told == 2  # "elsewhere" is no running platform; "quiet" turned it off
    sent = {s.chat: s.message for s in fake_platform.sent}
    assert sorted(sent) == ["dm-admin", "dm-editor"]
    assert sent["dm-admin"].title == "발송 보고 · 제 4호"
    assert sent["dm-editor"].title == "Delivery report · issue 4"
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("run report:")]
    assert logged[0] == "run report: Delivery report · issue 4"
    assert "run report: 429s waited out: 1 (2.0 s)" in logged
    assert any("readers who blocked the bot or left: 1 (fake:dm:9)" in line for line in logged)
