"""Telegram updates → core `Command`s → answers in the same chat and forum topic.

A translator: PTB's `Update` becomes a `Command`, `Briefing.handle` decides, and the `Reply`
goes back through `TelegramSender` (a thread via `bot.core.threads.send_thread`). Only what is
Telegram-specific lives here: deep links, checking that a group member can be messaged
privately before subscribing them, `my_chat_member` "kicked" (the user blocked the bot).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

from telegram import BotCommand, Chat, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram_send import PLATFORM, Destination, TelegramSender
from bot.core import messages as m
from bot.core.errors import MessageRejected, PlatformError, RecipientGone
from bot.core.i18n import Language, t
from bot.core.ports import Command, SubscriptionStore
from bot.core.service import Briefing, Reply
from bot.core.threads import send_thread

log = logging.getLogger(__name__)
HANDLED = (
    "term", "issue", "latest", "search", "subscribe", "unsubscribe", "help", "start",
    "post", "reload", "stats",
)  # fmt: skip
DEEP_LINK = "https://t.me/{bot}?start=subscribe"
NEW = filters.UpdateType.MESSAGE  # never edited messages: a command is answered once
_OPEN_DM_FIRST = {
    "ko": "DM으로 받으려면 먼저 봇과 1:1 대화를 열어 주세요. 이 링크로 시작하면 바로 구독됩니다:",
    "en": "To subscribe by direct message, open a private chat with me first. Starting it from "
    "this link subscribes you:",
}
# (command, Korean, English): what setMyCommands advertises; admin commands are not listed.
ADVERTISED = (
    ("term", "용어 풀이 (예: /term NP-hard)", "Look up a term (e.g. /term NP-hard)"),
    ("issue", "지난 호 보기 (예: /issue 1)", "Show an issue (e.g. /issue 1)"),
    ("latest", "최신 호 보기", "Show the latest issue"),
    ("search", "지난 글 찾기", "Search the archive"),
    ("subscribe", "매일 아침 DM으로 받기", "Get the daily briefing by direct message"),
    ("unsubscribe", "DM 구독 끄기", "Stop the daily direct message"),
    ("help", "명령 목록", "List the commands"),
)


def bot_commands(language: Language) -> list[BotCommand]:
    return [BotCommand(name, en if language == "en" else ko) for name, ko, en in ADVERTISED]


def command_parts(message: Message) -> tuple[str, str, str] | None:
    """(`name`, `@addressee` or "", argument text) of a message starting with a bot command."""
    text = message.text or ""
    entities = message.entities
    if not entities or entities[0].type != MessageEntityType.BOT_COMMAND or entities[0].offset:
        return None
    length = entities[0].length  # UTF-16 units, but a bot command is ASCII
    name, _, addressee = text[1:length].partition("@")
    return name.lower(), addressee, text[length:].strip()


def destination(chat: Chat, message: Message) -> str:
    """The chat string to answer in: the chat, plus the forum topic the command came from."""
    topic = message.message_thread_id if message.is_topic_message else None
    return str(Destination(chat.id, topic))


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat are handled in order, different chats concurrently: a chat waiting
    out flood control (or posting a long thread) holds up no one else."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat -> (lock, users)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class _Patient:
    """The sender as a `ChatPlatform` that waits out one 429 per message (command answers)."""

    name = PLATFORM

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender

    async def send(
        self, chat: str, message: m.Message, *, reply_to: m.MessageRef | None = None
    ) -> m.MessageRef:
        return await self.sender.send(chat, message, reply_to=reply_to, patient=True)

    async def open_dm(self, user: str) -> str:
        return user


class TelegramHandlers:
    def __init__(
        self, service: Briefing, subscriptions: SubscriptionStore, sender: TelegramSender
    ) -> None:
        self.service = service
        self.subscriptions = subscriptions
        self.platform = _Patient(sender)

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        for name in HANDLED:
            application.add_handler(CommandHandler(name, self.on_command, filters=NEW))
        application.add_handler(MessageHandler(filters.COMMAND & NEW, self.on_other_command))
        plain = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & NEW
        application.add_handler(MessageHandler(plain, self.on_private_text))
        application.add_handler(
            ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(self.on_error)

    # ---- PTB callbacks -------------------------------------------------------------------
    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or user is None:
            return
        parts = command_parts(message)
        if parts is not None:
            command = self.command(chat, user, message, parts)
            await self.answer(command, message.message_id, context.bot.username)

    async def on_other_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Aliases and unknown commands: the core answers them in private chats, and in groups
        only when addressed to this bot by name (others may be meant for another bot)."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or user is None:
            return
        parts = command_parts(message)
        if parts is None:
            return
        addressed = parts[1].lower() == (context.bot.username or "").lower()
        if chat.type == ChatType.PRIVATE or addressed:
            command = self.command(chat, user, message, parts)
            await self.answer(command, message.message_id, context.bot.username)

    async def on_private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text without a slash in a private chat reads as a command, as in a Slack DM
        (`term NP-hard`, `용어 NP-hard`); anything else gets the core's pointer to /help."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or user is None or not message.text:
            return
        name, _, argument = message.text.strip().partition(" ")
        command = self.command(chat, user, message, (name.casefold(), "", argument))
        await self.answer(command, message.message_id, context.bot.username)

    async def on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        member = update.my_chat_member
        if member is None or member.chat.type != ChatType.PRIVATE:
            return
        if member.new_chat_member.status == ChatMemberStatus.BANNED:  # the user blocked the bot
            gone = await self.subscriptions.unsubscribe(PLATFORM, str(member.chat.id))
            log.info("telegram user %s blocked the bot (unsubscribed: %s)", member.chat.id, gone)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed", update_id, exc_info=context.error)

    # ---- translation ---------------------------------------------------------------------
    @staticmethod
    def command(chat: Chat, user: User, message: Message, parts: tuple[str, str, str]) -> Command:
        name, _, argument = parts
        private = chat.type == ChatType.PRIVATE
        if private and name == "start" and argument.casefold() == "subscribe":
            name, argument = "subscribe", ""  # the deep link t.me/<bot>?start=subscribe
        return Command(
            platform=PLATFORM,
            chat=destination(chat, message),
            user=str(user.id),
            name=name,
            text=argument,
            is_dm=private,
            dm_chat=str(user.id) if private else None,
        )

    async def answer(self, command: Command, message_id: int, bot_username: str) -> None:
        if command.name == "subscribe" and not command.is_dm:
            reply = await self.group_subscribe(command, bot_username)
        else:
            reply = await self.service.handle(command)
        await self.deliver(command, reply, message_id)

    async def group_subscribe(self, command: Command, bot_username: str) -> Reply:
        """Subscribe a group member's private chat, if the bot may write there (it may not until
        the user has started it); otherwise answer with the deep link that starts it."""
        command = replace(command, dm_chat=command.user)
        if await self.subscriptions.is_subscribed(PLATFORM, command.user):
            return await self.service.handle(command)
        language = self.service.language
        try:
            await self.platform.send(command.user, m.simple(t(language, "subscribed")))
        except (RecipientGone, MessageRejected) as exc:
            log.info("cannot message telegram user %s privately: %s", command.user, exc)
            url = DEEP_LINK.format(bot=bot_username)
            line = m.Line((m.text(_OPEN_DM_FIRST[language] + " "), m.link(url, url)))
            return Reply(m.Message((m.Block((line,)),)))
        return await self.service.handle(command)

    async def deliver(self, command: Command, reply: Reply, message_id: int) -> None:
        """The reply in the command's chat and topic: a thread as parent + replies, anything
        else as one message replying to the command (in groups)."""
        try:
            if reply.thread is not None:
                await send_thread(self.platform, command.chat, reply.thread)
                return
            quote = None if command.is_dm else m.MessageRef(PLATFORM, command.chat, str(message_id))
            await self.platform.send(command.chat, reply.message, reply_to=quote)
        except RecipientGone as exc:
            log.warning("telegram chat %s is gone: %s", command.chat, exc)
            if command.is_dm:
                await self.subscriptions.unsubscribe(PLATFORM, command.user)
        except PlatformError as exc:
            log.warning("could not answer /%s in %s: %s", command.name, command.chat, exc)
