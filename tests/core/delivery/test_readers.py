"""Readers' conveniences decided by the core: deep-link payloads and the glossary links that
end a thread's 토막상식, per platform."""

from __future__ import annotations

import pytest

from bot.core.conversation import commands
from bot.core.conversation import parsing as c
from bot.core.conversation.service import CommandService
from bot.core.model.messages import Style, Thread
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import RecordingPlatform

SEED_TRIVIA_WITH_ENTRIES = 4


@pytest.mark.parametrize(
    ("payload", "parsed"),
    [("term-np-hard", c.TermBySlug("np-hard")), ("issue-1", c.IssueQuery(1)),
     ("subscribe", c.Subscribe()), ("", c.Start("")), ("issue-x", c.Start("issue-x")),
     ("term-", c.Start("term-")), ("a" * 65, c.Start("a" * 64)), ("t<b>", c.Start("t<b>"))],
)  # fmt: skip
def test_start_payloads_parse_to_commands(payload: str, parsed: c.Parsed) -> None:
    assert commands.parse("start", payload) == parsed


async def test_a_term_deep_link_answers_that_term(service: CommandService) -> None:
    reply = await service.handle(Command("fake", "c1", "u1", "start", "term-np-hard", is_dm=True))
    assert reply.message.title == "NP-hard"


async def test_an_unknown_slug_gets_did_you_mean(service: CommandService) -> None:
    reply = await service.handle(Command("fake", "c1", "u1", "start", "term-np-hadr", is_dm=True))
    assert "혹시 이 용어인가요?" in reply.message.plain and "NP-hard" in reply.message.plain


async def test_a_64_character_payload_is_a_miss_not_an_error(service: CommandService) -> None:
    payload = "term-" + "x" * 59
    reply = await service.handle(Command("fake", "c1", "u1", "start", payload, is_dm=True))
    assert "용어집에 없습니다" in reply.message.plain


async def test_an_issue_deep_link_sends_the_thread(service: CommandService) -> None:
    reply = await service.handle(Command("fake", "c1", "u1", "start", "issue-1", is_dm=True))
    assert reply.thread is not None and "0001" in (reply.thread.parent.title or "")


async def test_a_subscribe_deep_link_subscribes(service: CommandService) -> None:
    reply = await service.handle(Command("fake", "c1", "u1", "start", "subscribe", is_dm=True))
    assert "구독했습니다" in reply.message.plain
    assert await service.subscriptions.is_subscribed("fake", "u1")


def note_links(thread: Thread) -> list[tuple[str, str | None]]:
    """(text, url) of every span after a 토막상식's text: the glossary links."""
    found = []
    for message in thread.replies:
        for block in message.blocks:
            for line in block.lines:
                if any(s.text == "[토막상식] " for s in line.spans):
                    tail = line.spans[-1]
                    if "용어집" in tail.text:
                        found.append((tail.text, tail.url if tail.style is Style.LINK else None))
    return found


def test_threads_link_each_trivia_with_an_entry_the_platforms_way(
    service: CommandService,
) -> None:
    platforms = PlatformRegistry()
    platforms.add(RecordingPlatform("telegram"), lambda p: f"https://t.me/newsbot?start={p}")
    service.platforms = platforms
    deep = note_links(service.issue(1, platform="telegram").thread)  # type: ignore[arg-type]
    assert len(deep) == SEED_TRIVIA_WITH_ENTRIES
    assert ("→ 용어집: NP-hard", "https://t.me/newsbot?start=term-np-hard") in deep
    hints = note_links(service.issue(1, platform="slack").thread)  # type: ignore[arg-type]
    assert (" (용어집: /term NP-hard)", None) in hints and len(hints) == 4
    service.web = WebLinks.at("https://news.example.com/")
    pages = note_links(service.issue(1, platform="slack").thread)  # type: ignore[arg-type]
    assert ("→ 용어집: NP-hard", "https://news.example.com/terms/np-hard") in pages
