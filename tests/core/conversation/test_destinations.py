"""Channels that opt in themselves, and every destination's time and language (the core, on the
seed content, a recording platform and the tinydb store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.core.conversation.destinations import DestinationPolicy, cron_time, language_of
from bot.core.conversation.inbound import Reply
from bot.core.conversation.service import CommandService
from bot.core.delivery.engine import DeliveryEngine
from bot.core.destination import DeliveryTime
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command, DestinationSettings
from bot.core.testing import FakeClock, OpenPacer, RecordingPlatform, gone
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.ledger import Ledger
from bot.store.tinydb.snapshot import Store
from bot.store.tinydb.subscriptions import Subscriptions


class World:
    def __init__(self, path: Path, content: Content, opt_in: str = "admins") -> None:
        self.store = Store.open(path)
        self.platform = RecordingPlatform(admins={("G1", "boss")})
        self.platforms = PlatformRegistry(self.platform)
        self.clock = FakeClock(auto_advance=True)
        self.subscriptions = Subscriptions(self.store, clock=self.clock.now)
        self.destinations = Destinations(self.store)
        self.ledger = Ledger(self.store)
        self.content = content
        self.pinned = {"fake": ["PINNED"]}
        self.engine = DeliveryEngine(
            content=lambda: content, channels=self.pinned, platforms=self.platforms,
            subscriptions=self.subscriptions, ledger=self.ledger, pacer=OpenPacer(),
            clock=self.clock, progress_every=None,
            destinations=self.destinations,
        )  # fmt: skip
        self.policy = DestinationPolicy(
            self.destinations, self.subscriptions, self.platforms, ledger=self.ledger,
            pinned=self.pinned, opt_in=opt_in, default=DeliveryTime("08:30", "Asia/Seoul"),  # type: ignore[arg-type]
            admins=frozenset({"fake:operator"}), issues=lambda: content.archive.numbers,
        )  # fmt: skip
        self.service = CommandService(
            LiveContent(content), self.subscriptions, self.platforms, language="ko",
            admins=frozenset({"fake:operator"}), deliverer=self.engine, policy=self.policy,
        )  # fmt: skip

    async def ask(
        self, line: str, *, chat: str = "G1", user: str = "boss", locale: str | None = None
    ) -> Reply:
        name, _, argument = line.lstrip("/").partition(" ")
        dm = chat.startswith("dm")
        command = Command("fake", chat, user, name, argument, is_dm=dm, dm_chat=chat if dm else None,
                          locale=locale)  # fmt: skip
        return await self.service.handle(command)


@pytest.fixture
def world(tmp_path: Path, content: Content) -> World:
    return World(tmp_path / "briefing.json", content)


async def test_an_admin_opts_a_channel_in_and_the_answer_says_when(world: World) -> None:
    reply = await world.ask("/briefing here")
    assert reply.message.plain.startswith("매일 08:30 (Asia/Seoul)에 이 채널로")
    assert reply.public
    opted = await world.destinations.channel("fake", "G1")
    assert opted is not None and opted.by == "boss"
    again = await world.ask("/briefing here")
    assert "이미 매일 08:30 (Asia/Seoul)" in again.message.plain


async def test_a_member_is_refused_and_told_who_can(world: World) -> None:
    reply = await world.ask("/briefing here", user="someone")
    assert "관리자만 /briefing here" in reply.message.plain
    assert await world.destinations.opted_in() == []
    by_operator = await world.ask("/briefing here", user="operator")  # [bot] admins may
    assert "이 채널로" in by_operator.message.plain


async def test_members_may_when_the_config_says_so(tmp_path: Path, content: Content) -> None:
    world = World(tmp_path / "b.json", content, opt_in="members")
    await world.ask("/briefing here", user="someone")
    assert [o.chat for o in await world.destinations.opted_in()] == ["G1"]


async def test_a_pinned_channel_stays_pinned(world: World) -> None:
    reply = await world.ask("/briefing stop", chat="PINNED", user="operator")
    assert "운영자가 설정에 고정" in reply.message.plain
    status = await world.ask("/briefing status", chat="PINNED", user="anyone")
    assert "운영자가 설정에 고정한 채널" in status.message.plain


async def test_a_channel_the_bot_is_not_in_is_told_to_invite_it(world: World) -> None:
    world.platform.absent.add("G1")
    reply = await world.ask("/briefing here")
    assert "/invite" in reply.message.plain
    assert await world.destinations.opted_in() == []


async def test_the_next_delivery_reaches_the_opted_in_channel_not_the_stopped_one(
    world: World,
) -> None:
    await world.ask("/briefing here", chat="G1")
    world.platform.admins.add(("G2", "boss"))
    await world.ask("/briefing here", chat="G2")
    await world.ask("/briefing stop", chat="G2")
    world.platform.sent.clear()
    report = await world.engine.deliver()
    assert report.failed == 0
    chats = {s.chat for s in world.platform.sent}
    assert chats == {"PINNED", "G1"}
    g1 = world.platform.to("G1")
    assert g1[0].reply_to is None and all(s.reply_to == g1[0].ref for s in g1[1:])
    status = await world.ask("/briefing status", chat="G1", user="anyone")
    assert "boss" in status.message.plain and "마지막으로 받은 호: 1" in status.message.plain


async def test_a_channel_gone_at_delivery_ends_its_opt_in_and_is_reported(world: World) -> None:
    await world.ask("/briefing here")
    world.platform.fail["G1"] = [gone("G1")]
    report = await world.engine.deliver()
    assert any("G1" in failure and "opt-in ended" in failure for failure in report.failures)
    assert await world.destinations.opted_in() == []


async def test_a_forum_topic_is_a_destination_of_its_own(world: World) -> None:
    world.platform.admins.add(("-1005:7", "boss"))
    await world.ask("/briefing here", chat="-1005:7")
    [opted] = await world.destinations.opted_in()
    assert opted.topic == "7"
    await world.engine.deliver()
    assert world.platform.to("-1005:7") and not world.platform.to("-1005")


async def test_times_and_languages_are_set_and_checked(world: World) -> None:
    await world.ask("/briefing here")
    reply = await world.ask("/briefing time 07:30 Europe/Berlin")
    assert "07:30 (Europe/Berlin)" in reply.message.plain
    bad = await world.ask("/briefing time 25:99")
    assert "예: 07:30 Europe/Berlin" in bad.message.plain
    zone = await world.ask("/briefing time 07:30 Mars/Olympus")
    assert "Mars/Olympus" in zone.message.plain and "시간대" in zone.message.plain
    english = await world.ask("/briefing lang en")
    assert english.message.plain == "This channel gets the bot's words in English from now on."
    assert await world.destinations.settings("fake:G1") == DestinationSettings(
        "07:30", "Europe/Berlin", "en"
    )


async def test_a_reader_subscribes_at_their_own_time(world: World) -> None:
    reply = await world.ask("/subscribe 6:45 america/new_york", chat="dm-r1", user="r1")
    assert "06:45 (America/New_York)" in reply.message.plain
    assert await world.subscriptions.is_subscribed("fake", "r1")
    bad = await world.ask("/subscribe 7:3", chat="dm-r2", user="r2")
    assert "예: 07:30" in bad.message.plain
    assert not await world.subscriptions.is_subscribed("fake", "r2")
    stats = await world.ask("/stats", chat="dm-op", user="operator")
    assert "America/New_York 1" in stats.message.plain and "fake pinned 1" in stats.message.plain


async def test_a_reader_whose_platform_speaks_english_is_answered_in_english(
    world: World,
) -> None:
    help_en = await world.ask("/help", chat="dm-r1", user="r1", locale="en-US")
    assert help_en.message.title == "뉴랄브리핑 (Neural Briefing) commands"
    await world.ask("/lang ko", chat="dm-r1", user="r1", locale="en-US")
    help_ko = await world.ask("/help", chat="dm-r1", user="r1", locale="en-US")
    assert help_ko.message.title == "뉴랄브리핑 봇 명령"


async def test_a_channel_in_english_gets_english_labels_and_the_same_content(
    world: World,
) -> None:
    await world.ask("/briefing here")
    await world.ask("/briefing lang en")
    await world.engine.deliver()
    english, korean = world.platform.to("G1"), world.platform.to("PINNED")
    assert "Contents" in english[0].message.plain and "목차" in korean[0].message.plain
    assert [s.message for s in english[1:]] != [] and len(english) == len(korean)


def test_cron_times_and_platform_languages() -> None:
    assert cron_time("30 8 * * *") == "08:30" and cron_time("0 */2 * * *") == "0 */2 * * *"
    assert language_of("en-US") == "en" and language_of("ko_KR") == "ko"
    assert language_of("de") is None and language_of(None) is None


async def test_a_reader_subscribed_in_english_gets_the_thread_in_english(world: World) -> None:
    said = await world.ask("/subscribe", chat="dm-r1", user="r1", locale="en-GB")
    assert said.message.plain.startswith("Subscribed")
    await world.engine.deliver()
    [parent, *_] = world.platform.to("dm-r1")
    assert "Contents" in parent.message.plain and "목차" not in parent.message.plain


async def test_briefing_status_in_a_dm_tells_the_reader_their_own_settings(world: World) -> None:
    off = await world.ask("/briefing status", chat="dm1", user="reader")
    assert off.message.plain.startswith("구독하지 않았습니다")
    await world.ask("/subscribe 07:15 Europe/Berlin", chat="dm1", user="reader")
    await world.ask("/lang en", chat="dm1", user="reader")
    on = await world.ask("/briefing status", chat="dm1", user="reader")
    assert on.message.plain.startswith("Subscribed · every day at 07:15 (Europe/Berlin)")
    assert "language en · last issue: -" in on.message.plain
    await world.engine.deliver(1)
    again = await world.ask("/briefing status", chat="dm1", user="reader")
    assert "last issue: 1" in again.message.plain
