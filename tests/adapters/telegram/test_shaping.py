"""Muted sections end to end on Telegram: the real PTB Application against FakeTelegramAPI; a
reader mutes 레딧 in their private chat and their next (packed) DM thread, as the fake saw it,
has neither the section nor its line in the contents, while a group's thread keeps both."""

from __future__ import annotations

from tests.support.telegram import (
    GROUP,
    GROUP_CHAT,
    USER,
    Harness,
    command,
    private,
)


async def test_a_reader_mutes_a_section_and_their_thread_leaves_it_out(harness: Harness) -> None:
    harness.fake.set_member(GROUP, USER, "creator")
    harness.fake.push_update(command(GROUP_CHAT, 10, "/briefing here"))
    harness.fake.push_update(command(private(), 11, "/subscribe"))
    harness.fake.push_update(command(private(), 12, "/mute reddit"))
    answers = await harness.answers(USER, 2)
    assert "'레딧' 섹션은 빼고 보냅니다" in answers[1].plain_text
    harness.fake.push_update(command(private(), 13, "/mute 레딫"))
    typo = (await harness.answers(USER, 3))[2].plain_text
    assert "혹시 이 섹션인가요?" in typo and "레딧" in typo
    await harness.answers(GROUP)
    report = await harness.app.engine.deliver()
    assert report.failed == 0
    mine = [m.plain_text for m in harness.fake.messages(USER)[3:]]
    group = [m.plain_text for m in harness.fake.messages(GROUP)[1:]]
    assert mine and group
    assert "레딧 (" in group[0] and "레딧 (" not in mine[0]  # the contents' line
    assert any("· 레딧" in text for text in group)
    assert not any("· 레딧" in text for text in mine)
    assert any("· arXiv" in text for text in mine)
