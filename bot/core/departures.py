"""One rule for a recipient that is gone, wherever the bot learns it: a delivery's
`RecipientGone`, an inbound event (a Telegram `my_chat_member`, a Slack `channel_left`), a
reader who blocked the bot, a Slack workspace that uninstalled the app.

- A reader who is gone is unsubscribed (their settings stay, for a later `/subscribe`).
- A chat that is gone ends its opt-in and those of its forum topics ("-100123" ends
  "-100123:7" too); a topic that is gone ("-100123:7") ends that topic alone. A pinned channel
  (in the config) cannot end from the chat: it is reported for the operator to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence

from bot.core.ports import DestinationStore, SubscriptionStore

log = logging.getLogger(__name__)


class Departures:
    def __init__(
        self,
        subscriptions: SubscriptionStore,
        destinations: DestinationStore | None = None,
        pinned: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.subscriptions, self.destinations = subscriptions, destinations
        self.pinned = pinned or {}

    async def reader(self, platform: str, user: str, why: str) -> bool:
        """`user`'s DM is gone: their subscription ends. True if there was one."""
        gone = await self.subscriptions.unsubscribe(platform, user)
        log.info("%s user %s is gone (%s); unsubscribed: %s", platform, user, why, gone)
        return gone

    async def chats(self, platform: str, chats: Collection[str], why: str) -> set[str]:
        """The bot is gone from `chats` (or may no longer post there): their opt-ins end, in one
        pass over the opted-in channels. The chats (of `chats`) whose opt-in ended."""
        wanted = set(chats)
        ended: set[str] = set()
        store = self.destinations
        for channel in await store.opted_in(platform) if store is not None else []:
            whole = channel.chat.partition(":")[0]  # a forum topic "chat:topic" is in its chat
            named = channel.chat if channel.chat in wanted else whole if whole in wanted else None
            if (
                named is not None
                and store is not None
                and await store.opt_out(platform, channel.chat)
            ):
                ended.add(named)
        for chat in sorted(wanted):
            if chat in ended:
                log.warning("%s:%s: the bot is no longer in the channel (%s); opt-in ended",
                            platform, chat, why)  # fmt: skip
            elif self.is_pinned(platform, chat):
                log.error("%s:%s: the bot is gone from a pinned channel (%s); check the "
                          "configuration", platform, chat, why)  # fmt: skip
        return ended

    def is_pinned(self, platform: str, chat: str) -> bool:
        return chat in self.pinned.get(platform, ())
