"""Telegram updates → core `Command`s → answers in the same chat and forum topic.

A translator: PTB's `Update` becomes a `Command`, `Conversation.handle` decides, and the
`Reply` goes back through the sender, retried by the core's retry layer (a thread via
`bot.core.model.threads.send_thread`). Only what is Telegram-specific lives here: reading the
command
entity, the deep link `t.me/<bot>?start=subscribe` (the core sends it when the bot may not yet
write to a group member privately; any `/start <payload>` goes to the core as it came),
`my_chat_member` "kicked" in a private chat (reported to the core: the user blocked the bot),
and in a group or channel the bot's arrival (the core says how to opt in) and departure (left
or kicked: that channel's destination ends). A broadcast channel's command arrives as a
`channel_post` with no user: it comes from the channel itself (its admins), as does a command of
an anonymous group admin (`sender_chat` is the chat). A button's `callback_query`: the core
answers the press (`Conversation.press`) with a short notice (the query's answer text), a
message in place of the pressed one (◀ ▶: edited in place), or a new answer in the presser's
private chat; the query is always answered (`answerCallbackQuery`). And inline mode's
`inline_query` (`inline.py`).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters.telegram import reactions
from bot.adapters.telegram.inline import CACHE_SECONDS, articles
from bot.adapters.telegram.render import render
from bot.adapters.telegram.send import PLATFORM, ChatAddress, TelegramSender
from bot.core.conversation.commands import COMMANDS
from bot.core.conversation.inbound import Conversation, Reply
from bot.core.delivery.retry import Retrier
from bot.core.errors import PlatformError, RecipientGone
from bot.core.model import messages as m
from bot.core.model.threads import send_thread
from bot.core.ports import ChatPlatform, Command, InboundClaims

log = logging.getLogger(__name__)
HANDLED = tuple(spec.name for spec in COMMANDS)
NEW = filters.UpdateType.MESSAGE  # never edited messages: a command is answered once
POSTS = filters.UpdateType.CHANNEL_POST  # a broadcast channel's new posts
IN = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
OUT = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
NOTICE_LIMIT = 200  # characters of answerCallbackQuery's text


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
    return str(ChatAddress(chat.id, topic))


def sender(update: Update) -> User | Chat | None:
    """Who sent the command: the chat it was sent as (a channel post, an anonymous admin),
    else the user."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat
    return update.effective_user


