"""What a reader or channel gets: muted sections (`/mute`, `/unmute`, `/briefing mute`), on the
seed issue (ten sections: nine of its own and its useful links), the real command service, the
tinydb store and the delivery engine sending to a recording platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.core.conversation.sections import section_names
from bot.core.model.messages import Message
from bot.core.ports import DestinationSettings
from bot.core.testing import Sent
from tests.core.conversation.test_destinations import World

SECTIONS = 10  # the seed issue's replies: nine sections and its useful links


@pytest.fixture
def world(tmp_path: Path, content: Content) -> World:
    return World(tmp_path / "briefing.json", content)


def contents(parent: Message) -> list[str]:
    """The table of contents' entries of a thread's parent."""
    block = next(b for b in parent.blocks if b.lines[0].plain in ("목차", "Contents"))
    return [line.plain for line in block.lines[1:]]


def header(sent: Sent) -> str:
    return sent.message.blocks[0].lines[0].plain


async def subscribe(world: World, *readers: str) -> None:
    for reader in readers:
        reply = await world.ask("/subscribe", chat=f"dm-{reader}", user=reader)
        assert "구독했습니다" in reply.message.plain


async def test_a_muted_section_is_left_out_of_that_readers_thread_alone(world: World) -> None:
    await subscribe(world, "a", "b")
    reply = await world.ask("/mute 레딧", chat="dm-a", user="a")
    assert "'레딧' 섹션은 빼고 보냅니다" in reply.message.plain
    assert (await world.destinations.settings("fake:dm:a")).muted == ("레딧",)

    await world.engine.deliver()
    mine, theirs = world.platform.to("dm-a"), world.platform.to("dm-b")
    assert len(mine) == 1 + SECTIONS - 1 and len(theirs) == 1 + SECTIONS
    assert len(contents(mine[0].message)) == 8 and len(contents(theirs[0].message)) == 9
    assert not any("레딧" in line for line in contents(mine[0].message))
    assert any("레딧" in line for line in contents(theirs[0].message))
    assert "제 0001호 · 레딧" in map(header, theirs[1:])
    assert "제 0001호 · 레딧" not in map(header, mine[1:])
    assert [s.message for s in theirs[1:] if header(s) != "제 0001호 · 레딧"] == [
        s.message for s in mine[1:]
    ]  # the other sections as everyone gets them


async def test_names_match_as_terms_do_and_a_typo_gets_did_you_mean(world: World) -> None:
    await subscribe(world, "a")
    typo = await world.ask("/mute 레딫", chat="dm-a", user="a")
    assert "'레딫'(이)라는 섹션은 없습니다" in typo.message.plain
    assert "혹시 이 섹션인가요?" in typo.message.plain and "레딧" in typo.message.plain
    english = await world.ask("/mute redit", chat="dm-a", user="a", locale="en")
    assert "Did you mean:" in english.message.plain and "레딧" in english.message.plain
    assert (await world.destinations.settings("fake:dm:a")).muted == ()  # nothing guessed
    for spelled in ("  REDDIT ", "arxiv", "Useful Links", "트위터"):
        assert (
            "빼고 보냅니다"
            in (await world.ask(f"/mute {spelled}", chat="dm-a", user="a")).message.plain
        )
    chosen = await world.destinations.settings("fake:dm:a")
    assert chosen.muted == ("레딧", "arXiv", "Useful links", "트위터 (Yann LeCun)")
    again = await world.ask("/mute Reddit", chat="dm-a", user="a")
    assert "이미 빼고" in again.message.plain
    back = await world.ask("/unmute reddit", chat="dm-a", user="a")
    assert "'레딧' 섹션을 다시 보냅니다" in back.message.plain
    assert (
        "빼지 않았습니다" in (await world.ask("/unmute 레딧", chat="dm-a", user="a")).message.plain
    )
    listing = await world.ask("/mute", chat="dm-a", user="a")
    assert "🔇 arXiv" in listing.message.plain and "🔈 레딧" in listing.message.plain
    bad = await world.ask("/mute <b>&amp;" + "x" * 50, chat="dm-a", user="a")
    assert "섹션은 없습니다" in bad.message.plain  # an answer, as plain text: the renderer escapes


async def test_muting_everything_is_told_once_and_nothing_is_sent(world: World) -> None:
    await subscribe(world, "a", "b")
    names = section_names(world.content.archive)
    assert len(names) == SECTIONS
    answers = [(await world.ask(f"/mute {name}", chat="dm-a", user="a")).message.plain
               for name in names]  # fmt: skip
    told = [answer for answer in answers if "아무것도 받지 않습니다" in answer]
    assert told == answers[-1:]  # once: when the last section went
    for _ in range(2):
        await world.engine.deliver()
    assert world.platform.to("dm-a") == []  # never an empty thread, never a notice per issue
    assert len(world.platform.to("dm-b")) == 1 + SECTIONS  # the other reader's, once
    await world.ask("/unmute 레딧", chat="dm-a", user="a")
    await world.engine.deliver()
    assert len(world.platform.to("dm-a")) == 2  # the parent and the one section left


async def test_a_channel_mutes_per_channel_opt_in(world: World) -> None:
    assert "이 채널로" in (await world.ask("/briefing here")).message.plain
    refused = await world.ask("/briefing mute 레딧", user="someone")
    assert "관리자만 /briefing mute" in refused.message.plain
    assert "빼고 보냅니다" in (await world.ask("/briefing mute 레딧")).message.plain
    assert (await world.destinations.settings("fake:G1")).muted == ("레딧",)
    assert (await world.destinations.settings("fake:dm:boss")).muted == ()
    await world.engine.deliver()
    assert len(world.platform.to("G1")) == SECTIONS
    assert len(world.platform.to("PINNED")) == 1 + SECTIONS
    listing = await world.ask("/briefing mute", user="someone")  # reading it is for anyone
    assert "🔇 레딧" in listing.message.plain


async def test_subscribe_weekly_and_daily_change_the_readers_settings(world: World) -> None:
    reply = await world.ask("/subscribe weekly fri 07:00 Europe/Berlin", chat="dm-a", user="a")
    assert "구독했습니다" in reply.message.plain
    assert "매주 금요일 07:00 (Europe/Berlin)" in reply.message.plain
    chosen = await world.destinations.settings("fake:dm:a")
    assert (chosen.weekly, chosen.time, chosen.zone) == ("fri", "07:00", "Europe/Berlin")
    assert await world.destinations.delivery_times() == {("07:00", "Europe/Berlin", "fri")}
    plain = await world.ask("/subscribe weekly", chat="dm-b", user="b", locale="en")
    assert "every Monday at 08:30 (Asia/Seoul)" in plain.message.plain
    status = await world.ask("/briefing status", chat="dm-a", user="a")
    assert "구독 중 · 매주 금요일 07:00 (Europe/Berlin)에 한 주를 모아서" in status.message.plain
    await world.ask("/mute 레딧", chat="dm-a", user="a")
    status = await world.ask("/briefing status", chat="dm-a", user="a")
    assert "빼고 받는 섹션: 레딧" in status.message.plain
    await world.ask("/unmute 레딧", chat="dm-a", user="a")
    daily = await world.ask("/subscribe daily", chat="dm-a", user="a")
    assert "다시 매일 07:00 (Europe/Berlin)" in daily.message.plain
    assert await world.destinations.settings("fake:dm:a") == DestinationSettings(
        "07:00", "Europe/Berlin"
    )
    bad = await world.ask("/subscribe weekly someday", chat="dm-a", user="a")
    assert "요일이 아닙니다" in bad.message.plain
    refused = await world.ask("/briefing weekly", user="someone")
    assert "관리자만" in refused.message.plain


async def test_a_channel_takes_the_weekly_digest_per_channel_opt_in(world: World) -> None:
    not_yet = await world.ask("/briefing weekly wed 07:00")
    assert "받고 있지 않습니다" in not_yet.message.plain  # a channel that does not receive
    await world.ask("/briefing here")
    reply = await world.ask("/briefing weekly wed 07:00")
    assert reply.public and "매주 수요일 07:00 (Asia/Seoul)" in reply.message.plain
    chosen = await world.destinations.settings("fake:G1")
    assert (chosen.weekly, chosen.time, chosen.zone) == ("wed", "07:00", "Asia/Seoul")
    await world.engine.deliver()  # a /post: the weekly channel waits for its digest
    assert world.platform.to("G1") == [] and len(world.platform.to("PINNED")) == 1 + SECTIONS
    back = await world.ask("/briefing daily")
    assert "다시 매일 07:00 (Asia/Seoul)" in back.message.plain
    assert (await world.destinations.settings("fake:G1")).weekly is None
