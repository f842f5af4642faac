"""Live reload: a refresh takes the content on disk with /reload's rule (a broken archive never
goes live), the log says what changed, and a delivery refreshes before it plans."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.testing import RecordingPlatform
from bot.store import Store, Subscriptions
from tests.content.issue_files import content_copy, second_issue


def live_on(folder: Path) -> LiveContent:
    return LiveContent(load_content(folder), lambda: load_content(folder))


def test_a_new_issue_goes_live_and_the_log_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = content_copy(tmp_path)
    live = live_on(folder)
    (folder / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")
    with caplog.at_level(logging.INFO, "bot.core.live_content"):
        assert live.refresh()
    assert live.current.archive.get(2) is not None
    assert "content: issue 2 added" in caplog.text
    (folder / "issues" / "0002.md").write_text(second_issue().replace("첫 기사", "새 기사"))
    with caplog.at_level(logging.INFO, "bot.core.live_content"):
        assert live.refresh()
    assert "content: issue 2 changed" in caplog.text and "issue 1 changed" not in caplog.text


def test_listeners_hear_of_a_reload_that_changed_something_only(tmp_path: Path) -> None:
    """What wakes the corrections (`bot/core/delivery/corrections.py`)."""
    folder = content_copy(tmp_path)
    live = live_on(folder)
    heard: list[str] = []
    live.listeners.append(lambda: heard.append("changed"))
    assert live.refresh()
    assert heard == []  # the same files: nothing changed
    (folder / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")
    assert live.refresh()
    assert heard == ["changed"]


def test_a_broken_archive_never_goes_live(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = content_copy(tmp_path)
    live = live_on(folder)
    broken = folder / "issues" / "0002.md"
    broken.write_text(second_issue().replace("[요약]", "[요엑]", 1), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert not live.refresh()
    assert live.current.archive.numbers == (1,)
    assert f"{broken}:" in caplog.text and "still serving the previous content" in caplog.text


async def test_a_refused_reload_reaches_the_admins_once(tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    admin_dm = RecordingPlatform(name="fake")
    service = CommandService(
        live_on(folder),
        Subscriptions(Store.open(tmp_path / "d.json")),
        PlatformRegistry(admin_dm),
        admins=frozenset({"fake:boss", "elsewhere:nobody"}),  # a platform not running: skipped
    )
    broken = folder / "issues" / "0002.md"
    broken.write_text(second_issue().replace("[요약]", "[요엑]", 1), encoding="utf-8")
    assert not await service.refresh_content()
    assert not await service.refresh_content()  # the same problems: not told again
    [told] = admin_dm.to("dm-boss")
    assert "이전 콘텐츠를 계속 씁니다" in told.message.plain and f"{broken}:" in told.message.plain
    broken.write_text(second_issue(), encoding="utf-8")
    assert await service.refresh_content()  # fixed: live, and a later breakage is news again
    broken.write_text(second_issue().replace("[의의]", "[의이]", 1), encoding="utf-8")
    assert not await service.refresh_content()
    assert len(admin_dm.to("dm-boss")) == 2
