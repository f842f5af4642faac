"""Posting to Telegram: chat strings, `sendMessage` calls, and PTB errors → core errors, once.

**Chat strings.** The core knows a destination as one string. For Telegram it is the chat id
(`"-1001234567890"`, `"5550001"`, or `"@channelname"`), or `"<chat_id>:<topic_id>"` for a forum
topic (`"-1001234567890:7"`): every message sent there carries `message_thread_id=7`. Topic 1 is
the General topic, which Telegram wants *without* a `message_thread_id`.

**Errors.** python-telegram-bot maps the Bot API's answers to its error tree
(`telegram/request/_baserequest.py`): HTTP 429 with `parameters.retry_after` → `RetryAfter`,
400 with `parameters.migrate_to_chat_id` → `ChatMigrated`, 400 → `BadRequest`, 403 →
`Forbidden`, 401/404 → `InvalidToken`, timeouts → `TimedOut`, the rest → `NetworkError`.
They become the core's errors here, once (order matters: `BadRequest` and `TimedOut` subclass
`NetworkError`); nothing is retried here, `bot.core.delivery.retry` decides:

    RetryAfter           → RateLimited(retry_after seconds): the caller decides to wait
    ChatMigrated         → RecipientGone, with the new chat id in the message
    Forbidden            → RecipientGone (blocked, kicked, not a member)
    BadRequest           → MessageRejected, logged with the chat and the rendered text
    InvalidToken         → PlatformError (401/404: wrong token or method; retrying cannot help)
    TimedOut, NetworkError, other TelegramError → TransientError
A send that timed out may still have been delivered; retrying it can post it twice, which is
the lesser evil for a newsletter (the alternative is a silently missing section).
"""

from __future__ import annotations

