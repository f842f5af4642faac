"""Slack inbound traffic → core `Command`s → answers. Registered on a bolt `AsyncApp`.

- Slash commands (`SLASH_COMMANDS`, from the core's command table: its slash commands and
  `/briefing` for the rest) are acked at once with an empty body, then answered with
  `respond()`: ephemeral, except `/issue N public` and `/latest public`, which post the thread in
  the channel (falling back to an in-channel `respond()` where the app is not a member).
- Plain-text DMs (`term NP-hard`) are answered in the DM; `@app term NP-hard` in a channel is
  answered in the mention's thread.
- App Home: its listeners are `home_tab.py`'s, registered here.
- Message buttons (block actions `press_…`, the value is the core's button data): the core's
  answer replaces the message in place through the action's `response_url` (◀ ▶:
  `replace_original`), goes to the presser's DM (an issue to read now), or is a short ephemeral
  word (a vote counted; a stale or forged press, which leaves the message as it was).
- `/briefing here|stop|status|time|lang` is the core's `briefing` command (the channel's
  destination); the reader's language comes from `users.info` `locale` (the sender asks once per
  user). The app joining a channel (`member_joined_channel` for its own user) says once how to
  opt in; leaving it (`channel_left`, `group_left`) ends that channel's destination.
- Redeliveries are acked without acting (`redelivery.py`), so a slow answer never becomes two.

Every handler catches its own failures: the log gets the trace, the user a short answer.
Answers posted with `chat.postMessage` go through the core's retry layer; the words are the
core's catalogue (`bot.core.i18n`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.infra.clock import SystemClock
from bot.adapters.slack import home, reactions
from bot.adapters.slack.home_tab import HomeTab
from bot.adapters.slack.redelivery import Redeliveries
from bot.adapters.slack.render import BUTTON_ACTION, render_message
from bot.adapters.slack.send import PLATFORM, SlackSender
from bot.core.conversation.commands import COMMANDS
from bot.core.conversation.inbound import Conversation, Reply
from bot.core.conversation.parsing import BRIEFING_ACTIONS, split_text
from bot.core.delivery.ports import Pacer
from bot.core.delivery.retry import ANSWERS, Retrier, RetryingPlatform
from bot.core.errors import PlatformError, RecipientGone
from bot.core.i18n import Language, t
from bot.core.model.messages import Message, MessageRef, Thread, simple
from bot.core.model.threads import send_thread
from bot.core.ports import Command, InboundClaims

log = logging.getLogger(__name__)

SLASH_COMMANDS = (*(f"/{spec.name}" for spec in COMMANDS if spec.slash), "/briefing")
MAX_RESPONSES = 5  # a response_url takes at most 5 posts
_MENTION = re.compile(r"^(?:\s*<@[A-Z0-9]+(?:\|[^>]*)?>)+")  # the leading @app mention(s)


def command_name(slash: str, text: str) -> tuple[str, str]:
    """`/term` + `NP-hard` → ("term", "NP-hard"); `/briefing post 3` → ("post", "3");
    a bare `/briefing` is help."""
    name = slash.lstrip("/").casefold()
    if name != "briefing":
        return name, text
    sub, rest = split_text(text)
    if sub in BRIEFING_ACTIONS:
        return "briefing", text.strip()
    return (sub, rest) if sub else ("help", "")


def strip_mentions(text: str) -> str:
    """`<@UAPP> term NP-hard` → `term NP-hard`; a mention further on is an argument (`<@UAPP>
    briefing why <@U3>`)."""
    return _MENTION.sub(" ", text).strip()


class SlackHandlers:
    """The listeners, bound to one platform (for posting) and the core service."""

    def __init__(
        self,
        sender: SlackSender,
        service: Conversation,
        client: AsyncWebClient,
        claims: InboundClaims | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.sender = sender
        self.platform = RetryingPlatform(sender, Retrier(ANSWERS, SystemClock()), pacer)
        self.service = service
        self.client = client
        self.claims = claims  # set: each event_id is answered once across replicas

    @property
    def language(self) -> Language:
        return self.service.language

    def say(self, key: str) -> Message:
        return simple(t(self.language, key))

    def register(self, bolt: AsyncApp) -> None:
        bolt.middleware(Redeliveries(self.claims).skip)
        for slash in SLASH_COMMANDS:
            bolt.command(slash)(self.on_command)
        bolt.event("message")(self.on_message)
        bolt.event("app_mention")(self.on_mention)
        tab = HomeTab(self)
        bolt.event("app_home_opened")(tab.on_opened)
        bolt.event("member_joined_channel")(self.on_member_joined)
        bolt.event("channel_left")(self.on_left)
        bolt.event("group_left")(self.on_left)
        reactions.register(bolt, self.service)
        bolt.action(home.SUBSCRIBE_ACTION)(tab.on_button)
        bolt.action(home.UNSUBSCRIBE_ACTION)(tab.on_button)
        bolt.action(re.compile(f"^{BUTTON_ACTION}"))(self.on_button)
        bolt.action(re.compile(f"^{home.SEND_ACTION}"))(tab.on_send)
        for setting in home.SETTING_ACTIONS:
            bolt.action(setting)(tab.on_setting)

    # slash commands ----------------------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        try:
            await self._slash(command, respond)
        except Exception:
            log.exception("slack: %s failed", command.get("command"))
            await self.respond(respond, self.say("failed"))

    async def _slash(self, command: dict[str, Any], respond: AsyncRespond) -> None:
        name, text = command_name(str(command.get("command", "")), str(command.get("text", "")))
        channel, user = str(command.get("channel_id", "")), str(command.get("user_id", ""))
        is_dm = channel.startswith("D")  # elsewhere the answer is ephemeral: the asker's alone
        reply = await self.run(channel, user, name, text, is_dm=is_dm, privately=not is_dm)
        if reply.silent:
            return
        if reply.public and reply.thread is not None:
            await self._post_publicly(channel, reply.thread, reply.message, respond)
        else:
            await self.respond(respond, reply.message, public=reply.public)

    async def _post_publicly(
        self, channel: str, thread: Thread, compact: Message, respond: AsyncRespond
    ) -> None:
        try:
            await send_thread(self.platform, channel, thread)
        except RecipientGone:  # a DM between people, a private channel: not a member
            await self.respond(respond, compact, public=True)
        except PlatformError:
            await self.respond(respond, self.say("not_posted"))

    async def post(self, chat: str, reply: Reply) -> None:
        """A reply posted in `chat`: a thread as parent + replies, else its message; nothing
        for silence."""
        if reply.silent:
            return
        if reply.thread is not None:
            await send_thread(self.platform, chat, reply.thread)
        else:
            await self.platform.send(chat, reply.message)

    async def respond(self, respond: AsyncRespond, message: Message, public: bool = False) -> None:
        """Answer through the command's response_url (never raises: it is the last resort)."""
        kind = "in_channel" if public else "ephemeral"
        try:
            for payload in render_message(message)[:MAX_RESPONSES]:
                sent = await respond({**payload, "response_type": kind})
                if sent.status_code != 200:
                    log.warning("slack: response_url answered %s %s", sent.status_code, sent.body)
        except Exception:
            log.exception("slack: could not answer through response_url")

    async def run(
        self, chat: str, user: str, name: str, text: str, *, is_dm: bool,
        dm_chat: str | None = None, privately: bool = False,
    ) -> Reply:  # fmt: skip
        """The core's answer to one command. `dm_chat` is the user's DM with the app when this is
        a message.im event; otherwise the core opens it if it needs it (a slash command's D… may
        be a DM between people)."""
        command = await self.command(
            chat, user, name, text, is_dm=is_dm, dm_chat=dm_chat, privately=privately
        )
        return await self.service.handle(command)

    async def command(
        self, chat: str, user: str, name: str = "", text: str = "", *, is_dm: bool,
        dm_chat: str | None = None, privately: bool = False,
    ) -> Command:  # fmt: skip
        """The core's `Command`, with the user's `locale` (users.info, remembered)."""
        locale = (await self.sender.user(user)).get("locale") if user else None
        return Command(
            PLATFORM, chat, user, name, text, is_dm=is_dm, dm_chat=dm_chat,
            locale=str(locale) if locale else None, privately=privately,
        )  # fmt: skip

    async def reader(self, body: dict[str, Any]) -> Command:
        """Who pressed a button, and where (a message's channel; the Home tab is theirs); on
        an ephemeral message only they see the answer."""
        user = str((body.get("user") or {}).get("id", ""))
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id", "")) or str(
            container.get("channel_id", "")
        )
        is_dm = not channel or channel.startswith("D")
        privately = bool(container.get("is_ephemeral"))
        return await self.command(channel, user, is_dm=is_dm, privately=privately)

    # the app joining and leaving channels ----------------------------------------------------

    async def on_member_joined(self, event: dict[str, Any], context: Any) -> None:
        """The app itself joined (was invited to) a channel: say once how to opt in."""
        channel = str(event.get("channel", ""))
        if channel and event.get("user") == getattr(context, "bot_user_id", None):
            await self.service.channel_joined(PLATFORM, channel)

    async def on_left(self, event: dict[str, Any]) -> None:
        """The app was removed from a channel (or it was archived): its destination ends."""
        channel = str(event.get("channel", ""))
        if channel:
            await self.service.channel_gone(PLATFORM, channel, str(event.get("type")))

    # messages: DMs and mentions ------------------------------------------------------------

    async def on_message(self, event: dict[str, Any]) -> None:
        """A DM to the app; other message events (edits, joins, bots, channels) are ignored."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        channel, user = str(event.get("channel", "")), str(event.get("user", ""))
        text = strip_mentions(str(event.get("text", "")))
        if not user or not text:
            return
        try:
            reply = await self.run(channel, user, *split_text(text), is_dm=True, dm_chat=channel)
            await self.post(channel, reply)
        except Exception:
            log.exception("slack: answering a DM in %s failed", channel)
            await self._try_send(channel, self.say("failed"))

    async def on_mention(self, event: dict[str, Any]) -> None:
        """`@app term NP-hard` in a channel: answer in the mention's thread."""
        channel, user = str(event.get("channel", "")), str(event.get("user", ""))
        if channel.startswith("D") or event.get("bot_id") or not user:
            return  # DMs arrive as message.im
        ts = str(event.get("ts", ""))
        where = MessageRef("slack", channel, ts, thread=str(event.get("thread_ts") or ts))
        name, text = split_text(strip_mentions(str(event.get("text", ""))))
        try:
            reply = await self.run(channel, user, name or "help", text, is_dm=False)
            if not reply.silent:
                await self.platform.send(channel, reply.message, reply_to=where)
        except Exception:
            log.exception("slack: answering a mention in %s failed", channel)
            await self._try_send(channel, self.say("failed"), where)

    async def _try_send(self, chat: str, message: Message, where: MessageRef | None = None) -> None:
        try:
            await self.platform.send(chat, message, reply_to=where)
        except Exception:
            log.exception("slack: could not even report the failure in %s", chat)

    # message buttons (◀ ▶, ...) ----------------------------------------------------------------

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """A message button's press: the core's answer as a notice to the presser alone, in
        place of the message the buttons were on (◀ ▶), or in the presser's DM."""
        await ack()
        action = (body.get("actions") or [{}])[0]
        try:
            reader = await self.reader(body)
            reply = await self.service.press(action.get("value"), reader)
            if not reply.notice and not reply.in_place:
                dm = await self.platform.open_dm(reader.user)
                await self.post(dm, reply)
                return
            payloads = render_message(reply.message)
            if len(payloads) > 1 and reply.thread is not None:
                payloads = render_message(reply.thread.parent)
            # a notice is a new word to the presser alone; an issue replaces the message
            how = {"response_type": "ephemeral"} if reply.notice else {}
            sent = await respond({**payloads[0], **how, "replace_original": not reply.notice})
            if sent.status_code != 200:
                log.warning("slack: response_url answered %s %s", sent.status_code, sent.body)
        except Exception:
            log.exception("slack: a button press failed")
            await self.respond(respond, self.say("failed"))

    # App Home ------------------------------------------------------------------------------
