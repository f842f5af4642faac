"""Corrections on Telegram, end to end: issue 1 delivered by the app's engine to a group and
50 DM readers through PTB and the fake Bot API (flood limits on, time compressed), the issue
file changed, the content reloaded, and the leader's corrector run. Every assertion is on what
the fake holds: which messages were edited and how often, what they say now, what was sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import PACE_SCALE_ENV, Bot
from bot.core.delivery.corrections import Corrector
from tests.adapters.telegram.test_delivery import subscribe
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage
from tests.support.corrections import (
    NEW_WORD,
    OLD_WORD,
    SECTION,
    change_word,
    editable_content,
    grow_section,
)
from tests.support.telegram import TOKEN, make_app, telegram_for
from tests.support.wait import until

SCALE = 50
GROUP = -1005550000
FIRST_READER = 7_000_000
READERS = 50
MARK = "✎ 수정됨 "


@dataclass
class Setup:
    fake: FakeTelegramAPI
    app: Bot
    content: Path

    @property
    def corrector(self) -> Corrector:
        assert self.app.corrector is not None
        return self.app.corrector

    @property
    def chats(self) -> list[int]:
        return [GROUP, *(FIRST_READER + n for n in range(READERS))]


@asynccontextmanager
async def delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readers: int = READERS, scale: int = SCALE
) -> AsyncIterator[Setup]:
    """Issue 1 delivered to GROUP and `readers` DM readers; the platform still running."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(PACE_SCALE_ENV, str(scale))
    content = editable_content(tmp_path)
    async with FakeTelegramAPI(TOKEN, enforce_limits=True, time_scale=scale) as fake:
        fake.add_chat(GROUP, "supergroup")
        app = make_app(tmp_path, {"api_url": fake.base_url, "chats": [GROUP]}, content)
        await subscribe(app, fake, readers)
        platform = await telegram_for(app)
        app.platforms.add(platform)
        await platform.start(receive=False)
        try:
            yield Setup(fake, app, content)
        finally:
            await platform.stop()
            await app.store.close()


def everything(fake: FakeTelegramAPI, chat: int) -> list[SentMessage]:
    return fake.messages(chat)


def edited(fake: FakeTelegramAPI, chat: int) -> list[SentMessage]:
    return [m for m in fake.messages(chat) if m.edits]


def sent_to_readers(s: Any) -> int:
    """The messages sent to the destinations of the issue (not to the admins' DMs)."""
    chats = {str(chat) for chat in s.chats}
    return sum(str(c.params.get("chat_id")) in chats for c in s.fake.calls_to("sendMessage"))


async def test_one_word_changed_edits_exactly_the_copies_of_that_part_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with delivered(tmp_path, monkeypatch) as s:
        first = await s.app.engine.deliver(1)
        assert first.failed == 0 and first.sent > READERS
        before = {chat: len(everything(s.fake, chat)) for chat in s.chats}
        sends = sent_to_readers(s)

        change_word(s.content)
        assert s.app.live.refresh()
        [report] = await s.corrector.correct_due()

        assert (report.edited, report.added, report.deleted) == (1 + READERS, 0, 0)
        assert sum(report.failed.values()) == 0
        # no new message anywhere: an edit is the only call, and Telegram notifies no one of it
        assert sent_to_readers(s) == sends  # (the admins get the correction's report)
        for chat in s.chats:
            assert len(everything(s.fake, chat)) == before[chat]
            [one] = edited(s.fake, chat)  # exactly one message of the thread, once
            assert one.edits == 1 and NEW_WORD in one.plain_text and OLD_WORD in one.history[0]
            assert one.plain_text.rstrip().splitlines()[-1].startswith(MARK)
            others = [m for m in everything(s.fake, chat) if m is not one]
            assert all(OLD_WORD not in m.plain_text and m.edits == 0 for m in others)

        assert await s.corrector.correct_due() == []  # nothing is due any more
        assert len(s.fake.calls_to("editMessageText")) == 1 + READERS
        corrected = s.corrector.ledger.revision(1)
        assert corrected is not None and corrected.corrected_at is not None  # the web shows it
        again = await s.corrector.correct(1)  # `briefing-bot correct 1` with nothing changed
        assert (again.edited, again.unchanged) == (0, 3 * READERS + 11)
        assert s.corrector.ledger.revision(1) == corrected
        assert s.fake.stats()["rate_limited"] == 0


async def test_a_reader_who_deleted_the_message_is_counted_and_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with delivered(tmp_path, monkeypatch, readers=3) as s:
        await s.app.engine.deliver(1)
        reader = FIRST_READER
        target = next(m for m in everything(s.fake, reader) if OLD_WORD in m.plain_text)
        s.fake.delete_by_user(reader, target.message_id)

        change_word(s.content)
        s.app.live.refresh()
        [report] = await s.corrector.correct_due()
        assert report.edited == 1 + 2
        assert list(report.failed.values()) == [1]
        assert "message to edit not found" in next(iter(report.failed)).lower()

        change_word(s.content, NEW_WORD, "자랑도")  # a second correction of the same part
        s.app.live.refresh()
        [again] = await s.corrector.correct_due()
        assert again.edited == 1 + 2 and sum(again.failed.values()) == 0
        tried = [c for c in s.fake.calls_to("editMessageText") if c.params["chat_id"] == reader]
        assert len(tried) == 1  # the gone copy was tried once, never again


