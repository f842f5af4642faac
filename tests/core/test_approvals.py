"""Approval before release (bot/core/approvals.py): with `require_approval`, an issue whose time
has come is released only once approved as it is now; a change to its file after approval
withdraws the approval (once); an issue once out stays out; without it nothing changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.content.loader import load_content
from bot.core.approvals import Approvals
from bot.core.conversation.handlers.admin import AdminNotices
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.scheduler import Scheduler
from bot.core.delivery.timetable import Timetable
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import DeliveryTime
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform
from bot.store import Ledger, RunLog, Store, Subscriptions
from bot.store.tinydb.approvals import Approvals as TinyApprovals
from tests.content.issue_files import content_copy, second_issue
from tests.support.wait import until

START = datetime(2024, 1, 1, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
AT = START + timedelta(hours=1)


class World:
    """Issue 2 released at AT, on a tinydb store, with approval on or off."""

    def __init__(self, tmp_path: Path, *, required: bool = True, auto: bool = True) -> None:
        self.folder = content_copy(tmp_path)
        self.write()
        self.clock = FakeClock(START, auto_advance=auto)
        self.store = Store.open(tmp_path / "briefing.json")
        self.ledger = Ledger(self.store)
        self.approvals = Approvals(
            TinyApprovals(self.store),
            required=required,
            released_at=self.ledger.released_at,
            now=self.clock.now,
        )
        release = Schedule("30 8 * * *", ZoneInfo("Asia/Seoul")).release()
        self.live = LiveContent(
            load_content(self.folder),
            lambda: load_content(self.folder),
            release=self.approvals.gate(release),
            now=self.clock.now,
        )
        self.approvals.changed = self.live.invalidate
        self.platform = RecordingPlatform()
        self.engine = DeliveryEngine(
            content=lambda: self.live.current, channels={"fake": ["C1"]},
            platforms=PlatformRegistry(self.platform),
            subscriptions=Subscriptions(self.store, clock=self.clock.now), ledger=self.ledger,
            pacer=OpenPacer(), clock=self.clock, progress_every=None,
        )  # fmt: skip

    def write(self, word: str = "첫 기사") -> None:
        text = second_issue(f"publish_at = {AT.isoformat()}\n").replace("첫 기사", word)
        (self.folder / "issues" / "0002.md").write_text(text, encoding="utf-8")

    def entry(self, number: int = 2):  # type: ignore[no-untyped-def]
        found = self.live.loaded.archive.entry(number)
        assert found is not None
        return found

    def parents(self) -> list[str]:
        return [str(s.message) for s in self.platform.to("C1") if s.reply_to is None]


async def test_an_unapproved_issue_is_held_at_its_time_and_released_once_approved(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    world.clock.elapsed = 2 * 3600.0
    await world.engine.deliver()
    assert world.live.current.archive.numbers == (1,)
    assert [e.number for e in world.approvals.held(world.live.loaded.archive,
                                                   world.live.release, world.clock.now())] == [2]  # fmt: skip
    assert len(world.parents()) == 1 and "제 0001호" in world.parents()[0]
    approval = await world.approvals.approve(world.entry(), "slack:U1", world.clock.now())
    assert approval.by == "slack:U1" and len(approval.digest) == 64
    assert world.live.current.archive.numbers == (1, 2)
    await world.engine.deliver()
    assert len(world.parents()) == 2 and "제 0002호" in world.parents()[1]


async def test_a_change_after_approval_withdraws_it_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.approvals.approve(world.entry(), "slack:U1", world.clock.now())
    world.write("고친 기사")
    assert world.live.refresh()
    assert world.approvals.of(world.entry()) is None  # given for other content: not this one
    withdrawn = await world.approvals.stale(world.live.loaded.archive)
    assert [a.issue for a in withdrawn] == [2]
    assert await world.approvals.stale(world.live.loaded.archive) == []  # told once
    world.clock.elapsed = 2 * 3600.0
    assert world.live.current.archive.numbers == (1,)
    await world.engine.deliver()
    assert all("제 0002호" not in parent for parent in world.parents())


async def test_an_issue_once_out_stays_out_whatever_its_approval(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.approvals.approve(world.entry(), "slack:U1", world.clock.now())
    world.clock.elapsed = 2 * 3600.0
    await world.engine.deliver()
    assert world.ledger.released_at(2) is not None
    world.write("고친 기사")  # a correction after release: no approval to withdraw, still out
    assert world.live.refresh()
    assert await world.approvals.stale(world.live.loaded.archive) == []
    assert world.live.current.archive.numbers == (1, 2)


async def test_issues_due_before_approval_was_first_required_stay_out(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.approvals.start()
    assert world.live.current.archive.numbers == (1,)  # issue 1 (2019) is not hidden
    world.clock.elapsed = 2 * 3600.0
    later = World(tmp_path / "again")  # a restart keeps the first time, not its own start
    later.approvals.store = world.approvals.store
    later.approvals.since = world.approvals.store.required_since()
    assert later.approvals.since == START
    assert not later.approvals.releasable(world.entry(), AT)


async def test_the_scheduler_holds_an_unapproved_issue_at_its_time_and_tells_the_editors_once(
    tmp_path: Path,
) -> None:
    world = World(tmp_path, auto=False)
    notices = AdminNotices(
        world.live, PlatformRegistry(world.platform), frozenset({"fake:A1"}), "en",
        approvals=world.approvals, editors=frozenset({"fake:E1"}),
    )  # fmt: skip
    world.engine.before_run = notices.before_run  # as the composition root wires it
    edition = Timetable(Schedule("30 8 * * *", SEOUL), lambda: _edition_only())
    runs = RunLog(world.store)
    task = Scheduler(edition, world.engine, runs, world.clock,
                     catch_up=timedelta(minutes=180), stop=asyncio.Event())  # fmt: skip
    running = asyncio.create_task(task.run())
    for day in (2, 3):  # 08:30 in Seoul on Jan 2 and 3: issue 2 (due Jan 1, 10:00) is held
        await until(lambda: world.clock.sleeping > 0)
        due = datetime(2024, 1, day, 8, 30, tzinfo=SEOUL)
        world.clock.advance((due - world.clock.now()).total_seconds())
        await until(lambda due=due: runs.last_run() == due)  # type: ignore[misc]
    task.stop.set()
    await asyncio.wait_for(running, 5)
    assert all("제 0002호" not in parent for parent in world.parents())
    told = [str(s.message) for s in world.platform.to("dm-E1")]
    assert len(told) == 1 and "Issue 2" in told[0] and "not approved" in told[0]
    assert len(world.platform.to("dm-A1")) == 1  # the admins too, once


async def _edition_only() -> list[DeliveryTime | None]:
    return []


async def test_without_approval_required_an_issue_is_released_at_its_time(tmp_path: Path) -> None:
    world = World(tmp_path, required=False)
    world.clock.elapsed = 2 * 3600.0
    assert world.live.current.archive.numbers == (1, 2)
    assert world.approvals.held(world.live.loaded.archive, world.live.release,
                                world.clock.now()) == []  # fmt: skip
