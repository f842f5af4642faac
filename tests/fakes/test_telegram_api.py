"""Proves tests/fakes/telegram_api.py against the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import BotCommand, LinkPreviewOptions, MessageEntity, ReplyParameters
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_html import HtmlParseError, parse_html

TOKEN = "123456:TEST-TOKEN"
USER = 5550001
FORUM = -1001234567890
GROUP = -1009876543210


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(TOKEN, "newsbot") as fake:
        fake.add_chat(USER, "private", title="Ada", username="ada")
        fake.add_chat(FORUM, "supergroup", is_forum=True, topics=(7,), title="CS Reading Group")
        fake.add_chat(GROUP, "group", title="Plain group")
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegramAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=tg.base_url) as client:
        yield client


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without PTB_TIMEDELTA, PTB 22 warns (PTBDeprecationWarning) while *constructing* RetryAfter,
    # which filterwarnings=error turns into an exception instead of RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def command_update(
    chat: dict[str, Any], message_id: int, text: str, **extra: Any
) -> dict[str, Any]:
    command = text.split()[0]
    return {
        "message": {
            "message_id": message_id,
            "from": {"id": USER, "is_bot": False, "first_name": "Ada"},
            "chat": chat,
            "date": 1700000000,
            "text": text,
            "entities": [{"offset": 0, "length": len(command), "type": "bot_command"}],
            **extra,
        }
    }


async def test_get_me_username(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    assert bot.username == "newsbot"
    assert (await bot.get_me()).is_bot
    assert [c.method for c in tg.calls] == ["getMe", "getMe"]


async def test_wrong_token_and_unknown_method(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=tg.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})


async def test_html_send_records_plain_text_and_reply(
    tg: FakeTelegramAPI, bot: telegram.Bot
) -> None:
    tg.push_update(command_update({"id": USER, "type": "private"}, 7, "/term NP-hard"))
    msg = await bot.send_message(
        USER,
        '<b>NP-hard</b> &amp; <a href="https://example.com/?a=1&amp;b=2">more</a> 🏟 &lt;3',
        parse_mode="HTML",
        reply_parameters=ReplyParameters(7),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert isinstance(msg, telegram.Message)
    assert msg.text == "NP-hard & more 🏟 <3"
    assert msg.message_id == 8  # ids continue after the incoming message
    assert msg.reply_to_message is not None and msg.reply_to_message.message_id == 7
    assert msg.from_user is not None and msg.from_user.username == "newsbot"
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [
        (MessageEntity.BOLD, 0, 7),
        (MessageEntity.TEXT_LINK, 10, 4),
    ]
    assert msg.entities[1].url == "https://example.com/?a=1&b=2"
    [sent] = tg.messages(USER)
    assert (sent.plain_text, sent.reply_to, sent.parse_mode) == (msg.text, 7, "HTML")
    assert sent.text.startswith("<b>NP-hard</b>") and sent.link_preview_disabled
    params = tg.calls_to("sendMessage")[0].params
    assert params["chat_id"] == USER
    assert params["reply_parameters"] == {"message_id": 7}
    assert params["link_preview_options"] == {"is_disabled": True}
    assert tg.stats()["sent"] == 1


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<p>x</p>", 'unsupported start tag "p" at byte offset 0'),
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("a & b", 'unescaped "&" at byte offset 2'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x <b", "unclosed start tag at byte offset 2"),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_bad_request(
    tg: FakeTelegramAPI, bot: telegram.Bot, text: str, detail: str
) -> None:
    with pytest.raises(BadRequest) as info:
        await bot.send_message(USER, text, parse_mode="HTML")
    # PTB strips "Bad Request: " and str.capitalize()s the rest.
    assert info.value.message.startswith(f"Can't parse entities: {detail}")
    assert tg.messages(USER) == []


async def test_length_limits(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(USER, "x" * 4097)
    msg = await bot.send_message(USER, "<b>" + "y" * 4096 + "</b>", parse_mode="HTML")
    assert msg.text == "y" * 4096
    assert len(await_text := "🏟" * 4096) == 4096  # code points, not UTF-16 units or bytes
    assert (await bot.send_message(USER, await_text)).text == await_text
    with pytest.raises(BadRequest, match=r"^Text is too long$"):
        await bot.send_message(USER, "<b></b>" * 5000, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Unsupported parse_mode"):
        await bot.send_message(USER, "*x*", parse_mode="MarkdownV2")


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_fail_next_429_raises_retry_after(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    tg.fail_next(USER, "429", retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "hi")
    assert info.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(USER, "hi again")  # consumed
    assert tg.stats()["rate_limited"] == 1 and tg.stats()["sent"] == 1


async def test_a_blocked_user_stays_blocked_until_unblocked(
    tg: FakeTelegramAPI, bot: telegram.Bot
) -> None:
    tg.block(USER)
    for _ in range(2):  # not a one-shot fault: every send is refused
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
            await bot.send_message(USER, "hi")
    tg.unblock(USER)
    await bot.send_message(USER, "ok now")
    assert tg.stats()["rejected"]["Forbidden: bot was blocked by the user"] == 2
    assert [m.text for m in tg.messages(USER)] == ["ok now"]


async def test_kicked_is_a_one_shot_forbidden(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    tg.fail_next(None, "kicked")
    await bot.get_me()  # requests without chat_id do not consume chat faults
    with pytest.raises(Forbidden, match=r"kicked from the supergroup chat"):
        await bot.send_message(FORUM, "hi")
    await bot.send_message(FORUM, "ok now")


async def test_a_user_who_never_started_the_bot_cannot_be_messaged_first(
    tg: FakeTelegramAPI, bot: telegram.Bot
) -> None:
    stranger, seen_in_group = 5550007, 5550008
    tg.add_user(stranger)
    update = command_update({"id": GROUP, "type": "group", "title": "Plain group"}, 5, "/help")
    update["message"]["from"]["id"] = seen_in_group
    tg.push_update(update)
    for user in (stranger, seen_in_group):
        with pytest.raises(Forbidden, match=r"^Forbidden: bot can't initiate conversation"):
            await bot.send_message(user, "hi")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):  # nobody the bot knows
        await bot.send_message(5550009, "hi")
    start = command_update({"id": stranger, "type": "private"}, 1, "/start")
    start["message"]["from"]["id"] = stranger
    tg.push_update(start)  # the user opens the private chat
    assert (await bot.send_message(stranger, "welcome")).chat.id == stranger


async def test_reply_and_chat_checks(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(USER, "hi", reply_parameters=ReplyParameters(999))
    msg = await bot.send_message(
        USER, "hi", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert msg.reply_to_message is None and tg.messages(USER)[0].reply_to is None
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(31337, "hi")
    assert (await bot.send_message("@ada", "by username")).chat.id == USER
    first = await bot.send_message(GROUP, "first")
    reply = await bot.send_message(GROUP, "second", reply_to_message_id=first.message_id)
    assert tg.messages(GROUP)[1].reply_to == first.message_id == 1
    assert reply.message_id == 2


async def test_forum_topics(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    msg = await bot.send_message(FORUM, "in topic", message_thread_id=7)
    assert msg.is_topic_message and msg.message_thread_id == 7
    for bad_thread in (1, 99):  # 1 is General: omit message_thread_id to post there
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(FORUM, "x", message_thread_id=bad_thread)
    general = await bot.send_message(FORUM, "in general")
    assert general.message_thread_id is None
    # replying to a topic message without message_thread_id lands in that topic
    follow = await bot.send_message(
        FORUM, "reply", reply_parameters=ReplyParameters(msg.message_id)
    )
    assert follow.message_thread_id == 7
    for chat in (GROUP, USER):  # no topics there: Telegram refuses a thread id
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(chat, "x", message_thread_id=5)
    assert tg.messages(GROUP) == tg.messages(USER) == []


async def test_get_updates_offset_and_long_poll(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    forum_chat = {"id": FORUM, "type": "supergroup", "title": "CS", "is_forum": True}
    tg.push_update(command_update({"id": USER, "type": "private"}, 11, "/term NP-hard"))
    tg.push_update(
        command_update(
            forum_chat, 12, "/term@newsbot P", message_thread_id=7, is_topic_message=True
        )
    )
    updates = await bot.get_updates(offset=0, timeout=1)
    assert [u.update_id for u in updates] == [1, 2]
    assert updates[0].message is not None and updates[0].message.text == "/term NP-hard"
    assert updates[1].message is not None and updates[1].message.is_topic_message
    assert await bot.get_updates(offset=0, timeout=0) == updates  # not yet confirmed
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert tg.stats()["calls"] == 4  # getMe + 3 getUpdates

    poll = asyncio.create_task(bot.get_updates(offset=3, timeout=1))
    await tg.wait_for_calls("getUpdates", 4)  # the long poll is open
    tg.push_update({"update_id": 50, **command_update(forum_chat, 13, "/help")})
    [update] = await poll
    assert update.update_id == 50  # the open long poll returned it: woken by the push
    reply = await bot.send_message(FORUM, "re", reply_parameters=ReplyParameters(13))
    assert reply.message_id == 14

    started = time.monotonic()
    assert await bot.get_updates(offset=51, timeout=1) == ()
    assert time.monotonic() - started > 0.9  # waited for the (capped) timeout


async def test_second_poller_terminates_first(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    # PTB serialises getUpdates per Bot (pool of 1), so the rival is a second bot instance.
    async with telegram.Bot(TOKEN, base_url=tg.base_url) as rival:
        first = asyncio.create_task(bot.get_updates(timeout=1))
        await tg.wait_for_calls("getUpdates")
        second = asyncio.create_task(rival.get_updates(timeout=1))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await first
        tg.push_update(command_update({"id": USER, "type": "private"}, 3, "/help"))
        assert len(await second) == 1
    assert tg.conflicts == 1


async def test_server_errors_and_malformed(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    tg.fail_next(USER, "malformed")
    with pytest.raises(TelegramError, match=r"Invalid server response") as info:
        await bot.send_message(USER, "x")
    assert not isinstance(info.value, NetworkError)
    tg.fail_next(USER, "500")
    with pytest.raises(NetworkError, match=r"Internal Server Error") as err:
        await bot.send_message(USER, "x")
    assert not isinstance(err.value, BadRequest)
    tg.fail_next(None, "500", method="getUpdates")
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    tg.fail_next(USER, "reset")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    assert tg.messages(USER) == []
    await bot.send_message(USER, "fine")


async def test_timeout_fault(tg: FakeTelegramAPI) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with telegram.Bot(TOKEN, base_url=tg.base_url, request=request) as bot:
        tg.fail_next(USER, "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "lost")
        tg.release_hung()
        assert tg.messages(USER) == []  # the client hung up, so the held request was dropped

        tg.fail_next(USER, "timeout")
        pending = asyncio.create_task(bot.send_message(USER, "late but delivered"))
        await tg.wait_for_calls("sendMessage", 2)
        tg.release_hung()
        assert (await pending).text == "late but delivered"

        tg.fail_next(USER, "timeout")  # left hanging: close() must still shut down cleanly
        hanging = asyncio.create_task(bot.send_message(USER, "never"))
        await tg.wait_for_calls("sendMessage", 3)
        await tg.close()
        with pytest.raises(NetworkError):
            await hanging


async def test_commands_and_webhook(tg: FakeTelegramAPI, bot: telegram.Bot) -> None:
    assert await bot.set_my_commands([BotCommand("term", "Look up a term")])
    assert [c.command for c in await bot.get_my_commands()] == ["term"]
    assert tg.commands() == [{"command": "term", "description": "Look up a term"}]
    assert await bot.get_my_commands(language_code="ko") == ()
    with pytest.raises(BadRequest, match=r"Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Term", "Upper case")])
    with pytest.raises(BadRequest, match=r"non-empty"):
        await bot.set_my_commands([BotCommand("term", "")])
    with pytest.raises(BadRequest, match=r"Bot_commands_too_much"):
        await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])

    with pytest.raises(BadRequest, match=r"^Secret token contains unallowed characters$"):
        await bot.set_webhook("https://bot.example.com/tg", secret_token="bad token!")
    with pytest.raises(BadRequest, match=r"(?i)an https url must be provided"):
        await bot.set_webhook("http://bot.example.com/tg")
    assert await bot.set_webhook("https://bot.example.com/tg", secret_token="s3cret_-X")
    assert (await bot.get_webhook_info()).url == "https://bot.example.com/tg"
    with pytest.raises(Conflict, match=r"webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=False)
    assert await bot.get_updates() == ()
    chat = await bot.get_chat(FORUM)
    assert chat.is_forum and chat.title == "CS Reading Group"


async def test_other_wire_formats(tg: FakeTelegramAPI) -> None:
    base = tg.base_url + TOKEN
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/GETME") as resp:  # method names are case-insensitive
            assert (await resp.json())["result"]["username"] == "newsbot"
        payload = {"chat_id": USER, "text": "json", "reply_parameters": {"message_id": 99}}
        async with http.post(f"{base}/sendMessage", json=payload) as resp:
            assert resp.status == 400
            assert await resp.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message to be replied not found",
            }
        async with http.post(f"{base}/sendMessage?chat_id={USER}&text=query") as resp:
            assert (await resp.json())["result"]["text"] == "query"
        form = aiohttp.FormData({"chat_id": str(USER), "text": "multipart"})
        form.add_field("document", b"bytes", filename="a.txt")
        async with http.post(f"{base}/sendMessage", data=form) as resp:
            assert (await resp.json())["result"]["text"] == "multipart"
        async with http.post(tg.base_url + "999:NOPE/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{base}/nope") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found: method not found"
    assert tg.calls_to("getMe")[0].method == "getMe"


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_enforced_flood_limits() -> None:
    now = [0.0]  # the fake's clock: the test moves time, so no window can be missed
    async with FakeTelegramAPI(enforce_limits=True, time_scale=4, clock=lambda: now[0]) as tg:
        tg.add_chat(USER)
        tg.add_chat(GROUP, "group")
        async with telegram.Bot(TOKEN, base_url=tg.base_url) as bot:
            for i in range(3):  # burst of 3 per private chat
                await bot.send_message(USER, f"burst {i}")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(USER, "too fast")
            assert info.value.retry_after == dtm.timedelta(seconds=1)  # 1/4 s, rounded up
            now[0] += 0.2
            with pytest.raises(RetryAfter):  # a slot frees after 1 s / time_scale, not before
                await bot.send_message(USER, "still too fast")
            now[0] += 0.05
            await bot.send_message(USER, "after a pause")
            for i in range(20):  # 20 per minute (15 s at time_scale=4) per group
                await bot.send_message(GROUP, f"group {i}")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(GROUP, "over the group limit")
            assert info.value.retry_after == dtm.timedelta(seconds=15)
            now[0] += 15
            for chat in range(-2001, -2031, -1):  # 30 per 1/4 s overall, whatever the chat
                tg.add_chat(chat, "group")
                await bot.send_message(chat, "fan-out")
            tg.add_chat(-3000, "group")
            with pytest.raises(RetryAfter):
                await bot.send_message(-3000, "the 31st in the same instant")
        stats = tg.stats()
        assert stats["sent"] == 54 and stats["rate_limited"] == 4


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_paid_broadcast_lifts_only_the_overall_limit() -> None:
    now = [0.0]  # the fake's clock stands still: every send is in the same instant
    async with FakeTelegramAPI(enforce_limits=True, clock=lambda: now[0]) as tg:
        chats = list(range(USER, USER + 41))
        for chat in chats:
            tg.add_chat(chat)
        async with telegram.Bot(TOKEN, base_url=tg.base_url) as bot:
            for chat in chats[:30]:
                await bot.send_message(chat, "free")
            with pytest.raises(RetryAfter):  # the 31st without paid broadcast
                await bot.send_message(chats[30], "free")
            for chat in chats[30:]:  # paid: past 30 in the same second
                await bot.send_message(chat, "paid", allow_paid_broadcast=True)
            for _ in range(2):
                await bot.send_message(chats[0], "paid", allow_paid_broadcast=True)
            with pytest.raises(RetryAfter):  # a private chat's own burst of 3 still holds
                await bot.send_message(chats[0], "paid", allow_paid_broadcast=True)
    assert [m.paid_broadcast for m in tg.messages(chats[0])] == [False, True, True]
    assert [m.paid_broadcast for m in tg.messages(chats[40])] == [True]


def test_html_parser_matches_tdlib_vectors() -> None:
    for text, error in [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        ("&#xDFDF;", "Text contains invalid Unicode characters"),
    ]:
        with pytest.raises(HtmlParseError) as info:
            parse_html(text)
        assert str(info.value).startswith(error)
    parsed = parse_html("🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>")
    assert parsed.text == "🏟 🏟🏟 ><🏟"
    assert parsed.entities == [
        {"offset": 5, "length": 7, "type": "italic"},
        {"offset": 9, "length": 3, "type": "bold"},
    ]
    pre = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</>'
    )
    assert pre.entities == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"},
        {"offset": 5, "length": 1, "type": "expandable_blockquote"},
    ]
    assert parse_html("&laquo;a & b", strict=False).text == "&laquo;a & b"  # Telegram's leniency


async def test_ptb_application_polling_round_trip(tg: FakeTelegramAPI) -> None:
    async def term(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"<b>{' '.join(context.args or [])}</b>", parse_mode="HTML"
        )

    app = ApplicationBuilder().token(TOKEN).base_url(tg.base_url).build()
    app.add_handler(CommandHandler("term", term))
    forum_chat = {"id": FORUM, "type": "supergroup", "title": "CS", "is_forum": True}
    tg.push_update(
        command_update(
            forum_chat, 12, "/term@newsbot NP-hard", message_thread_id=7, is_topic_message=True
        )
    )
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        await app.start()
        await tg.wait_for_calls("sendMessage")
        await app.updater.stop()
        await app.stop()
    [sent] = tg.messages(FORUM)
    assert (sent.plain_text, sent.reply_to, sent.message_thread_id) == ("NP-hard", 12, 7)
    assert [c.method for c in tg.calls][:2] == ["getMe", "deleteWebhook"]


async def test_inline_keyboards_edits_and_callback_answers(
    tg: FakeTelegramAPI, bot: telegram.Bot
) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    def markup(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("▶", callback_data=data)]])

    sent = await bot.send_message(USER, "<b>one</b>", parse_mode="HTML", reply_markup=markup("a"))
    [kept] = tg.messages(USER)
    assert kept.buttons() == [{"text": "▶", "callback_data": "a"}]
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=markup("é" * 33))  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.edit_message_text("y", chat_id=USER, message_id=sent.message_id,
                                    reply_markup=markup("q" * 65))  # fmt: skip
    await bot.edit_message_text(
        "<i>two</i>", chat_id=USER, message_id=sent.message_id, parse_mode="HTML",
        reply_markup=markup("b"),
    )  # fmt: skip
    edited = tg.message(USER, sent.message_id)
    assert (edited.plain_text, edited.edits, edited.buttons()[0]["callback_data"]) == (
        "two",
        1,
        "b",
    )
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("<i>two</i>", chat_id=USER, message_id=sent.message_id,
                                    parse_mode="HTML", reply_markup=markup("b"))  # fmt: skip
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("z", chat_id=USER, message_id=999)

    query = tg.press(edited, "b")
    [update] = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "b"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query, text="ok")
    assert tg.callback_answers[query]["text"] == "ok"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query)


async def test_answer_inline_query_is_checked_like_telegram(
    tg: FakeTelegramAPI, bot: telegram.Bot
) -> None:
    from telegram import InlineQueryResultArticle, InputTextMessageContent

    def article(rid: str, text: str = "<b>x</b>") -> InlineQueryResultArticle:
        content = InputTextMessageContent(text, parse_mode="HTML")
        return InlineQueryResultArticle(rid, "title", content)

    query = tg.inline_query("NP")
    [update] = await bot.get_updates()
    assert update.inline_query is not None and update.inline_query.query == "NP"
    bad = [
        ([article(str(n)) for n in range(51)], "results_too_much"),
        ([article("q" * 65)], "result_id_invalid"),
        ([article("a"), article("a")], "result_id_duplicate"),
        ([article("a", "<b>x")], "can't parse entities"),
        ([article("a", "x" * 4097)], "message is too long"),
    ]
    for results, error in bad:
        with pytest.raises(BadRequest, match=f"(?i){re.escape(error)}"):
            await bot.answer_inline_query(query, results)
    assert await bot.answer_inline_query(query, [article("a")], cache_time=300, next_offset="20")
    answer = tg.inline_answers[query]
    assert (answer.plain_texts, answer.next_offset, answer.cache_time) == (["x"], "20", 300)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(query, [article("b")])


async def test_edits_keep_a_history_and_deletes_answer_as_telegram(
    tg: FakeTelegramAPI, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "첫 글")
    await bot.edit_message_text("고친 글", chat_id=USER, message_id=sent.message_id)
    now = tg.message(USER, sent.message_id)
    assert (now.plain_text, now.edits, now.history) == ("고친 글", 1, ("첫 글",))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("고친 글", chat_id=USER, message_id=sent.message_id)
    old = await bot.send_message(GROUP, "오래된 글")
    tg.age(GROUP, old.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted for everyone"):
        await bot.delete_message(GROUP, old.message_id)
    assert await bot.delete_message(USER, sent.message_id) is True
    assert tg.deleted == [(USER, sent.message_id)] and tg.messages(USER) == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    gone = await bot.send_message(USER, "지울 글")
    tg.delete_by_user(USER, gone.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=gone.message_id)
