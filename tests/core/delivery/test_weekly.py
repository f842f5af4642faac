"""The weekly digest on a fake clock: seven daily issues are released (one a day, each at the
edition's 08:30 in Seoul); a weekly reader gets one digest on Monday at their own time with the
seven titles and none of the daily threads, which a daily reader gets as before. The scheduler,
its timetable, the engine and the tinydb store are the real ones."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.content.archive import Archive
from bot.content.loader import Content
from bot.core.delivery.cron import Schedule
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.scheduler import Scheduler
from bot.core.delivery.timetable import Timetable
from bot.core.platforms import PlatformRegistry
from bot.core.ports import DeliveryTime, DestinationSettings
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform
from bot.store import RunLog, Store
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.ledger import Ledger
from bot.store.tinydb.subscriptions import Subscriptions

SEOUL = ZoneInfo("Asia/Seoul")
EDITION = Schedule("30 8 * * *", SEOUL)
WEEKLY = DeliveryTime("07:30", "Europe/Berlin", "mon")
FIRST = date(2024, 6, 4)  # a Tuesday: the week's issues are 4 to 10 June, the digest Monday 10th
SECTIONS = 10


class Daily:
    """The archive as it grows: one issue a day (the seed's, numbered and dated anew), each
    in it from its date in Seoul."""

    def __init__(self, seed: Content, clock: FakeClock) -> None:
        issue = seed.archive.get(1)
        assert issue is not None
        self.issues = [
            issue.model_copy(update={"number": n, "date": FIRST + timedelta(days=n - 1),
                                     "title": f"뉴랄브리핑 {n}"})
            for n in range(1, 8)
        ]  # fmt: skip
        self.seed, self.clock = seed, clock
        self._by_day: dict[date, Content] = {}

    def __call__(self) -> Content:
        today = self.clock.now().astimezone(SEOUL).date()
        if today not in self._by_day:
            out = [i for i in self.issues if i.date <= today]
            self._by_day[today] = Content(Archive.of(out), self.seed.glossary)
        return self._by_day[today]


async def test_a_weekly_reader_gets_one_digest_of_the_weeks_issues_on_monday(
    tmp_path: Path, content: Content
) -> None:
    clock = FakeClock(datetime(2024, 6, 3, 12, 0, tzinfo=UTC), auto_advance=True)
    store = Store.open(tmp_path / "d.json")
    subscriptions, destinations = Subscriptions(store, clock=clock.now), Destinations(store)
    platform = RecordingPlatform()
    for reader in ("daily", "weekly"):
        await subscriptions.subscribe("fake", reader, f"dm-{reader}")
    weekly = DestinationSettings(WEEKLY.time, WEEKLY.zone, weekly=WEEKLY.day, muted=("레딧",))
    await destinations.set_settings("fake:dm:weekly", weekly)
    engine = DeliveryEngine(
        content=Daily(content, clock), channels={"fake": []},
        platforms=PlatformRegistry(platform), subscriptions=subscriptions, ledger=Ledger(store),
        pacer=OpenPacer(), clock=clock, progress_every=None, destinations=destinations,
    )  # fmt: skip
    stop = asyncio.Event()
    digest_at: list[datetime] = []

    async def times() -> list[DeliveryTime | None]:
        if platform.to("dm-weekly") and not digest_at:
            digest_at.append(clock.now())
        if clock.now() > datetime(2024, 6, 11, tzinfo=UTC):  # a day after the digest
            stop.set()
        return [dest.time for dest in await engine.destinations()]

    run = Scheduler(
        Timetable(EDITION, times), engine, RunLog(store), clock,
        catch_up=timedelta(minutes=180), stop=stop, recheck=3600,
    )  # fmt: skip
    await asyncio.wait_for(run.run(), 60)

    daily = platform.to("dm-daily")
    assert len(daily) == 7 * (1 + SECTIONS)  # seven daily threads, as before
    [digest] = platform.to("dm-weekly")  # one message, no daily thread
    assert digest.reply_to is None
    assert digest_at[0] <= datetime(2024, 6, 10, 5, 30, tzinfo=UTC) + timedelta(hours=1)
    assert digest_at[0] > datetime(2024, 6, 9, 23, 30, tzinfo=UTC)  # after the last release
    text = digest.message.plain
    for n in range(1, 8):
        day = FIRST + timedelta(days=n - 1)
        assert f"제 {n:04d}호 뉴랄브리핑 {n}({day.year}년 {day.month}월 {day.day}일)" in text
        assert f"/issue {n}" in text  # no web archive, no deep link: the command that shows it
    assert "arXiv" in text and "EfficientNet" in text  # sections and their items' titles
    assert "레딧" not in text  # muted there
    assert (digest.message.title or "").startswith("지난 한 주의 뉴랄브리핑 7개 호")

    again = await engine.deliver(at={WEEKLY})  # the same Monday again: done, never twice
    assert again.sent == 0 and len(platform.to("dm-weekly")) == 1


def test_a_long_digest_is_split_at_each_platforms_limit(content: Content) -> None:
    """Seven seed-sized issues are longer than one Telegram message: the renderers split the
    digest (Telegram at 4,096 characters, Slack within its block limits), losing no title."""
    from bot.adapters.slack.render import render_message
    from bot.adapters.telegram.render import LIMIT, render
    from bot.core.model.digest import weekly_digest

    issues = Daily(content, FakeClock()).issues
    digest = weekly_digest(issues, "en", lambda n: f"https://t.me/bot?start=issue-{n}")
    parts = render(digest)
    assert len(parts) > 1 and all(len(part) <= LIMIT for part in parts)
    joined = "".join(parts)
    assert all(f'href="https://t.me/bot?start=issue-{n}"' in joined for n in range(1, 8))
    blocks = [b for payload in render_message(digest) for b in payload.get("blocks", [])]
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert all(any(f"issue-{n}" in b.get("text", {}).get("text", "") for b in blocks)
               for n in range(1, 8))  # fmt: skip
