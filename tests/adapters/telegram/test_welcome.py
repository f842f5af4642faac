"""The welcome on subscribing, on Telegram against the fake Bot API: `/subscribe` (and the deep
link's `/start subscribe`) answers with the confirmation, when and in which language it comes,
how to change that, /unsubscribe, and the latest issue's title with a button; pressing it
brings that issue as a thread in the private chat (an answer: nothing in the ledger); a second
`/subscribe` says so and welcomes no one again."""

from __future__ import annotations

import pytest

from tests.support.telegram import PRIVATE_CHAT, USER, Harness, command
from tests.support.wait import until

PARTS = 11  # issue 1: the parent, 9 sections and the useful links


@pytest.mark.parametrize("text", ["/subscribe", "/start subscribe"])
async def test_a_new_subscription_is_welcomed_and_its_button_reads_now(
    harness: Harness, text: str
) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, text))
    [welcome] = await harness.answers(USER)
    said = welcome.plain_text
    assert said.startswith("구독했습니다")
    assert "08:30 (Asia/Seoul)" in said and "언어 ko" in said and "/unsubscribe" in said
    assert "/subscribe 07:30 Europe/Berlin" in said and "/lang en" in said
    assert "최신 호: 제 0001호" in said
    assert [(b["text"], b["callback_data"]) for b in welcome.buttons()] == [("지금 읽기", "read:1")]

    query = harness.fake.press(welcome, "read:1", user=USER)
    parent, *replies = (await harness.answers(USER, 1 + PARTS))[1:]
    await until(lambda: query in harness.fake.callback_answers, "the press answered")
    assert "제 0001호" in parent.plain_text and len(replies) == PARTS - 1
    assert all(r.reply_to == parent.message_id for r in replies)
    ledger = harness.app.store.ledger
    assert not ledger.is_done(1, f"telegram:dm:{USER}") and not ledger.parts(
        1, f"telegram:dm:{USER}"
    )


async def test_a_second_subscribe_changes_nothing_and_welcomes_no_one(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/subscribe"))
    await harness.answers(USER)
    harness.fake.push_update(command(PRIVATE_CHAT, 12, "/subscribe"))
    first, again = await harness.answers(USER, 2)
    assert first.buttons() and "최신 호" in first.plain_text
    assert again.plain_text.startswith("이미 구독 중")
    assert "최신 호" not in again.plain_text and not again.buttons()
    assert await harness.app.store.subscriptions.count() == 1


async def test_a_forged_read_press_is_answered_and_sends_nothing(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/subscribe"))
    [welcome] = await harness.answers(USER)
    for data in ("read:abc", "read:999", "read:"):
        query = harness.fake.press(welcome, data, user=USER)
        answers = harness.fake.callback_answers
        await until(lambda: query in answers, "the press answered")  # noqa: B023
        assert answers[query].get("text")
    assert len(harness.fake.messages(USER)) == 1