async def test_a_section_grown_past_one_message_sends_the_rest_into_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with delivered(tmp_path, monkeypatch, readers=2) as s:
        await s.app.engine.deliver(1)
        parents = {chat: everything(s.fake, chat)[0].message_id for chat in s.chats[:3]}
        counts = {chat: len(everything(s.fake, chat)) for chat in s.chats[:3]}

        marker = grow_section(s.content)
        s.app.live.refresh()
        [report] = await s.corrector.correct_due()

        assert report.added >= 3 and sum(report.failed.values()) == 0
        for chat in s.chats[:3]:
            now = everything(s.fake, chat)
            assert len(now) > counts[chat]
            assert all(m.reply_to == parents[chat] for m in now[counts[chat] :])  # in the thread
            text = "\n".join(m.plain_text for m in now)
            for n in range(40):  # every added item arrived, once
                assert text.count(f"{marker} {n}:") == 1
            header = "제 0001호 · " + SECTION.removeprefix("## ")
            assert text.count(header) == 1  # nothing doubled
            assert "Machine teaching with Dr. Patrice Simard" in text  # nothing lost after it
            assert all(len(m.plain_text) <= 4096 for m in now)


async def test_a_correction_during_a_delivery_run_gives_the_rest_the_new_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with delivered(tmp_path, monkeypatch, readers=20, scale=2) as s:
        run = asyncio.create_task(s.app.engine.deliver(1))
        await s.fake.wait_for_calls("sendMessage", 6, within=10)
        change_word(s.content)
        s.app.live.refresh()  # the watcher's refresh, while the run goes on
        correcting = asyncio.create_task(s.corrector.correct_due())  # waits for the run
        report = await run
        assert report.failed == 0
        [correction] = await correcting

        for chat in s.chats[:21]:
            texts = [m.plain_text for m in everything(s.fake, chat)]
            assert any(NEW_WORD in t for t in texts) and not any(OLD_WORD in t for t in texts)
        edits = len(s.fake.calls_to("editMessageText"))
        assert 1 <= edits == correction.edited < 21  # only the copies sent before the change


async def test_the_leaders_corrector_corrects_at_each_content_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the leader runs it (`bot/app/replica.py`): the watcher's refresh wakes it."""
    async with delivered(tmp_path, monkeypatch, readers=2) as s:
        await s.app.engine.deliver(1)
        stop = asyncio.Event()
        leader = asyncio.create_task(s.corrector.run(stop))
        try:
            change_word(s.content)
            assert s.app.live.refresh()  # what the file watcher calls
            await until(lambda: len(s.fake.calls_to("editMessageText")) == 3, "3 edits")
            change_word(s.content, NEW_WORD, "자랑도")
            assert s.app.live.refresh()
            await until(lambda: len(s.fake.calls_to("editMessageText")) == 6, "3 more edits")
        finally:
            stop.set()
            await leader
        assert all("자랑도" in m.plain_text for m in (edited(s.fake, c)[0] for c in s.chats[:3]))


async def test_a_shrunk_section_deletes_the_surplus_messages_or_points_up_from_old_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with delivered(tmp_path, monkeypatch, readers=2) as s:
        path = s.content / "issues/0001.md"
        original = path.read_text(encoding="utf-8")
        marker = grow_section(s.content)
        s.app.live.refresh()
        await s.app.engine.deliver(1)  # delivered grown: the section takes two messages or more
        counts = {chat: len(everything(s.fake, chat)) for chat in s.chats[:3]}
        old_reader = s.chats[2]
        last = everything(s.fake, old_reader)[-1]
        s.fake.age(old_reader, last.message_id)  # past 48 hours: Telegram will not delete it

        path.write_text(original, encoding="utf-8")  # the grown items taken out again
        s.app.live.refresh()
        [report] = await s.corrector.correct_due()

        assert report.deleted >= 2 and sum(report.failed.values()) == 0
        assert s.fake.deleted  # deleteMessage removed the surplus messages
        for chat in s.chats[:3]:
            now = everything(s.fake, chat)
            assert len(now) < counts[chat]
            text = "\n".join(m.plain_text for m in now)
            assert marker not in text
            header = "제 0001호 · " + SECTION.removeprefix("## ")
            assert text.count(header) == 1 and "Machine teaching" in text
        kept = s.fake.message(old_reader, last.message_id)
        assert kept.plain_text.startswith("✎ 수정됨: 이 부분은 위 메시지로 옮겼습니다.")


async def test_a_correction_cut_short_is_finished_by_the_next_term_editing_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leader that stops (SIGTERM, a lost lock) mid-correction leaves the revision to do;
    the next term's corrector (`run`, as a new leader starts it) finishes it."""
    async with delivered(tmp_path, monkeypatch, readers=10) as s:
        await s.app.engine.deliver(1)
        s.corrector.concurrency = 1  # one destination at a time: the others wait their turn
        s.fake.fail_next(None, "timeout", count=1, method="editMessageText")
        change_word(s.content)
        s.app.live.refresh()
        first = asyncio.create_task(s.corrector.correct_due())
        await until(lambda: s.fake.calls_to("editMessageText"), "the first edit, held")
        s.corrector.request_stop()  # the term ends: no edit starts after the one in flight
        s.fake.release_hung()
        [cut] = await first
        assert cut.stopped and cut.edited == 1
        assert s.corrector.due() == [1]  # the revision is still to do

        term = asyncio.Event()
        leader = asyncio.create_task(s.corrector.run(term))
        await until(lambda: s.corrector.due() == [], "the correction finished")
        term.set()
        await leader
        for chat in s.chats[:11]:
            [one] = edited(s.fake, chat)
            assert one.edits == 1 and NEW_WORD in one.plain_text
        assert len(s.fake.calls_to("editMessageText")) == 11
