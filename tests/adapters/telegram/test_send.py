"""TelegramPlatform.send: chat strings, threads and topics, and PTB errors → core errors."""

from __future__ import annotations

import datetime as dtm
import logging
import warnings
from pathlib import Path

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.adapters.telegram.render import LIMIT
from bot.adapters.telegram.send import ChatAddress, retry_seconds, translate
from bot.config import ConfigError
from bot.core.delivery.retry import Retrier, RetryingPlatform, RetryPolicy
from bot.core.errors import (
    MessageRejected,
    PlatformError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.core.model.messages import Block, Button, Line, Message, MessageRef, simple, text
from bot.core.testing import FakeClock
from tests.fakes.telegram_html import parse_html
from tests.support.telegram import (
    FORUM,
    TOKEN,
    USER,
    Harness,
    command,
    make_app,
    private,
    telegram_for,
)

CHAT = str(USER)


def big(lines: int = 12) -> Message:
    return Message(tuple(Block((Line((text(f"{n} " + "가" * 900),)),)) for n in range(lines)))


# ---- pure: chat strings and error translation -------------------------------------------
@pytest.mark.parametrize(
    ("chat", "chat_id", "topic", "thread_id"),
    [
        ("5550001", 5550001, None, None),
        ("-1001234567890", -1001234567890, None, None),
        ("-1001234567890:7", -1001234567890, 7, 7),
        ("-1001234567890:1", -1001234567890, 1, None),  # General: no message_thread_id
        ("@newschannel", "@newschannel", None, None),
    ],
)
def test_chat_strings(
    chat: str, chat_id: int | str, topic: int | None, thread_id: int | None
) -> None:
    dest = ChatAddress.parse(chat)
    assert (dest.chat_id, dest.topic, dest.thread_id, str(dest)) == (
        chat_id,
        topic,
        thread_id,
        chat,
    )


@pytest.mark.parametrize("chat", ["", ":7", "-100:x", "-100:"])
def test_bad_chat_strings_are_rejected(chat: str) -> None:
    with pytest.raises(MessageRejected):
        ChatAddress.parse(chat)


@pytest.mark.parametrize(
    ("error", "expected", "words"),
    [
        (RetryAfter(dtm.timedelta(seconds=3)), RateLimited, "Flood control"),
        (ChatMigrated(-100999), RecipientGone, "-100999"),
        (Forbidden("Forbidden: bot was blocked by the user"), RecipientGone, "blocked"),
        (BadRequest("Chat not found"), MessageRejected, "not found"),
        (InvalidToken(), PlatformError, "token"),
        (TimedOut(), TransientError, "Timed out"),
        (NetworkError("httpx.ConnectError: refused"), TransientError, "refused"),
        (TelegramError("Invalid server response"), TransientError, "Invalid server response"),
    ],
)
def test_ptb_errors_translate_once(error: TelegramError, expected: type, words: str) -> None:
    translated = translate(error, "-100123", "<b>hi</b>")
    assert type(translated) is expected and translated.chat == "-100123"
    assert words in str(translated)


def test_retry_after_is_read_as_int_or_timedelta_without_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert retry_seconds(RetryAfter(dtm.timedelta(seconds=2.5))) == 2.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = RetryAfter(4)
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)  # PTB now hands out an int, warning
    assert retry_seconds(legacy) == 4.0


def test_bad_request_is_logged_with_chat_and_text(caplog: pytest.LogCaptureFixture) -> None:
    translate(BadRequest("Message is too long"), "-100123", "<b>the text</b>")
    assert "-100123" in caplog.text and "<b>the text</b>" in caplog.text


