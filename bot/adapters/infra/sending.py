"""The `ChatPlatform` half that every platform with a sender shares: its `send` and `open_dm`
are the sender's (`send.py` of each adapter), so the platform class itself is only lifecycle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.core.errors import RateLimited
from bot.core.model.messages import Message, MessageRef
from bot.core.ports import ChatPlatform, Revises

log = logging.getLogger(__name__)
T = TypeVar("T")
CONTINUATION_ATTEMPTS = 4  # a piece's 429s waited out here before the send fails
CONTINUATION_WAIT = 60.0  # seconds: a longer retry_after fails the send (the core decides)


async def continued(post: Callable[[], Awaitable[T]], chat: str) -> T:
    """Post a piece after a message's first (a message split at the platform's limit): its
    429 is waited out here, never handed up. The core's retrier retries a whole `send`, which
    would post the pieces already delivered a second time (a reader saw a split section twice
    when a run met the flood limit). Other errors go up as they are."""
    for _ in range(CONTINUATION_ATTEMPTS - 1):
        try:
            return await post()
        except RateLimited as exc:
            if exc.retry_after > CONTINUATION_WAIT:
                raise
            log.info("%s: 429 on a continued piece; waiting %.1f s", chat, exc.retry_after)
            await asyncio.sleep(exc.retry_after)
    return await post()  # the last attempt: its 429 goes up


class SendsThroughSender:
    sender: ChatPlatform

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        return await self.sender.send(chat, message, reply_to=reply_to)

    async def revise(
        self, ref: MessageRef, message: Message, *, parent: MessageRef | None, pointer: Message
    ) -> MessageRef:
        assert isinstance(self.sender, Revises), "this platform's sender cannot edit"
        return await self.sender.revise(ref, message, parent=parent, pointer=pointer)

    async def remove(self, ref: MessageRef, pointer: Message) -> None:
        assert isinstance(self.sender, Revises), "this platform's sender cannot delete"
        await self.sender.remove(ref, pointer)

    async def open_dm(self, user: str) -> str:
        return await self.sender.open_dm(user)

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        return await self.sender.is_chat_admin(chat, user)

    async def can_post(self, chat: str) -> bool:
        return await self.sender.can_post(chat)

    def start_link(self, payload: str) -> str | None:
        """No deep links unless the platform has them (Telegram overrides this)."""
        return None