import datetime as dtm
import logging
import warnings
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.telegram.render import keyboard, render
from bot.core.errors import (
    MessageRejected,
    PlatformError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.core.model.messages import Message, MessageRef

log = logging.getLogger(__name__)
PLATFORM = "telegram"
GENERAL_TOPIC = 1
LOGGED_TEXT = 300  # characters of a rejected message's HTML kept in the log


@dataclass(frozen=True, slots=True)
class ChatAddress:
    """A chat id (int, or "@username" for public channels) and an optional forum topic."""

    chat_id: int | str
    topic: int | None = None

    @classmethod
    def parse(cls, chat: str) -> ChatAddress:
        head, sep, topic = str(chat).strip().partition(":")
        if not head or (sep and not topic.isdigit()):
            raise MessageRejected(f"not a Telegram chat: {chat!r}", chat=str(chat))
        chat_id: int | str = int(head) if head.lstrip("-").isdigit() else head
        return cls(chat_id, int(topic) if sep else None)

    @property
    def thread_id(self) -> int | None:
        """The `message_thread_id` to send with (None for no topic and for General)."""
        return self.topic if self.topic and self.topic != GENERAL_TOPIC else None

    def __str__(self) -> str:
        return f"{self.chat_id}:{self.topic}" if self.topic else str(self.chat_id)


def retry_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` in seconds, whether PTB gives an int or a timedelta
    (PTB 22 warns when it gives an int; that warning must never escape from here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class TelegramSender:
    """`send(chat, message, reply_to)` over a PTB bot: render, split, post, translate errors.
    With `paid_broadcast` every message goes with `allow_paid_broadcast` (`[telegram]
    paid_broadcast`: Telegram then admits up to 1,000 a second and bills each in Stars)."""

    name = PLATFORM

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False) -> None:
        self.bot = bot
        self.paid_broadcast = paid_broadcast

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        """Post every part; with `reply_to`, each part replies to that message (the parent).
        Only the first message of a parent notifies: replies and continuations are silent, so a
        reader gets one notification per issue."""
        dest = ChatAddress.parse(chat)
        texts = render(message)
        if not texts:
            raise MessageRejected("nothing to send: the message is empty", chat=chat)
        parent = int(reply_to.id) if reply_to is not None else None
        no_preview = parent is not None or not message.link_previews
        first: int | None = None
        for text in texts:
            silent = parent is not None or first is not None
            buttons = keyboard(message.buttons) if first is None else None
            sent = await self._send_once(chat, dest, text, parent, no_preview, silent, buttons)
            first = sent if first is None else first
        return MessageRef(PLATFORM, chat, str(first), reply_to.id if reply_to else None)

    async def edit(self, chat: str, message_id: int, message: Message) -> None:
        """Replace the text (and keyboard) of a message the bot sent with `message`'s first
        part (the caller picks a message that fits one)."""
        dest = ChatAddress.parse(chat)
        texts = render(message)
        if not texts:
            raise MessageRejected("nothing to show: the message is empty", chat=chat)
        text = texts[0]
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=dest.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=keyboard(message.buttons),
            )
        except TelegramError as exc:
            raise translate(exc, chat, text) from exc

    async def open_dm(self, user: str) -> str:
        """A private chat's id is the user's id."""
        return str(user)

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        """`getChatMember`: creator or administrator. A command sent as the chat itself (a
        broadcast channel's post, an anonymous group admin) comes from its admins."""
        dest = ChatAddress.parse(chat)
        if str(dest.chat_id) == user:
            return True
        try:
            member = await self.bot.get_chat_member(dest.chat_id, int(user))
        except (TelegramError, ValueError) as exc:
            log.warning("telegram: getChatMember %s in %s failed: %s", user, chat, exc)
            return False
        return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)

    async def can_post(self, chat: str) -> bool:
        return True  # a command reached the bot from there: it is in the chat

    async def chat_name(self, chat: str) -> str | None:
        """`getChat`: the group's or channel's title (None once the bot is out of it)."""
        try:
            found = await self.bot.get_chat(ChatAddress.parse(chat).chat_id)
        except TelegramError as exc:
            log.info("telegram: getChat %s: %s", chat, exc)
            return None
        return found.title or (f"@{found.username}" if found.username else None)

    async def resolve(self, name: str) -> str | None:
        """`getChat("@name")`: a public channel's or group's id (the Bot API resolves no
        user's @username); None if Telegram does not know it."""
        try:
            chat = await self.bot.get_chat(f"@{name}")
        except TelegramError as exc:
            log.info("telegram: getChat @%s: %s", name, exc)
            return None
        return str(chat.id)

    async def _send_once(
        self,
        chat: str,
        dest: ChatAddress,
        text: str,
        parent: int | None,
        no_preview: bool,
        silent: bool,
        buttons: InlineKeyboardMarkup | None = None,
    ) -> int:
        try:
            sent = await self.bot.send_message(
                chat_id=dest.chat_id,
                text=text,
                parse_mode=ParseMode.HTML,
                message_thread_id=dest.thread_id,
                reply_parameters=ReplyParameters(message_id=parent) if parent else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True) if no_preview else None,
                disable_notification=silent or None,
                reply_markup=buttons,
                allow_paid_broadcast=self.paid_broadcast or None,
            )
        except TelegramError as exc:
            raise translate(exc, chat, text) from exc
        return sent.message_id


def translate(exc: TelegramError, chat: str, text: str = "") -> PlatformError:
    """One PTB error as the core's error for a send to `chat` (see the module docstring)."""
    if isinstance(exc, RetryAfter):
        return RateLimited(exc.message, retry_after=retry_seconds(exc), chat=chat)
    if isinstance(exc, ChatMigrated):
        log.warning("Telegram chat %s migrated to supergroup %s", chat, exc.new_chat_id)
        return RecipientGone(
            f"chat {chat} migrated to a supergroup; new chat id: {exc.new_chat_id}", chat=chat
        )
    if isinstance(exc, Forbidden):
        return RecipientGone(exc.message, chat=chat)
    if isinstance(exc, BadRequest):
        log.warning(
            "Telegram rejected a message to %s: %s; text: %r", chat, exc.message, text[:LOGGED_TEXT]
        )
        return MessageRejected(exc.message, chat=chat)
    if isinstance(exc, InvalidToken):
        return PlatformError(f"Telegram refused the bot token or method: {exc.message}", chat=chat)
    return TransientError(exc.message, chat=chat)  # TimedOut, NetworkError, bad server replies
