"""Telegram channels that opt in themselves, end to end: the real PTB Application against
FakeTelegramAPI (getChatMember answered as Telegram does), asserting on what the fake saw."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.conversation.destinations import dm_key
from tests.support.telegram import (
    FORUM,
    FORUM_CHAT,
    GROUP,
    GROUP_CHAT,
    PRIVATE_CHAT,
    USER,
    Harness,
    command,
    open_harness,
)
from tests.support.wait import until

CHANNEL = -1005550000000
CHANNEL_CHAT = {"id": CHANNEL, "title": "Briefing channel", "type": "channel"}
BOT = {"id": 123456, "is_bot": True, "first_name": "News", "username": "newsbot"}


@pytest.fixture
async def tg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with open_harness(tmp_path, monkeypatch) as started:
        yield started


def status_change(chat: dict[str, Any], before: str, after: str) -> dict[str, Any]:
    extra = {"until_date": 0} if after == "kicked" else {}
    return {
        "my_chat_member": {
            "chat": chat, "from": {"id": USER, "is_bot": False, "first_name": "Ada"},
            "date": 1700000000, "old_chat_member": {"user": BOT, "status": before},
            "new_chat_member": {"user": BOT, "status": after, **extra},
        }
    }  # fmt: skip


async def opted(tg: Harness) -> list[str]:
    return [o.chat for o in await tg.app.store.destinations.opted_in()]


async def test_a_group_admin_opts_in_and_a_member_is_refused(tg: Harness) -> None:
    tg.fake.set_member(GROUP, USER, "member")
    tg.fake.set_member(GROUP, 777, "administrator")
    tg.fake.push_update(command(GROUP_CHAT, 20, "/briefing here"))
    [refused] = await tg.answers(GROUP)
    assert "관리자만 /briefing here" in refused.plain_text
    tg.fake.push_update(command(GROUP_CHAT, 21, "/briefing@newsbot here", user=777))
    done = await tg.answers(GROUP, 2)
    assert done[1].plain_text.startswith("매일 08:30 (Asia/Seoul)에 이 채널로")
    asked = tg.fake.calls_to("getChatMember")
    assert [(c.params["chat_id"], c.params["user_id"]) for c in asked] == [
        (GROUP, USER),
        (GROUP, 777),
    ]
    assert await opted(tg) == [str(GROUP)]


async def test_the_next_delivery_reaches_the_opted_in_group_as_one_thread(tg: Harness) -> None:
    tg.fake.set_member(GROUP, USER, "creator")
    tg.fake.push_update(command(GROUP_CHAT, 20, "/briefing here"))
    await tg.answers(GROUP)
    report = await tg.app.engine.deliver()
    assert report.failed == 0
    sent = tg.fake.messages(GROUP)[1:]
    assert sent and sent[0].reply_to is None
    assert all(m.reply_to == sent[0].message_id for m in sent[1:])
    tg.fake.push_update(command(GROUP_CHAT, 30, "/briefing stop"))
    await tg.answers(GROUP, len(sent) + 2)
    assert await opted(tg) == []
    assert f"telegram:{GROUP}" not in [d.key for d in await tg.app.engine.destinations()]


async def test_a_forum_topic_is_the_destination(tg: Harness) -> None:
    tg.fake.set_member(FORUM, USER, "administrator")
    topic = {"message_thread_id": 7, "is_topic_message": True}
    tg.fake.push_update(command(FORUM_CHAT, 40, "/briefing here", **topic))
    [confirmed] = await tg.answers(FORUM)
    assert confirmed.message_thread_id == 7
    assert await opted(tg) == [f"{FORUM}:7"]
    await tg.app.engine.deliver()
    thread = tg.fake.messages(FORUM)[1:]
    assert thread and {m.message_thread_id for m in thread} == {7}


async def test_a_broadcast_channel_opts_in_with_a_channel_post(tg: Harness) -> None:
    post = command(CHANNEL_CHAT, 50, "/briefing here")["message"]
    del post["from"]
    post["sender_chat"] = CHANNEL_CHAT
    tg.fake.push_update({"channel_post": post})
    [confirmed] = await tg.answers(CHANNEL)
    assert "이 채널로" in confirmed.plain_text
    assert tg.fake.calls_to("getChatMember") == []  # whoever posts as the channel administers it
    assert await opted(tg) == [str(CHANNEL)]
    allowed = tg.fake.calls_to("getUpdates")[0].params.get("allowed_updates")
    assert "channel_post" in allowed


async def test_added_to_a_group_it_says_how_to_opt_in_and_removed_it_ends(tg: Harness) -> None:
    tg.fake.push_update(status_change(GROUP_CHAT, "left", "member"))
    [hello] = await tg.answers(GROUP)
    assert "/briefing here" in hello.plain_text
    tg.fake.set_member(GROUP, USER, "creator")
    tg.fake.push_update(command(GROUP_CHAT, 20, "/briefing here"))
    await tg.answers(GROUP, 2)
    tg.fake.push_update(status_change(GROUP_CHAT, "member", "kicked"))

    async def ended() -> bool:
        return await opted(tg) == []

    await until(ended)


async def test_an_english_speaking_reader_gets_english_and_lang_switches_back(
    tg: Harness,
) -> None:
    english = command(PRIVATE_CHAT, 60, "/help")
    english["message"]["from"]["language_code"] = "en"
    tg.fake.push_update(english)
    [help_en] = await tg.answers(USER)
    assert help_en.plain_text.startswith("뉴랄브리핑 (Neural Briefing) commands")
    switch = command(PRIVATE_CHAT, 61, "/lang ko")
    switch["message"]["from"]["language_code"] = "en"
    tg.fake.push_update(switch)
    again = command(PRIVATE_CHAT, 62, "/help")
    again["message"]["from"]["language_code"] = "en"
    tg.fake.push_update(again)
    sent = await tg.answers(USER, 3)
    assert sent[1].plain_text == "이제 한국어로 답합니다."
    assert sent[2].plain_text.startswith("뉴랄브리핑 봇 명령")


async def test_bad_times_and_zones_get_a_short_answer(tg: Harness) -> None:
    tg.fake.push_update(command(PRIVATE_CHAT, 70, "/subscribe 24:00"))
    tg.fake.push_update(command(PRIVATE_CHAT, 71, "/subscribe 07:30 Europe/Nowhere"))
    sent = await tg.answers(USER, 2)
    assert "'24:00'" in sent[0].plain_text and "07:30 Europe/Berlin" in sent[0].plain_text
    assert "'Europe/Nowhere'" in sent[1].plain_text


def spoken(chat: dict[str, Any], message_id: int, text: str, language: str, **kw: Any) -> Any:
    update = command(chat, message_id, text, **kw)
    update["message"]["from"]["language_code"] = language
    return update


async def test_a_reader_who_only_asks_is_answered_in_their_apps_language(tg: Harness) -> None:
    """Never subscribed, no /lang: every answer, the refusal of an admin's command too, speaks
    the app's language_code on a Korean bot, and nothing is stored for them."""
    tg.fake.push_update(spoken(PRIVATE_CHAT, 80, "/term NP-hard", "en"))
    [term] = await tg.answers(USER)
    assert "Also known as:" in term.plain_text and "다른 이름" not in term.plain_text
    tg.fake.push_update(spoken(PRIVATE_CHAT, 81, "/stats", "en"))
    refused = (await tg.answers(USER, 2))[1]
    assert refused.plain_text == "Only admins can use this command ([bot] admins)."
    assert (
        await tg.app.store.destinations.settings(dm_key("telegram", str(USER)))
    ).language is None


async def test_in_a_group_the_groups_language_wins_else_the_askers(tg: Harness) -> None:
    """A group's answers are read by everyone there: its /briefing lang first; without one,
    the asker's own (their /lang, else their app's language)."""
    tg.fake.set_member(GROUP, 777, "administrator")
    tg.fake.push_update(spoken(PRIVATE_CHAT, 90, "/lang ko", "en"))  # theirs: Korean
    await tg.answers(USER)
    tg.fake.push_update(spoken(GROUP_CHAT, 91, "/term NP-hard", "en"))
    [korean] = await tg.answers(GROUP)
    assert "다른 이름:" in korean.plain_text
    tg.fake.push_update(spoken(GROUP_CHAT, 92, "/briefing lang en", "ko", user=777))
    tg.fake.push_update(spoken(GROUP_CHAT, 93, "/term NP-hard", "en"))
    said = await tg.answers(GROUP, 3)
    assert "Also known as:" in said[2].plain_text
