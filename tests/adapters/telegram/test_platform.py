"""The Telegram adapter end to end: the real PTB Application against FakeTelegramAPI.

Each test gets a fresh fake on a free port and a Bot built from settings (the harness in
tests/support/telegram.py); updates go in as real Update JSON, and the assertions are on what
the fake received.
"""

from __future__ import annotations

import pytest

from bot.adapters.telegram.render import LIMIT
from tests.fakes.telegram_api import BLOCKED, NOT_STARTED
from tests.fakes.telegram_html import parse_html
from tests.support.telegram import (
    ADMIN,
    FORUM,
    FORUM_CHAT,
    GROUP,
    GROUP_CHAT,
    PRIVATE_CHAT,
    STRANGER,
    USER,
    Harness,
    command,
    kicked,
    private,
)
from tests.support.wait import until


# ---- commands -----------------------------------------------------------------------------
async def test_term_in_a_private_chat_is_answered_in_html(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/term NP-hard"))
    [sent] = await harness.answers(USER)
    assert sent.parse_mode == "HTML" and sent.reply_to is None
    assert sent.text.startswith("<b>NP-hard</b>\n\n")
    assert "at least as difficult as NP-complete" in sent.plain_text


async def test_an_edited_command_is_not_answered_again(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/term NP-hard"))
    await harness.answers(USER)
    edited = command(PRIVATE_CHAT, 11, "/term BERT")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 1700000100}
    harness.fake.push_update(edited)  # even if Telegram sent it: edits are not asked for
    harness.fake.push_update(command(PRIVATE_CHAT, 12, "/term AutoML"))
    sent = await harness.answers(USER, 2)
    assert [m.plain_text.split("\n")[0] for m in sent] == ["NP-hard", "AutoML"]
    allowed = harness.fake.calls_to("getUpdates")[0].params.get("allowed_updates")
    assert "edited_message" not in allowed


async def test_plain_text_in_a_private_chat_reads_as_a_command(harness: Harness) -> None:
    for n, text in enumerate(["term NP-hard", "용어 BERT", "hello there"]):
        harness.fake.push_update({"message": {"message_id": 30 + n, "date": 1700000000, "text": text,
                                  "from": {"id": USER, "is_bot": False, "first_name": "Ada"}, "chat": PRIVATE_CHAT}})  # fmt: skip
    sent = await harness.answers(USER, 3)
    assert sent[0].plain_text.startswith("NP-hard") and sent[1].plain_text.startswith("BERT")
    assert "/help" in sent[2].plain_text and "'hello'" in sent[2].plain_text


async def test_user_text_comes_back_escaped(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/term <b>x</b> & </i>"))
    [sent] = await harness.answers(USER)
    assert "'&lt;b&gt;x&lt;/b&gt; &amp; &lt;/i&gt;'" in sent.text
    assert "'<b>x</b> & </i>'" in sent.plain_text
    assert parse_html(sent.text).entities == []


async def test_group_command_addressed_to_us_replies_to_it(harness: Harness) -> None:
    harness.fake.push_update(command(GROUP_CHAT, 20, "/term@otherbot NP-hard"))
    harness.fake.push_update(command(GROUP_CHAT, 21, "/nosuch@otherbot"))
    harness.fake.push_update(command(GROUP_CHAT, 22, "/term@newsbot NP-hard"))
    [sent] = await harness.answers(GROUP)
    assert sent.reply_to == 22 and sent.link_preview_disabled
    assert sent.plain_text.startswith("NP-hard")


async def test_a_reply_chain_in_a_plain_group_is_not_a_topic(harness: Harness) -> None:
    # outside forums Telegram sets message_thread_id on replies (the chain's first message)
    # and refuses it as a send parameter ("message thread not found")
    harness.fake.push_update(command(GROUP_CHAT, 21, "/term@newsbot NP-hard", message_thread_id=20))
    [sent] = await harness.answers(GROUP)
    assert (sent.reply_to, sent.message_thread_id) == (21, None)
    assert "message_thread_id" not in harness.fake.calls_to("sendMessage")[0].params


async def test_forum_topic_answers_stay_in_the_topic(harness: Harness) -> None:
    update = command(
        FORUM_CHAT, 12, "/term@newsbot NP-hard", message_thread_id=7, is_topic_message=True
    )
    harness.fake.push_update(update)
    [sent] = await harness.answers(FORUM)
    assert (sent.message_thread_id, sent.reply_to) == (7, 12)
    assert harness.fake.calls_to("sendMessage")[0].params["message_thread_id"] == 7


async def test_issue_is_a_thread_of_replies_to_the_parent_in_the_topic(harness: Harness) -> None:
    update = command(FORUM_CHAT, 12, "/issue 1", message_thread_id=7, is_topic_message=True)
    harness.fake.push_update(update)
    sent = await harness.answers(FORUM, 11)
    parent, *replies = sent
    assert len(sent) == 11
    assert parent.reply_to is None and parent.plain_text.startswith("제 0001호 뉴랄브리핑")
    assert all(m.message_thread_id == 7 for m in sent)
    assert [m.reply_to for m in replies] == [parent.message_id] * 10
    assert all(m.link_preview_disabled for m in replies)
    assert all(0 < len(m.plain_text) <= LIMIT for m in sent)
    assert replies[-1].plain_text.startswith("Useful links")


@pytest.mark.parametrize("harness", [{"limits": False}], indirect=True)
async def test_latest_in_a_private_chat_is_the_same_thread(harness: Harness) -> None:
    # limits off: answers are not paced, so 11 parts to one private chat wait out eight
    # 429s (about 8 s) with Telegram's 1 msg/s; the thread is still whole and in order
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/latest"))
    parent, *replies = await harness.answers(USER, 11)
    assert {m.reply_to for m in replies} == {parent.message_id}


async def test_commands_are_registered_in_korean_and_english(harness: Harness) -> None:
    names = [
        "term",
        "issue",
        "latest",
        "search",
        "subscribe",
        "unsubscribe",
        "help",
        "lang",
        "briefing",
    ]
    default, english = harness.fake.commands(), harness.fake.commands(language_code="en")
    korean = harness.fake.commands(language_code="ko")
    assert [c["command"] for c in default] == names == [c["command"] for c in korean]
    assert default == english
    assert korean[0]["description"].startswith("용어")
    assert default[0]["description"].startswith("Look")
    [delete] = harness.fake.calls_to("deleteWebhook")  # polling start: pending updates are kept
    assert delete.params["drop_pending_updates"] is False
    [poll, *_] = await harness.fake.wait_for_calls("getUpdates")
    assert poll.params["allowed_updates"] == [
        "message",
        "channel_post",
        "my_chat_member",
        "callback_query",
        "inline_query",
        "message_reaction",
        "message_reaction_count",
    ]


async def test_unknown_commands_answer_in_private_only(harness: Harness) -> None:
    harness.fake.push_update(command(GROUP_CHAT, 30, "/frobnicate"))
    harness.fake.push_update(command(PRIVATE_CHAT, 31, "/frobnicate"))
    [sent] = await harness.answers(USER)
    assert "frobnicate" in sent.plain_text and "/help" in sent.plain_text
    harness.fake.push_update(command(PRIVATE_CHAT, 32, "/t NP-hard"))  # a core alias
    assert (await harness.answers(USER, 2))[1].plain_text.startswith("NP-hard")
    assert harness.fake.messages(GROUP) == []


async def test_admin_commands_check_the_telegram_user(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/stats"))
    harness.fake.push_update(command(private(ADMIN), 12, "/stats", user=ADMIN))
    [refused] = await harness.answers(USER)
    [stats] = await harness.answers(ADMIN)
    assert "관리자만" in refused.plain_text
    assert stats.plain_text.startswith("통계")


async def test_start_greets_and_the_deep_link_subscribes(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/start"))
    [greeting] = await harness.answers(USER)
    assert "/subscribe" in greeting.plain_text
    harness.fake.push_update(command(PRIVATE_CHAT, 12, "/start subscribe"))
    await harness.answers(USER, 2)
    assert await harness.app.store.subscriptions.is_subscribed("telegram", str(USER))


# ---- subscriptions ------------------------------------------------------------------------
async def test_subscribe_in_private_is_idempotent(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/subscribe"))
    harness.fake.push_update(command(PRIVATE_CHAT, 12, "/subscribe"))
    first, second = await harness.answers(USER, 2)
    assert first.plain_text.startswith("구독했습니다") and second.plain_text.startswith("이미")
    [subscriber] = await harness.app.store.subscriptions.subscribers("telegram")
    assert (subscriber.user, subscriber.chat) == (str(USER), str(USER))
    harness.fake.push_update(command(PRIVATE_CHAT, 13, "/unsubscribe"))
    await harness.answers(USER, 3)
    assert not await harness.app.store.subscriptions.is_subscribed("telegram", str(USER))


async def test_group_subscribe_needs_a_private_chat_first(harness: Harness) -> None:
    # STRANGER is known from the group message but never started the bot: Telegram answers
    # the confirmation sent to them with 403 "bot can't initiate conversation with a user"
    harness.fake.push_update(command(GROUP_CHAT, 40, "/subscribe@newsbot", user=STRANGER))
    [sent] = await harness.answers(GROUP)
    assert "https://t.me/newsbot?start=subscribe" in sent.plain_text
    assert sent.reply_to == 40
    [probe, _] = harness.fake.calls_to("sendMessage")
    assert probe.params["chat_id"] == STRANGER and harness.fake.messages(STRANGER) == []
    assert harness.fake.stats()["rejected"] == {NOT_STARTED: 1}
    assert not await harness.app.store.subscriptions.is_subscribed("telegram", str(STRANGER))


async def test_group_subscribe_subscribes_the_private_chat(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    harness.fake.push_update(command(GROUP_CHAT, 41, "/subscribe", user=USER))
    [in_group] = await harness.answers(GROUP)
    [in_private] = harness.fake.messages(USER)
    assert in_group.plain_text.startswith("구독했습니다") and in_group.reply_to == 41
    assert in_private.plain_text.startswith("구독했습니다")
    [subscriber] = await harness.app.store.subscriptions.subscribers("telegram")
    assert subscriber.chat == str(USER)


async def test_blocking_the_bot_ends_the_subscription(harness: Harness) -> None:
    subscriptions = harness.app.store.subscriptions
    await subscriptions.subscribe("telegram", str(USER), str(USER))
    harness.fake.push_update(kicked(USER))

    async def gone() -> bool:
        return not await subscriptions.is_subscribed("telegram", str(USER))

    await until(gone)


async def test_a_blocked_answer_unsubscribes_and_the_bot_keeps_answering(harness: Harness) -> None:
    await harness.app.store.subscriptions.subscribe("telegram", str(USER), str(USER))
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/help"))  # sent just before the block
    harness.fake.block(USER)
    await harness.fake.wait_for_calls("sendMessage", 1)
    harness.fake.fail_next(GROUP, "500", count=3)  # an answer that fails for good
    harness.fake.push_update(command(GROUP_CHAT, 50, "/help"))
    await harness.fake.wait_for_calls("sendMessage", 4)
    harness.fake.unblock(USER)  # "restart bot" in the app
    harness.fake.push_update(command(PRIVATE_CHAT, 12, "/help"))
    [answer] = await harness.answers(USER)
    assert answer.plain_text.startswith("뉴랄브리핑 봇 명령")
    assert not await harness.app.store.subscriptions.is_subscribed("telegram", str(USER))
    assert harness.fake.stats()["rejected"][BLOCKED] == 1  # a refusal is not retried


@pytest.mark.parametrize("harness", [{"receive": False}], indirect=True)
async def test_a_blocked_subscriber_is_unsubscribed_once_by_the_delivery(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    await harness.app.store.subscriptions.subscribe("telegram", str(USER), str(USER))
    harness.fake.block(USER)  # stays blocked: every later send would be refused too
    first = await harness.app.engine.deliver()
    second = await harness.app.engine.deliver()
    assert (first.unsubscribed, first.sent, second.unsubscribed, second.sent) == (1, 0, 0, 0)
    sent = [c.params["chat_id"] for c in harness.fake.calls_to("sendMessage")]
    assert sent == [USER, ADMIN]  # the one refused send, then the first run's report
    assert not await harness.app.store.subscriptions.is_subscribed("telegram", str(USER))


async def test_a_command_answer_waits_out_one_429_for_its_chat(harness: Harness) -> None:
    harness.fake.fail_next(USER, "429", retry_after=1)
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/help"))
    harness.fake.push_update(command(private(ADMIN), 12, "/help", user=ADMIN))
    [other] = await harness.answers(ADMIN)  # not held up by USER's flood control
    [answer] = await harness.answers(USER)
    calls = [c for c in harness.fake.calls_to("sendMessage") if c.params["chat_id"] == USER]
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.95
    assert other.at < answer.at
