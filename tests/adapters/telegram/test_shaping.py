"""Muted sections end to end on Telegram: the real PTB Application against FakeTelegramAPI; a
reader mutes 레딧 in their private chat and their next (packed) DM thread, as the fake saw it,
has neither the section nor its line in the contents, while a group's thread keeps both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.telegram import (
    GROUP,
    GROUP_CHAT,
    USER,
    Harness,
    command,
    open_harness,
    private,
)


@pytest.fixture
async def tg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with open_harness(tmp_path, monkeypatch) as started:
        yield started


async def test_a_reader_mutes_a_section_and_their_thread_leaves_it_out(tg: Harness) -> None:
    tg.fake.set_member(GROUP, USER, "creator")
    tg.fake.push_update(command(GROUP_CHAT, 10, "/briefing here"))
    tg.fake.push_update(command(private(), 11, "/subscribe"))
    tg.fake.push_update(command(private(), 12, "/mute reddit"))
    answers = await tg.answers(USER, 2)
    assert "'레딧' 섹션은 빼고 보냅니다" in answers[1].plain_text
    tg.fake.push_update(command(private(), 13, "/mute 레딫"))
    typo = (await tg.answers(USER, 3))[2].plain_text
    assert "혹시 이 섹션인가요?" in typo and "레딧" in typo
    await tg.answers(GROUP)
    report = await tg.app.engine.deliver()
    assert report.failed == 0
    mine = [m.plain_text for m in tg.fake.messages(USER)[3:]]
    group = [m.plain_text for m in tg.fake.messages(GROUP)[1:]]
    assert mine and group
    assert "레딧 (" in group[0] and "레딧 (" not in mine[0]  # the contents' line
    assert any("· 레딧" in text for text in group)
    assert not any("· 레딧" in text for text in mine)
    assert any("· arXiv" in text for text in mine)