# ---- against the fake ---------------------------------------------------------------------
async def test_a_long_reply_in_a_topic_is_split_and_every_part_replies_to_the_parent(
    harness: Harness,
) -> None:
    harness.fake.add_chat(FORUM, "supergroup", is_forum=True, topics=(7,))
    chat = f"{FORUM}:7"
    parent = await harness.platform.send(chat, simple("parent", title="Title"))
    ref = await harness.platform.send(chat, big(), reply_to=parent)
    sent = harness.fake.messages(FORUM)
    assert len(sent) > 3 and all(len(m.plain_text) <= LIMIT for m in sent)
    assert all(m.message_thread_id == 7 for m in sent)
    assert [m.reply_to for m in sent[1:]] == [int(parent.id)] * (len(sent) - 1)
    assert (ref.chat, ref.id, ref.thread) == (chat, str(sent[1].message_id), parent.id)
    assert all(m.link_preview_disabled for m in sent)


async def test_messages_go_as_json_bodies_and_arrive_whole(harness: Harness) -> None:
    """#27: PTB's calls go as one JSON body (not a urlencoded form), nested objects as objects."""
    text_ = '한국어 <b>&amp;</b> "quotes" + 100% & café ' * 40
    message = Message((Block((Line((text(text_),)),)),), buttons=(Button("▶", "nav:2"),))
    harness.fake.add_chat(USER, "private")
    await harness.platform.send(str(USER), message)
    call = harness.fake.calls_to("sendMessage")[-1]
    assert call.content_type == "application/json"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "▶", "callback_data": "nav:2"}]]
    }
    assert harness.fake.messages(USER)[-1].plain_text == text_


