"""The console platform: the embedded default. Reads commands from stdin, prints answers.

Threads print as the parent with the replies indented under it. Works interactively and piped
(`printf '/term NP-hard\n' | briefing-bot console`), ending at end of input.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from typing import TextIO

from bot.core.conversation.inbound import Conversation
from bot.core.conversation.parsing import split_text
from bot.core.i18n import t
from bot.core.model.messages import Line, Message, MessageRef, Style, Thread
from bot.core.ports import Command

PROMPT = "뉴랄브리핑> "
_INDENT = "    "


def render_line(line: Line) -> str:
    parts = []
    for span in line.spans:
        if span.style is Style.LINK and span.url and span.text.strip() != span.url:
            parts.append(f"{span.text} <{span.url}>")  # a bare URL is printed once, as its text
        elif span.style is Style.CODE:
            parts.append(f"`{span.text}`")
        else:
            parts.append(span.text)
    bullet = "• " if line.bullet else ""
    return "  " * line.indent + bullet + "".join(parts)


def render(message: Message) -> str:
    parts = [f"■ {message.title}"] if message.title else []
    parts += ["\n".join(render_line(line) for line in block.lines) for block in message.blocks]
    return "\n\n".join(parts)


def render_thread(thread: Thread) -> str:
    out = [render(thread.parent)]
    for n, reply in enumerate(thread.replies, 1):
        body = render(reply).replace("\n", "\n" + _INDENT + "│ ")
        out.append(f"{_INDENT}└ {n}/{len(thread.replies)}\n{_INDENT}│ {body}")
    return "\n\n".join(out)


class ConsolePlatform:
    """Prints what the bot sends; `send` and `open_dm` make it a `ChatPlatform` like the others,
    and `start`/`stop` (nothing to connect) a `Runnable`; `run` reads the terminal."""

    name = "console"

    def __init__(self, service: Conversation, out: TextIO | None = None) -> None:
        self.service = service
        self.out = out or sys.stdout
        self._ids = itertools.count(1)

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        text = render(message)
        self.write(text if reply_to is None else _INDENT + text.replace("\n", "\n" + _INDENT))
        return MessageRef(self.name, chat, str(next(self._ids)), reply_to.id if reply_to else None)

    async def start(self, *, receive: bool = True) -> None:
        """Nothing to connect: `run` reads the terminal."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    def start_link(self, payload: str) -> str | None:
        return None

    async def open_dm(self, user: str) -> str:
        return "console"

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        return True  # the terminal's user runs the bot

    async def can_post(self, chat: str) -> bool:
        return True

    async def answer(self, line: str) -> str | None:
        line = line.strip()
        if not line:
            return None
        name, argument = split_text(line)
        command = Command("console", "console", "local", name, argument, is_dm=True,
                          dm_chat="console", operator=True)  # fmt: skip
        reply = await self.service.handle(command)
        if reply.silent:
            return None
        return render_thread(reply.thread) if reply.thread else render(reply.message)

    async def run(self, stdin: TextIO | None = None, *, show_latest: bool = True) -> None:
        stdin = stdin or sys.stdin
        interactive = stdin.isatty()
        latest = self.service.content.archive.latest
        if show_latest and latest is not None:
            reply = self.service.issue(latest.number)
            if reply.thread:
                self.write(render_thread(reply.thread))
            hint = t(self.service.language, "console_hint")
            self.write("\n" + hint if interactive else "")
        while True:
            if interactive:
                self.out.write(PROMPT)
                self.out.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            answer = await self.answer(line)
            if answer:
                self.write(answer + "\n")
