"""The daily post through the Slack platform, end to end: the composition root (`bot.app`)
builds the real bolt/slack_sdk platform against the local fake Slack API and delivers issue 1
to the configured channels and a DM subscriber. Every assertion is on what the fake received
(or the report and the store)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import render_message
from bot.app import Bot, delivery_channels, post, started
from bot.content.loader import Content
from bot.core.delivery.engine import DeliveryEngine
from bot.core.live_content import LiveContent
from bot.core.model.render import issue_thread
from bot.core.model.termlinks import TermLinker
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import FakeClock
from tests.fakes.slack_api import FakeSlackAPI, Posted
from tests.fakes.slack_blocks import block_errors
from tests.support.processes import Post, kill_mid_thread, post_config
from tests.support.slack import make_app
from tests.support.wait import until
from tests.web.conftest import serve

PARTS = 11  # issue 1: the parent, 9 sections and the useful links


@pytest.fixture(autouse=True)
def fast_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_PACE_SCALE", "100")  # ~1 message/s per channel, compressed


def expected_texts(content: Content) -> list[str]:
    """The text of every part of issue 1's thread, in order, as the renderer makes them; on
    Slack without a web archive each 토막상식 with a glossary entry ends with a /term hint."""
    issue = content.archive.get(1)
    assert issue is not None
    hints = TermLinker("slack", content.glossary, PlatformRegistry(), "ko")
    thread = issue_thread(issue, "ko", None, hints.after)
    assert sum(m.plain.count("(용어집: /term ") for m in thread.messages) == 4
    return [
        str(render_message(message, reply=n > 0)[0]["text"])
        for n, message in enumerate(thread.messages)
    ]


def assert_one_thread(posted: list[Posted], texts: list[str]) -> None:
    """Parent first, every reply under the parent's ts, the parts in order, each once."""
    parent, *replies = posted
    assert parent.thread_ts is None
    assert [r.thread_ts for r in replies] == [parent.ts] * (len(texts) - 1)
    assert [m.text for m in posted] == texts
    assert all(m.blocks and block_errors(m.blocks) == [] for m in posted)


async def subscribe(app: Bot, user: str) -> None:
    """/subscribe as the Slack user would: the service opens the DM on the platform."""
    async with started(app, receive=False):
        reply = await app.service.handle(Command("slack", "C1", user, "subscribe", is_dm=False))
    assert "구독했습니다" in reply.message.plain


async def test_the_daily_post_is_one_thread_per_channel_and_one_by_dm(
    tmp_path: Path, fake: FakeSlackAPI
) -> None:
    fake.add_channel("C2")
    app = make_app(tmp_path, fake, "http", channels=("C1", "C2"))
    texts = expected_texts(app.content)
    await subscribe(app, "U1")

    report = await post(app)

    assert (report.destinations, report.sent, report.failed) == (3, 3 * PARTS, 0)
    assert [c.params["users"] for c in fake.calls_to("conversations.open")] == ["U1"]
    dm = fake.dm_channel("U1")
    assert dm is not None
    for chat in ("C1", "C2", dm):
        assert_one_thread(fake.messages(chat), texts)


async def test_with_a_web_archive_each_trivia_links_its_term_page_and_the_pages_exist(
    tmp_path: Path, fake: FakeSlackAPI
) -> None:
    base = "https://briefing.example.com/"
    app = make_app(tmp_path, fake, "http", base_url=base)

    report = await post(app)

    assert report.failed == 0
    posted = json.dumps([m.blocks for m in fake.messages("C1")], ensure_ascii=False)
    links = re.findall(r"<" + re.escape(base) + r"(terms/[a-z0-9-]+)\|", posted)
    assert len(links) == 4  # the seed's four 토막상식 with a glossary entry
    assert "/term " not in posted  # the page, not the hint
    async with serve(LiveContent(app.content)) as web:
        pages = [await web.get(path) for path in links]
    assert [page.status for page in pages] == [200] * 4
    assert all("용어집" in page.text or "Glossary" in page.text for page in pages)


