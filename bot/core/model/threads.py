"""Posting a thread: the parent first, then every reply in order under it."""

from __future__ import annotations

from bot.core.model.messages import MessageRef, Thread
from bot.core.ports import ChatPlatform


async def send_thread(platform: ChatPlatform, chat: str, thread: Thread) -> list[MessageRef]:
    """Post `thread` to `chat`; return the references of the parent and of each reply."""
    parent = await platform.send(chat, thread.parent)
    refs = [parent]
    for reply in thread.replies:
        refs.append(await platform.send(chat, reply, reply_to=parent))
    return refs
