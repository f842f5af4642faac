"""`[web] base_url` set: a thread's parent ends with its issue page, a /term answer links the
term page; unset, nothing changes."""

from __future__ import annotations

import pytest

from bot.content.loader import Content
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.model.messages import Message, Span, Style
from bot.core.model.render import issue_thread
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import RecordingPlatform
from bot.store import Store, Subscriptions

BASE = "https://briefing.example.com/archive"


def make(content: Content, store: Store, base_url: str, language: str = "ko") -> CommandService:
    return CommandService(LiveContent(content), Subscriptions(store), PlatformRegistry(RecordingPlatform()),
                          language=language, web=WebLinks.at(base_url))  # type: ignore[arg-type]  # fmt: skip


def last_span(message: Message) -> Span:
    return message.blocks[-1].lines[-1].spans[-1]


async def ask(service: CommandService, name: str, text: str) -> Message:
    reply = await service.handle(Command("fake", "c1", "u1", name, text, is_dm=True))
    if reply.thread is not None:
        return reply.thread.parent
    return reply.message


@pytest.mark.parametrize(("language", "label"), [("ko", "웹에서 보기"), ("en", "View on the web")])
async def test_the_parent_of_an_issue_thread_ends_with_its_web_page(
    content: Content, store: Store, language: str, label: str
) -> None:
    parent = await ask(make(content, store, BASE, language), "issue", "1")
    assert last_span(parent) == Span(label, Style.LINK, f"{BASE}/issues/1")


async def test_a_term_answer_links_the_term_page(content: Content, store: Store) -> None:
    answer = await ask(make(content, store, BASE + "/"), "term", "np hard")
    assert last_span(answer) == Span("웹에서 보기", Style.LINK, f"{BASE}/terms/np-hard")


async def test_without_a_base_url_nothing_changes(content: Content, store: Store) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    service = make(content, store, "")
    assert service.web is None
    assert await ask(service, "issue", "1") == issue_thread(issue, "ko").parent
    answer = await ask(service, "term", "NP-hard")
    assert all(
        span.url is None for block in answer.blocks for line in block.lines for span in line.spans
    )