async def test_not_in_channel_is_reported_and_the_others_get_their_thread(
    tmp_path: Path, fake: FakeSlackAPI
) -> None:
    fake.add_channel("C3", members_include_bot=False)
    app = make_app(tmp_path, fake, "http", channels=("C3", "C1"))
    await subscribe(app, "U1")

    report = await post(app)

    assert report.failed == 1
    (failure,) = report.failures
    assert failure.startswith("slack:C3") and "not_in_channel" in failure
    assert fake.messages("C3") == []
    dm = fake.dm_channel("U1")
    assert dm is not None
    for chat in ("C1", dm):
        assert_one_thread(fake.messages(chat), expected_texts(app.content))


async def test_a_429_pauses_only_that_channel_for_its_retry_after(
    tmp_path: Path, fake: FakeSlackAPI
) -> None:
    """The engine runs on a fake clock: the rate-limited channel sleeps until the test moves
    time on, and meanwhile the other channel gets its whole thread."""
    fake.add_channel("C2")
    app = make_app(tmp_path, fake, "http", channels=("C1", "C2"))
    clock = FakeClock()
    fake.fail_next("C2", "ratelimited", retry_after=7, method="chat.postMessage")
    async with started(app, receive=False):
        engine = DeliveryEngine(
            content=lambda: app.content,
            channels=delivery_channels(app.settings),
            platforms=app.platforms,
            subscriptions=app.store.subscriptions,
            ledger=app.store.ledger,
            pacer=app.engine.pacer,
            clock=clock,
            progress_every=None,
        )
        run = asyncio.create_task(engine.deliver())
        try:
            await until(lambda: clock.sleeping == 1 and len(fake.messages("C1")) == PARTS)
            assert clock.sleeps == [7.0]  # Retry-After, honoured by the core
            assert fake.messages("C2") == []
            clock.advance(7)
            report = await asyncio.wait_for(run, 15)
        finally:
            run.cancel()
    await app.store.close()

    assert (report.sent, report.retried, report.failed) == (2 * PARTS, 1, 0)
    assert len(fake.calls_to("chat.postMessage")) == 2 * PARTS + 1
    for chat in ("C1", "C2"):
        assert_one_thread(fake.messages(chat), expected_texts(app.content))


# a `briefing-bot post` killed with SIGKILL in the middle of the thread -------------------------


@pytest.fixture
async def config(tmp_path: Path, fake: FakeSlackAPI) -> Path:
    """A config for `briefing-bot post`: channel C1 and U1 subscribed by DM (before today)."""
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    section = f'api_url = "{fake.base_url}"\nchannels = ["C1"]\n'
    return await post_config(tmp_path, "slack", section, "U1", dm)


def posts(fake: FakeSlackAPI) -> int:
    return len(fake.calls_to("chat.postMessage"))


async def test_a_post_killed_mid_thread_resumes_under_the_same_parent(
    fake: FakeSlackAPI, config: Path, content: Content
) -> None:
    """Every post is held; four rounds of both destinations' posts are let through, then the
    process is killed while the fifth of each is in flight (so it never reaches the channel)."""
    rounds = 4
    fake.fail_next(None, "timeout", count=2 * (rounds + 1), method="chat.postMessage")
    env = {"SLACK_BOT_TOKEN": fake.bot_token}
    killed = await Post(config, env=env).start()
    try:
        await kill_mid_thread(killed, rounds, lambda: posts(fake), fake.release_hung, width=2)
        dm = fake.dm_channel("U1")
        assert dm is not None
        assert [len(fake.messages(chat)) for chat in ("C1", dm)] == [rounds, rounds]
        code, out, err = await (await Post(config, env=env).start()).finish()
    finally:
        await killed.kill()

    assert code == 0, err
    assert f"sent {2 * (PARTS - rounds)}, retried 0, skipped 0, failed 0" in out
    assert "left pending by an interrupted run" in err
    for chat in ("C1", dm):
        assert_one_thread(fake.messages(chat), expected_texts(content))
