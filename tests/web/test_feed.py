"""The Atom feed, as a feed reader parses it (feedparser)."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser

from bot.content.loader import Content, load_content
from bot.core.live_content import LiveContent
from tests.conftest import CONTENT
from tests.content.issue_files import add_issues, content_copy
from tests.web.conftest import Client, parse, serve, text_of


async def test_the_feed_parses_and_its_entry_for_issue_1_carries_the_issue(
    client: Client, content: Content
) -> None:
    page = await client.get("/feed.xml")
    assert page.status == 200 and page.content_type == "application/atom+xml"
    feed = feedparser.parse(page.text)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10" and feed.feed.title == "뉴랄브리핑"
    (entry,) = feed.entries
    assert entry.id == "urn:neural-briefing:issue:1"
    assert entry.title == "제 0001호 뉴랄브리핑(2019년 5월 30일)"
    assert entry.link == "https://briefing.example.com/issues/1"
    body = text_of(parse(entry.content[0].value))
    issue = content.archive.get(1)
    assert issue is not None
    for item in (item for section in issue.sections for item in section.items):
        assert " ".join(item.plain_title.split()) in body
    assert "토막상식" in body and "NP-Hard 문제란" in body


async def test_entries_are_newest_first(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    seed = (tmp_path / "content" / "issues" / "0001.md").read_text(encoding="utf-8")
    second = seed.replace("number = 1", "number = 2").replace("2019-05-30", "2019-05-31")
    (tmp_path / "content" / "issues" / "0002.md").write_text(second, encoding="utf-8")
    async with serve(LiveContent(load_content(tmp_path / "content"))) as web:
        feed = feedparser.parse((await web.get("/feed.xml")).text)
    assert [e.id for e in feed.entries] == [
        "urn:neural-briefing:issue:2",
        "urn:neural-briefing:issue:1",
    ]
    assert feed.feed.updated.startswith("2019-05-31")


async def test_a_large_feed_is_sent_gzipped_to_clients_that_take_it(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    seed = (tmp_path / "content" / "issues" / "0001.md").read_text(encoding="utf-8")
    for n in range(2, 21):
        (tmp_path / "content" / "issues" / f"{n:04d}.md").write_text(
            seed.replace("number = 1", f"number = {n}"), encoding="utf-8"
        )
    async with serve(LiveContent(load_content(tmp_path / "content"))) as web:
        url = web.base + "feed.xml"
        async with web.session.get(url, headers={"Accept-Encoding": "gzip"}) as resp:
            assert (
                resp.headers["Content-Encoding"] == "gzip"
                and resp.headers["Vary"] == "Accept-Encoding"
            )
            zipped = await resp.read()  # inflated by aiohttp
        async with web.session.get(url, headers={"Accept-Encoding": "identity"}) as resp:
            assert "Content-Encoding" not in resp.headers
            plain = await resp.read()
    assert zipped == plain and len(plain) > 128 * 1024
    assert len(feedparser.parse(plain).entries) == 20


def _unreleased_beside(folder: Path, released: int) -> None:
    """Issues 2..`released` released, then a draft and one whose `publish_at` is ahead (newer
    numbers than any released one, so a feed that took them would drop a released one)."""
    add_issues(folder, range(2, released + 1))
    add_issues(folder, [released + 1], "draft = true\n")
    add_issues(folder, [released + 2], "publish_at = 2999-01-01T08:30:00+09:00\n")


def _numbers(feed: feedparser.FeedParserDict) -> list[int]:
    return [int(entry.id.rsplit(":", 1)[1]) for entry in feed.entries]


async def test_the_feed_holds_the_newest_20_released_issues_by_default(tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    _unreleased_beside(folder, released=23)
    async with serve(LiveContent(load_content(folder))) as web:
        index = await web.get("/")
        feed = feedparser.parse((await web.get("/feed.xml")).text)
    assert not feed.bozo, feed.bozo_exception
    assert _numbers(feed) == list(range(23, 3, -1))  # 23 newest first … 4
    assert "/issues/1" in index.text  # the archive itself still lists every issue


async def test_feed_issues_sets_how_many_newest_issues_the_feed_holds(tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    _unreleased_beside(folder, released=6)
    async with serve(LiveContent(load_content(folder)), feed_issues=3) as web:
        feed = feedparser.parse((await web.get("/feed.xml")).text)
    assert _numbers(feed) == [6, 5, 4]
