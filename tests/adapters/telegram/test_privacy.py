"""A reader's own data on Telegram, the real PTB against the fake: `/mydata` in the reader's DM
(and, asked in a group, sent there), `/forget`'s confirmation as an inline button whose press
deletes everything and is answered as a callback notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.privacy import Reader
from tests.support.telegram import (
    GROUP,
    GROUP_CHAT,
    PRIVATE_CHAT,
    USER,
    Harness,
    command,
    open_harness,
)


@pytest.fixture
async def h(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with open_harness(tmp_path, monkeypatch) as harness:
        harness.fake.add_chat(GROUP, "supergroup")
        yield harness


async def test_mydata_then_forget_by_its_button(h: Harness) -> None:
    h.fake.push_update(command(PRIVATE_CHAT, 11, "/subscribe 07:30"))
    await h.answers(USER, 1)
    h.fake.push_update(command(PRIVATE_CHAT, 12, "/mydata"))
    shown = (await h.answers(USER, 2))[1]
    assert "저장된 내 정보" in shown.plain_text and "구독 (1건)" in shown.plain_text
    assert "time: 07:30" in shown.plain_text

    h.fake.push_update(command(PRIVATE_CHAT, 13, "/forget"))
    asked = (await h.answers(USER, 3))[2]
    assert [b["callback_data"] for b in asked.buttons()] == ["forget:me"]
    assert await h.app.store.subscriptions.is_subscribed("telegram", str(USER))  # not yet

    query = h.fake.press(asked, "forget:me")
    await h.fake.wait_for_calls("answerCallbackQuery", 1, 10)
    assert str(h.fake.callback_answers[query]["text"]).startswith(
        "저장된 내 정보 2건을 모두 지웠습니다"
    )
    assert await h.app.store.readers.held(Reader("telegram", str(USER))) == {}
    assert len(h.fake.messages(USER)) == 3  # answered as a notice, no new message


async def test_mydata_asked_in_a_group_goes_to_the_dm(h: Harness) -> None:
    h.fake.add_chat(USER, "private")  # the reader started the bot once
    h.fake.push_update(command(GROUP_CHAT, 21, "/mydata"))
    [said] = await h.answers(GROUP, 1)
    assert said.plain_text == "저장된 내 정보를 DM으로 보냈습니다."
    [dm] = await h.answers(USER, 1)
    assert dm.plain_text == "저장된 정보가 없습니다."


async def test_mydata_in_a_group_from_a_reader_the_bot_cannot_dm(h: Harness) -> None:
    h.fake.push_update(command(GROUP_CHAT, 21, "/mydata"))  # never started the bot
    [said] = await h.answers(GROUP, 1)
    assert said.plain_text == "DM을 보낼 수 없습니다. 봇에게 DM으로 /mydata 를 보내 주세요."
    assert h.fake.messages(USER) == []
