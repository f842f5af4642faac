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
from functools import partial

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
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

from bot.adapters.infra.sending import continued
from bot.adapters.telegram.render import keyboard, render
from bot.core.errors import (
    MessageGone,
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
        silent, buttons = parent is not None, keyboard(message.buttons)
        first = await self._send_once(chat, dest, texts[0], parent, no_preview, silent, buttons)
        ids = [str(first)]
        for text in texts[1:]:  # continuations: silent, no buttons, a 429 waited out
            once = partial(self._send_once, chat, dest, text, parent, no_preview, True)
            ids.append(str(await continued(once, chat)))
        thread = reply_to.id if reply_to else None
        return MessageRef(PLATFORM, chat, ids[0], thread, tuple(ids[1:]))

    async def edit(self, chat: str, message_id: int, message: Message) -> None:
        """Replace the text (and keyboard) of a message the bot sent with `message`'s first
        part (the caller picks a message that fits one): ◀ ▶ in place. The same call as a
        correction's edit: "not modified" (a second press on the same page) is success."""
        texts = render(message)
        if not texts:
            raise MessageRejected("nothing to show: the message is empty", chat=chat)
        dest = ChatAddress.parse(chat)
        await self._edit_once(chat, dest, message_id, texts[0], keyboard(message.buttons))

    async def revise(
        self, ref: MessageRef, message: Message, *, parent: MessageRef | None, pointer: Message
    ) -> MessageRef:
        """The `Revises` port: `editMessageText` on each message of `ref` (edits notify no
        one), extra pieces as silent replies, surplus ones deleted (or shown `pointer`)."""
        dest = ChatAddress.parse(ref.chat)
        texts = render(message)
        if not texts:
            raise MessageRejected("nothing to show: the message is empty", chat=ref.chat)
        ids = list(ref.ids)
        kept: list[str] = []
        for index, text in enumerate(texts):
            if index < len(ids):
                buttons = keyboard(message.buttons) if index == 0 else None
                await self._edit_once(ref.chat, dest, int(ids[index]), text, buttons)
                kept.append(ids[index])
            else:
                under = int((parent or ref).id)
                kept.append(str(await self._send_once(
                    ref.chat, dest, text, under, True, True)))  # fmt: skip
        for surplus in ids[len(texts) :]:
            await self._remove_once(ref.chat, dest, int(surplus), pointer)
        return MessageRef(PLATFORM, ref.chat, kept[0], ref.thread, tuple(kept[1:]))

    async def remove(self, ref: MessageRef, pointer: Message) -> None:
        """`deleteMessage` on every message of `ref`; where Telegram refuses (older than 48
        hours), the message shows `pointer` instead."""
        dest = ChatAddress.parse(ref.chat)
        for message_id in ref.ids:
            await self._remove_once(ref.chat, dest, int(message_id), pointer)

    async def _edit_once(
        self,
        chat: str,
        dest: ChatAddress,
        message_id: int,
        text: str,
        buttons: InlineKeyboardMarkup | None,
    ) -> None:
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=dest.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=buttons,
            )
        except TelegramError as exc:
            if NOT_MODIFIED in exc.message.lower():
                return  # it already shows this text: done
            raise translate_edit(exc, chat, text) from exc

    async def _remove_once(
        self, chat: str, dest: ChatAddress, message_id: int, pointer: Message
    ) -> None:
        try:
            await self.bot.delete_message(dest.chat_id, message_id)
        except TelegramError as exc:
            if CANT_DELETE not in exc.message.lower():
                raise translate_edit(exc, chat) from exc
            await self._edit_once(chat, dest, message_id, render(pointer)[0], None)

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
        call: dict[str, object] = {"chat_id": dest.chat_id, "text": text, "parse_mode": "HTML"}
        if dest.thread_id:
            call["message_thread_id"] = dest.thread_id
        if parent:
            call["reply_parameters"] = {"message_id": parent}
        if no_preview:
            call["link_preview_options"] = {"is_disabled": True}
        if silent:
            call["disable_notification"] = True
        if buttons is not None:
            call["reply_markup"] = buttons
        if self.paid_broadcast:
            call["allow_paid_broadcast"] = True
        try:
            sent = await self.bot.do_api_request(SEND_MESSAGE, api_kwargs=call)
        except TelegramError as exc:
            raise translate(exc, chat, text) from exc
        if not isinstance(sent, dict) or not isinstance(sent.get("message_id"), int):
            said = str(sent)[:100]
            raise TransientError(f"Telegram's answer names no message: {said}", chat=chat)
        return int(sent["message_id"])


# `sendMessage` through PTB's `do_api_request` (its public call for any method), which gives the
# answer as JSON: `Bot.send_message` would build a `Message` with every entity of the text from
# it, 40 % of a paid broadcast's CPU (docs/benchmarks.md), and the engine needs only the id. Bot
# API method names are case-insensitive (core.telegram.org/bots/api#making-requests); the lower-
# case name is how PTB is told that this call is meant (it warns when given the name of one of
# its own methods). PTB still builds the request and maps every error, as for `send_message`.
SEND_MESSAGE = "sendmessage"
NOT_MODIFIED = "message is not modified"
CANT_DELETE = "message can't be deleted"  # also "… for everyone": older than 48 hours
GONE_MESSAGES = (
    "message to edit not found", "message can't be edited", "message to delete not found",
    "there is no text in the message to edit",
)  # fmt: skip


def translate_edit(exc: TelegramError, chat: str, text: str = "") -> PlatformError:
    """An edit's or a delete's error: a message that can no longer be changed is
    `MessageGone` (PTB lower-cases all but the first letter: match case-insensitively)."""
    said = exc.message.lower()
    if isinstance(exc, BadRequest) and any(gone in said for gone in (*GONE_MESSAGES, CANT_DELETE)):
        return MessageGone(exc.message, chat=chat)
    return translate(exc, chat, text)


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
