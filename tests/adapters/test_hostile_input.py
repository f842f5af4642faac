"""Property tests: any Unicode a user can type, through parsing, handling and every renderer,
gives well-formed, escaped output within the platforms' limits, and never an exception."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.slack import render as slack_render
from bot.adapters.telegram import render as telegram_render
from bot.content.loader import Content
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.model.messages import Message
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import RecordingPlatform
from bot.store import Store, Subscriptions
from tests.fakes.slack_blocks import block_errors
from tests.fakes.telegram_html import parse_html

NASTY = [
    "<!channel>", "<!here>", "<@U123>", "<#C123>", "@everyone", "<b>x</b>", "</b>", "<a href='x'>",
    "&amp;", "&", "*bold*", "_it_", "`code`", "[link](https://evil.example)", "<https://evil|click>",
    "\x00", "\u202e", "\u200f", "\ufeff", "👨‍👩‍👧", "🇰🇷", "NP-hard", "프리트레이닝", "\n", "\t", "|", ">",
]  # fmt: skip
arguments = st.one_of(
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=20)), max_size=12).map(" ".join),
    st.text(min_size=200, max_size=12_000),
)
COMMANDS = ["term", "issue", "latest", "search", "help", "subscribe", "frobnicate", "post", "stats"]
_OUR_LINK = re.compile(r"<https?://[^<>|\s]+(\|[^<>]*)?>")
_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def leaves(payload: dict[str, Any]) -> list[str]:
    texts = [payload.get("text", "")]
    for block in payload.get("blocks", []):
        texts.append(block.get("text", {}).get("text", ""))
        for element in block.get("elements", []):
            if isinstance(element, dict):
                label = element.get("text", "")  # a button's is a plain_text object
                texts.append(label.get("text", "") if isinstance(label, dict) else label)
    return texts


def assert_slack_safe(payload: dict[str, Any]) -> None:
    assert block_errors(payload.get("blocks", [])) == []
    for leaf in leaves(payload):
        bare = _OUR_LINK.sub("", leaf)
        assert "<" not in bare and ">" not in bare, leaf
        assert not _ENTITY.search(leaf), leaf


def answers(content: Content, tmp: Path, platform: str, name: str, argument: str) -> list[Message]:
    """Every message the bot would send for `/name argument` (the reply and any thread)."""
    service = CommandService(
        LiveContent(content),
        Subscriptions(Store.open(tmp / "d.json")),
        PlatformRegistry(RecordingPlatform(name=platform)),
        admins=frozenset({f"{platform}:U1"}),
    )
    command = Command(platform, "C1", "U1", name, argument, is_dm=False)
    reply = asyncio.run(service.handle(command))
    return [reply.message, *(reply.thread.messages if reply.thread else ())]


PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def slack_accepts(message: Message) -> None:
    for payload in slack_render.render_message(message):
        assert_slack_safe(payload)
        assert len(payload["blocks"]) <= 50


def telegram_accepts(message: Message) -> None:
    for html in telegram_render.render(message):
        parsed = parse_html(html)  # strict: raises on any tag or entity Telegram would refuse
        assert 1 <= len(parsed.text) <= 4096
        assert len(html.encode("utf-8")) <= 32768
        assert parsed.text.strip(), "an empty message would be refused"


@pytest.mark.parametrize(
    ("platform", "accepts"), [("slack", slack_accepts), ("telegram", telegram_accepts)]
)
@PROPERTY
@given(st.sampled_from(COMMANDS), arguments)
def test_any_argument_renders_to_what_the_platform_accepts(
    content: Content, tmp_path_factory: Any, platform: str, accepts: Callable[[Message], None],
    name: str, argument: str,
) -> None:  # fmt: skip
    for message in answers(content, tmp_path_factory.mktemp(platform), platform, name, argument):
        accepts(message)
