"""Telegram updates handled one chat at a time: python-telegram-bot's update processor for the
bot's `Application` (`concurrent_updates`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

WAITING = 1_000_000  # updates taken in and waiting for their chat's turn (PTB's bound)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat are handled in order, different chats concurrently: a chat waiting
    out flood control (or posting a long thread) holds up no one else. At most `running`
    updates are handled at once, and an update takes one of those places only once it is its
    chat's turn: a flood of commands in a few chats (each answered at the chat's ~1 message a
    second) cannot fill every place and keep the other chats' commands waiting. (PTB's own
    bound counts an update from its arrival, so it is set far above ours.)"""

    def __init__(self, running: int = 256) -> None:
        super().__init__(WAITING)
        self._running = asyncio.Semaphore(running)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat -> (lock, users)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock, self._running:
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