class TelegramHandlers:
    """The PTB handlers; `answers` is the sender the replies go through (retried by the core),
    `editor` edits a message in place for a ◀ ▶ press (through `retrier`, when given)."""

    def __init__(
        self,
        service: Conversation,
        answers: ChatPlatform,
        editor: TelegramSender | None = None,
        retrier: Retrier | None = None,
        claims: InboundClaims | None = None,
    ) -> None:
        self.service = service
        self.platform = answers
        self.editor = editor
        self.retrier = retrier
        self.claims = claims  # set: each update_id is answered once across replicas

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(TypeHandler(Update, self.claim), group=-1)  # before the rest
        for name in HANDLED:
            application.add_handler(CommandHandler(name, self.on_command, filters=NEW | POSTS))
        application.add_handler(
            MessageHandler(filters.COMMAND & (NEW | POSTS), self.on_other_command)
        )
        plain = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & NEW
        application.add_handler(MessageHandler(plain, self.on_private_text))
        application.add_handler(
            ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(InlineQueryHandler(self.on_inline_query))
        reactions.install(application, self.service)
        application.add_error_handler(self.on_error)

    # ---- PTB callbacks -------------------------------------------------------------------
    async def claim(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The first replica to claim an update answers it; every other stops here (the
        webhook redelivers an unanswered update; a new leader polls the ones its predecessor
        had not confirmed). A store that cannot be reached lets the update through."""
        if self.claims is None:
            return
        try:
            first = await self.claims.claim(f"telegram:{context.bot.id}:{update.update_id}")
        except Exception as exc:
            log.warning("telegram: could not claim update %s: %s", update.update_id, exc)
            return
        if not first:
            log.info("telegram: update %s was answered already; skipped", update.update_id)
            raise ApplicationHandlerStop

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        user = sender(update)
        if message is None or chat is None or user is None:
            return
        parts = command_parts(message)
        if parts is not None:
            command = self.command(chat, user, message, parts)
            await self.answer(command, message.message_id)

    async def on_other_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Aliases and unknown commands: the core answers them in private chats, and in groups
        only when addressed to this bot by name (others may be meant for another bot)."""
        message, chat = update.effective_message, update.effective_chat
        user = sender(update)
        if message is None or chat is None or user is None:
            return
        parts = command_parts(message)
        if parts is None:
            return
        addressed = parts[1].lower() == (context.bot.username or "").lower()
        if chat.type == ChatType.PRIVATE or addressed:
            command = self.command(chat, user, message, parts)
            await self.answer(command, message.message_id)

    async def on_private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text without a slash in a private chat reads as a command, as in a Slack DM
        (`term NP-hard`, `용어 NP-hard`); anything else gets the core's pointer to /help."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or user is None or not message.text:
            return
        name, _, argument = message.text.strip().partition(" ")
        command = self.command(chat, user, message, (name.casefold(), "", argument))
        await self.answer(command, message.message_id)

    async def on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        member = update.my_chat_member
        if member is None:
            return
        before, after = member.old_chat_member.status, member.new_chat_member.status
        if member.chat.type == ChatType.PRIVATE:
            if after == ChatMemberStatus.BANNED:  # the user blocked the bot
                await self.service.recipient_gone(PLATFORM, str(member.chat.id), "blocked the bot")
            return
        chat = str(member.chat.id)
        if after in OUT and before not in OUT:
            await self.service.channel_gone(PLATFORM, chat, f"the bot's status is now {after}")
        elif after in IN and before in OUT:
            await self.service.channel_joined(PLATFORM, chat)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: the core's answer as a notice, in place of the message (◀ ▶) or in
        the presser's private chat; and always an answer to the query (a client shows a
        spinner until it has one)."""
        query = update.callback_query
        if query is None:
            return
        notice: str | None = None
        try:
            reader = self.reader(query)
            reply = await self.service.press(query.data, reader)
            if reply.notice:
                notice = reply.message.plain[:NOTICE_LIMIT]
            elif reply.in_place:
                if query.message is not None and self.editor is not None:
                    await self._edit(str(query.message.chat.id), query.message.message_id, reply)
            else:  # a private chat's id is its user's
                private = dataclasses.replace(reader, chat=reader.user, is_dm=True)
                await self.reply(private, reply, 0)
        except PlatformError as exc:  # deleted, too old, not modified: the press is moot
            log.info("telegram: could not answer a button press: %s", exc)
        except Exception:
            log.exception("telegram: a button press failed")
        finally:
            await self._answer_press(query, notice)

    @staticmethod
    async def _answer_press(query: CallbackQuery, notice: str | None) -> None:
        try:
            await query.answer(text=notice)
        except TelegramError as exc:  # the query is too old: the client gave up waiting
            log.info("telegram: could not answer a button press: %s", exc)

    async def _edit(self, chat: str, message_id: int, reply: Reply) -> None:
        """The issue's compact answer where it fits one message, else its thread's parent."""
        editor = self.editor
        assert editor is not None
        shown = reply.message
        if reply.thread is not None and len(render(shown)) != 1:
            shown = reply.thread.parent
        if self.retrier is None:
            await editor.edit(chat, message_id, shown)
            return
        await self.retrier.call(lambda: editor.edit(chat, message_id, shown), f"{PLATFORM}:{chat}")

    async def on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot NP-hard` in any chat: a page of the core's results (see `inline.py`)."""
        query = update.inline_query
        if query is None:
            return
        found = await self.service.find(query.query, query.offset, self.reader(query))
        try:
            await query.answer(
                articles(found),
                cache_time=CACHE_SECONDS,
                is_personal=True,  # in the reader's language
                next_offset=found.next_offset,
            )
        except TelegramError as exc:
            log.info("telegram: could not answer an inline query: %s", exc)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed", update_id, exc_info=context.error)

    # ---- translation ---------------------------------------------------------------------
    @staticmethod
    def command(
        chat: Chat, user: User | Chat, message: Message, parts: tuple[str, str, str]
    ) -> Command:
        """`user` is a `Chat` when the command was sent as a chat (a channel's post, an
        anonymous admin): then no DM goes to it."""
        name, _, argument = parts
        private = chat.type == ChatType.PRIVATE
        person = isinstance(user, User)
        return Command(
            platform=PLATFORM,
            chat=destination(chat, message),
            user=str(user.id),
            name=name,
            text=argument,
            is_dm=private,
            dm_chat=str(user.id) if person else None,  # a private chat's id is the user's id
            locale=user.language_code if isinstance(user, User) else None,
            sent_at=message.date.timestamp(),  # the quota counts commands when they were sent
        )

    @staticmethod
    def reader(query: CallbackQuery | InlineQuery) -> Command:
        """Who pressed a button or typed an inline query, and where, as the core's `Command`
        (for the language they are answered in)."""
        user = query.from_user
        message = query.message if isinstance(query, CallbackQuery) else None
        if not isinstance(message, Message):  # inline mode, or a message too old to see
            who = str(user.id)
            return Command(PLATFORM, who, who, "", is_dm=True, locale=user.language_code)
        chat, private = destination(message.chat, message), message.chat.type == ChatType.PRIVATE
        return Command(PLATFORM, chat, str(user.id), "", is_dm=private, locale=user.language_code)

    async def answer(self, command: Command, message_id: int) -> None:
        await self.reply(command, await self.service.handle(command), message_id)

    async def reply(self, command: Command, reply: Reply, message_id: int) -> None:
        """The reply in the command's chat and topic: a thread as parent + replies, anything
        else as one message replying to the command (in groups); nothing for silence."""
        if reply.silent:
            return
        try:
            if reply.thread is not None:
                await send_thread(self.platform, command.chat, reply.thread)
                return
            quote = None if command.is_dm else m.MessageRef(PLATFORM, command.chat, str(message_id))
            await self.platform.send(command.chat, reply.message, reply_to=quote)
        except RecipientGone as exc:
            log.warning("telegram chat %s is gone: %s", command.chat, exc)
            if command.is_dm:
                await self.service.recipient_gone(PLATFORM, command.user, str(exc))
        except PlatformError as exc:
            log.warning("could not answer /%s in %s: %s", command.name, command.chat, exc)