async def test_link_previews_only_where_the_message_asks(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    parent = await harness.platform.send(CHAT, Message(simple("a").blocks, link_previews=True))
    await harness.platform.send(
        CHAT, Message(simple("b").blocks, link_previews=True), reply_to=parent
    )
    first, reply = harness.fake.messages(USER)
    assert (first.link_preview_disabled, reply.link_preview_disabled) == (False, True)


async def test_hostile_text_passes_the_strict_parser_unchanged(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    hostile = '<script>alert(1)</script> a & b </b> &amp; <a href="javascript:x">y</a>'
    await harness.platform.send(CHAT, simple(hostile, title="</b><i>"))
    [sent] = harness.fake.messages(USER)
    assert sent.plain_text == "</b><i>\n\n" + hostile
    assert parse_html(sent.text).entities == [{"offset": 0, "length": 7, "type": "bold"}]


async def test_429_is_rate_limited_with_retry_after(harness: Harness) -> None:
    harness.fake.fail_next(USER, "429", retry_after=3)
    with pytest.raises(RateLimited) as caught:
        await harness.platform.send(CHAT, simple("x"))
    assert (caught.value.retry_after, caught.value.chat) == (3.0, CHAT)


async def test_forbidden_is_recipient_gone(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    harness.fake.block(USER)
    with pytest.raises(RecipientGone, match="blocked"):
        await harness.platform.send(CHAT, simple("x"))
    harness.fake.add_chat(FORUM, "supergroup", is_forum=True)
    harness.fake.fail_next(FORUM, "kicked")
    with pytest.raises(RecipientGone, match="kicked"):
        await harness.platform.send(str(FORUM), simple("x"))
    harness.fake.add_user(USER + 1)  # never started the bot
    with pytest.raises(RecipientGone, match="can't initiate"):
        await harness.platform.send(str(USER + 1), simple("x"))


def retrying(harness: Harness, attempts: int = 3) -> RetryingPlatform:
    """The adapter behind the core's retry layer, on a fake clock (no real waiting)."""
    policy = RetryPolicy(attempts=attempts, base_delay=0.5)
    return RetryingPlatform(harness.platform, Retrier(policy, FakeClock(auto_advance=True)))


@pytest.mark.parametrize("kind", ["500", "malformed", "reset"])
async def test_a_transient_failure_is_translated_once_and_never_retried_here(
    harness: Harness, kind: str
) -> None:
    harness.fake.add_chat(USER, "private")
    harness.fake.fail_next(USER, kind)
    with pytest.raises(TransientError):
        await harness.platform.send(CHAT, simple("x"))
    assert len(harness.fake.calls_to("sendMessage")) == 1


@pytest.mark.parametrize("kind", ["500", "malformed", "reset"])
async def test_transient_failures_are_retried_by_the_core(harness: Harness, kind: str) -> None:
    harness.fake.add_chat(USER, "private")
    harness.fake.fail_next(USER, kind)
    ref = await retrying(harness).send(CHAT, simple("x"))
    [sent] = harness.fake.messages(USER)
    assert ref.id == str(sent.message_id)
    assert len(harness.fake.calls_to("sendMessage")) == 2


async def test_persistent_failures_end_as_transient_error(harness: Harness) -> None:
    harness.fake.fail_next(USER, "500", count=3)
    with pytest.raises(TransientError):
        await retrying(harness, attempts=3).send(CHAT, simple("x"))
    assert len(harness.fake.calls_to("sendMessage")) == 3


@pytest.mark.parametrize("harness", [{"api_timeout": 0.3}], indirect=True)
async def test_a_timed_out_send_is_retried(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    harness.fake.fail_next(USER, "timeout")
    await retrying(harness).send(CHAT, simple("x"))
    assert [m.plain_text for m in harness.fake.messages(USER)] == ["x"]


async def test_unknown_chats_and_empty_messages_are_rejected(harness: Harness) -> None:
    with pytest.raises(MessageRejected):
        await harness.platform.send("-100777", simple("x"))
    with pytest.raises(MessageRejected):
        await harness.platform.send(CHAT, Message(()))
    assert len(harness.fake.calls_to("sendMessage")) == 1


async def test_replies_to_a_message_that_is_gone_are_rejected(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    with pytest.raises(MessageRejected):
        await harness.platform.send(CHAT, simple("x"), reply_to=MessageRef("telegram", CHAT, "999"))


@pytest.mark.parametrize("harness", [{"receive": False}], indirect=True)
async def test_send_only_mode_connects_but_takes_no_updates(harness: Harness) -> None:
    harness.fake.add_chat(USER, "private")
    await harness.platform.send(CHAT, simple("x"))
    assert [c.method for c in harness.fake.calls] == ["getMe", "sendMessage"]
    assert await harness.platform.open_dm(CHAT) == CHAT


async def test_the_token_never_reaches_the_log(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.fake.push_update(command(private(), 11, "/help"))
    await harness.answers(USER)
    ours = [r for r in caplog.records if r.name != "aiohttp.access"]  # that one is the fake's
    text = "\n".join(r.getMessage() for r in ours)
    assert "calling bot api endpoint `sendmessage`" in text.lower()  # PTB's debug log was captured
    assert TOKEN.split(":")[1] not in text


# ---- configuration --------------------------------------------------------------------------
async def test_a_missing_token_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as caught:
        await telegram_for(make_app(tmp_path, {}))
    [line] = caught.value.problems
    assert "TELEGRAM_BOT_TOKEN is not set" in line


async def test_webhook_mode_needs_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    section = {"mode": "webhook", "webhook_url": "https://bot.example.com/telegram"}
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET is not set"):
        await telegram_for(make_app(tmp_path, section))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "not allowed!")
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET must be"):
        await telegram_for(make_app(tmp_path, section))


async def test_a_call_with_a_file_is_refused_before_it_is_sent(harness: Harness) -> None:
    """The transport (`request.py`) sends JSON bodies only: the bot uploads no files."""
    harness.fake.add_chat(USER, "private")
    before = len(harness.fake.calls)
    with pytest.raises(TelegramError, match="uploads no files"):
        await harness.platform.application.bot.send_document(USER, document=b"%PDF-1.4")
    assert len(harness.fake.calls) == before


async def test_a_429_on_a_continued_piece_is_waited_out_and_nothing_is_posted_twice(
    harness: Harness,
) -> None:
    """A message split in six meets a private chat's flood limit (a burst of 3) after its third
    piece: the 429s are waited out piece by piece, so no piece is posted again (the core's
    retry of the whole send used to post the first pieces twice)."""
    harness.fake.add_chat(USER, "private")
    ref = await harness.platform.send(str(USER), big(24))
    sent = harness.fake.messages(USER)
    assert harness.fake.stats()["rate_limited"] >= 1  # the limit was met mid-message
    assert len(sent) >= 5 and [str(m.message_id) for m in sent] == list(ref.ids)
