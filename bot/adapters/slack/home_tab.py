"""The App Home tab's listeners: opening it publishes the reader's view; its buttons subscribe,
unsubscribe or send an issue to the presser's DM (as `/issue n` there); a time, zone or language
picked there is the reader's `/subscribe HH:MM Zone` or `/lang xx` (`home.setting`), answered on
the republished view. What a listener says goes through the answering side (`SlackHandlers`)."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import home
from bot.adapters.slack.send import SlackSender
from bot.core.conversation.inbound import Conversation, Reply
from bot.core.model.messages import Message
from bot.core.ports import ChatPlatform, Command

log = logging.getLogger(__name__)


class Answering(Protocol):
    """What the Home tab's listeners use of the Slack handlers."""

    @property
    def sender(self) -> SlackSender: ...

    @property
    def platform(self) -> ChatPlatform: ...

    @property
    def service(self) -> Conversation: ...

    @property
    def client(self) -> AsyncWebClient: ...

    def say(self, key: str) -> Message: ...

    async def run(
        self, chat: str, user: str, name: str, text: str, *, is_dm: bool,
        dm_chat: str | None = None, privately: bool = False,
    ) -> Reply: ...  # fmt: skip

    async def command(
        self, chat: str, user: str, name: str = "", text: str = "", *, is_dm: bool,
        dm_chat: str | None = None, privately: bool = False,
    ) -> Command: ...  # fmt: skip

    async def post(self, chat: str, reply: Reply) -> None: ...


class HomeTab:
    def __init__(self, answers: Answering) -> None:
        self.answers = answers

    async def on_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            await self.publish(str(event["user"]), client)

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        action = str(((body.get("actions") or [{}])[0]).get("action_id", ""))
        if not user:
            return
        name = "subscribe" if action == home.SUBSCRIBE_ACTION else "unsubscribe"
        try:
            reply = await self.answers.run("", user, name, "", is_dm=False)
            log.info("slack: home button %s for %s: %s", name, user, reply.message.plain)
            if name == "subscribe":  # the welcome (or "already subscribed") in their DM
                await self.answers.post(await self.answers.platform.open_dm(user), reply)
        except Exception:
            log.exception("slack: home button %s for %s failed", name, user)
        await self.publish(user, client)

    async def on_send(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """An issue's button on the Home tab: that issue, as a thread, in the presser's DM with
        the app (the button's value is untrusted: it goes through /issue's parsing)."""
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        value = str(((body.get("actions") or [{}])[0]).get("value", ""))
        if not user:
            return
        try:
            dm = await self.answers.platform.open_dm(user)
            reply = await self.answers.run(dm, user, "issue", value, is_dm=True, dm_chat=dm)
            await self.answers.post(dm, reply)
        except Exception:
            log.exception("slack: sending issue %r to %s's DM failed", value[:20], user)

    async def on_setting(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """A delivery time, zone or language changed on the Home tab: saved as the reader's own
        `/subscribe HH:MM Zone` or `/lang xx`, and the view republished with the answer."""
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        action = (body.get("actions") or [{}])[0]
        if not user or not isinstance(action, dict):
            return
        notice = ""
        try:
            state = await self.answers.service.home(
                await self.answers.command("", user, is_dm=True)
            )
            asked = home.setting(action, state)
            if asked is not None:
                reply = await self.answers.run("", user, *asked, is_dm=True)
                notice = reply.message.plain
        except Exception:
            log.exception("slack: a Home tab setting for %s failed", user)
            notice = self.answers.say("failed").plain
        await self.publish(user, client, notice)

    async def publish(
        self, user: str, client: AsyncWebClient | None = None, notice: str = ""
    ) -> None:
        """Publish `user`'s Home tab, in their language, with the request's client (its
        workspace's token); `notice` says what their last change there did."""
        try:
            reader = await self.answers.command("", user, is_dm=True)
            zone = (await self.answers.sender.user(user)).get("tz")  # the zone Slack has for them
            state = await self.answers.service.home(reader, notice)
            view = home.home_view(state, str(zone) if zone else None)
            await (client or self.answers.client).views_publish(user_id=user, view=view)
        except Exception:
            log.exception("slack: publishing the Home tab for %s failed", user)
