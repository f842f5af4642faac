"""Corrections on Slack, end to end: issue 1 delivered by the app's engine through slack_sdk
to a channel and 50 DM readers on the fake Slack API, the issue file changed, the content
reloaded, the leader's corrector run. Assertions are on what the fake holds: `chat.update`
calls, each message's edit history and text, and that nothing new was posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import Bot, started
from bot.core.delivery.corrections import Corrector
from bot.store.backend import TinyBackend
from tests.fakes.slack_api import FakeSlackAPI, Posted
from tests.support.corrections import (
    NEW_WORD,
    OLD_WORD,
    change_word,
    editable_content,
    grow_section,
)
from tests.support.slack import make_app

READERS = 50
MARK = "✎ 수정됨 "


@pytest.fixture(autouse=True)
def fast_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_PACE_SCALE", "100")  # ~1 message/s per channel, compressed


@dataclass
class Setup:
    fake: FakeSlackAPI
    app: Bot
    content: Path
    chats: list[str]

    @property
    def corrector(self) -> Corrector:
        assert self.app.corrector is not None
        return self.app.corrector


@asynccontextmanager
async def delivered(tmp_path: Path, readers: int = READERS) -> AsyncIterator[Setup]:
    content = editable_content(tmp_path)
    async with FakeSlackAPI() as fake:
        fake.add_channel("C1")
        app = make_app(tmp_path, fake, "http", channels=("C1",), content=content)
        assert isinstance(app.store, TinyBackend)
        async with started(app, receive=False):
            chats = ["C1"]
            table = app.store.store.table("subscriptions")
            for n in range(readers):
                user = f"U{n:03d}"
                fake.add_user(user)
                dm = await app.platforms.get("slack").open_dm(user)
                table.put(f"slack:{user}", {"platform": "slack", "user": user, "chat": dm,
                                            "since": "2024-01-01T00:00:00+00:00"})  # fmt: skip
                chats.append(dm)
            await app.store.store.commit()
            report = await app.engine.deliver(1)
            assert report.failed == 0 and report.sent == 11 * (readers + 1)
            try:
                yield Setup(fake, app, content, chats)
            finally:
                await app.store.close()


def changed(fake: FakeSlackAPI, chat: str) -> list[Posted]:
    return [m for m in fake.messages(chat) if m.history]


async def test_one_word_changed_updates_exactly_the_copies_of_that_part_once(
    tmp_path: Path,
) -> None:
    async with delivered(tmp_path) as s:
        posts = len(s.fake.calls_to("chat.postMessage"))
        change_word(s.content)
        assert s.app.live.refresh()
        [report] = await s.corrector.correct_due()

        assert (report.edited, report.added, report.deleted) == (1 + READERS, 0, 0)
        assert sum(report.failed.values()) == 0
        assert len(s.fake.calls_to("chat.postMessage")) == posts  # nothing new posted
        for chat in s.chats:
            assert len(s.fake.messages(chat)) == 11
            [one] = changed(s.fake, chat)
            assert len(one.history) == 1 and OLD_WORD in (one.history[0] or "")
            assert one.text is not None and NEW_WORD in one.text and MARK in one.text
            assert one.thread_ts is not None  # a reply, edited in place in its thread
        assert await s.corrector.correct_due() == []
        assert len(s.fake.calls_to("chat.update")) == 1 + READERS


async def test_a_deleted_message_is_counted_and_a_grown_section_continues_in_the_thread(
    tmp_path: Path,
) -> None:
    async with delivered(tmp_path, readers=2) as s:
        gone_chat = s.chats[1]
        target = next(m for m in s.fake.messages(gone_chat) if OLD_WORD in (m.text or ""))
        s.fake.delete_by_user(gone_chat, target.ts)
        parent = s.fake.messages("C1")[0].ts

        marker = grow_section(s.content, items=60)  # past Slack's 50 blocks a message
        s.app.live.refresh()
        [report] = await s.corrector.correct_due()

        assert list(report.failed.values()) == [1]
        assert "message_not_found" in next(iter(report.failed))
        assert report.edited == 2 + 2 + 1  # the parent (its contents count) and the section
        for chat in ("C1", s.chats[2]):
            now = s.fake.messages(chat)
            assert len(now) == 12 and now[-1].thread_ts == now[0].ts
            blocks = str([m.blocks for m in now])
            assert all(blocks.count(f"{marker} {n}:") == 1 for n in range(60))
        assert s.fake.messages("C1")[0].ts == parent

        calls = len(s.fake.calls_to("chat.update"))
        change_word(s.content)
        s.app.live.refresh()
        await s.corrector.correct_due()
        tried = [c for c in s.fake.calls_to("chat.update")[calls:] if c.params["ts"] == target.ts]
        assert tried == []  # the gone copy is never tried again
