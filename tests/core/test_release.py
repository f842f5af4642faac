"""Drafts and `publish_at`: the one release rule, seen by delivery and every reader-facing path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.content.loader import load_content
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.live_content import LiveContent
from bot.core.model.messages import Message
from bot.core.platforms import PlatformRegistry
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform
from bot.store import Ledger, Store, Subscriptions
from tests.content.issue_files import content_copy, second_issue

START = datetime(2024, 1, 1, tzinfo=UTC)


def live_with(tmp_path: Path, front: str, clock: FakeClock) -> LiveContent:
    folder = content_copy(tmp_path)
    (folder / "issues" / "0002.md").write_text(second_issue(front), encoding="utf-8")
    release = Schedule("30 8 * * *", ZoneInfo("Asia/Seoul")).release()
    return LiveContent(load_content(folder), release=release, now=clock.now)


def engine(
    tmp_path: Path, live: LiveContent, clock: FakeClock, platform: RecordingPlatform
) -> DeliveryEngine:
    store = Store.open(tmp_path / "briefing.json")
    return DeliveryEngine(
        content=lambda: live.current, channels={"fake": ["C1"]},
        platforms=PlatformRegistry(platform), subscriptions=Subscriptions(store, clock=clock.now),
        ledger=Ledger(store), pacer=OpenPacer(), clock=clock, progress_every=None,
    )  # fmt: skip


def parents(platform: RecordingPlatform) -> list[Message]:
    return [s.message for s in platform.to("C1") if s.reply_to is None]


def heading_of(message: Message) -> str:
    return str(message)


async def test_a_draft_is_never_delivered_nor_served(tmp_path: Path) -> None:
    clock = FakeClock(START, auto_advance=True)
    live = live_with(tmp_path, "draft = true\n", clock)
    platform = RecordingPlatform()
    await engine(tmp_path, live, clock, platform).deliver()
    assert live.current.archive.numbers == (1,) and live.loaded.archive.numbers == (1, 2)
    assert live.current.archive.latest is not None and live.current.archive.latest.number == 1
    assert live.current.archive.search("제2호") == [] and live.loaded.archive.search("제2호")
    assert len(parents(platform)) == 1 and "제 0001호" in heading_of(parents(platform)[0])


async def test_publish_at_in_an_hour_is_delivered_at_the_first_run_after_it(tmp_path: Path) -> None:
    clock = FakeClock(START, auto_advance=True)
    at = (START + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Seoul")).isoformat()
    live = live_with(tmp_path, f"publish_at = {at}\n", clock)
    platform = RecordingPlatform()
    await engine(tmp_path, live, clock, platform).deliver()  # issue 1 only
    clock.elapsed = 59 * 60.0
    before = await engine(tmp_path, live, clock, platform).deliver()
    clock.elapsed = 61 * 60.0
    after = await engine(tmp_path, live, clock, platform).deliver()
    assert before.sent == 0 and after.sent > 0
    assert ["제 0001호" in heading_of(m) for m in parents(platform)] == [True, False]
    assert "제 0002호" in heading_of(parents(platform)[1])


def test_the_served_view_changes_exactly_when_an_issue_is_released(tmp_path: Path) -> None:
    clock = FakeClock(START)
    at = START + timedelta(hours=1)
    live = live_with(tmp_path, f"publish_at = {at.isoformat()}\n", clock)
    first = live.current
    clock.elapsed = 59 * 60.0
    assert live.current is first and first.archive.numbers == (1,)  # the same view, not rebuilt
    clock.elapsed = 60 * 60.0
    assert live.current.archive.numbers == (1, 2)  # released on the minute
    clock.elapsed = 30 * 60.0  # a clock set back: worked out again, not taken from the cache
    assert live.current.archive.numbers == (1,)
