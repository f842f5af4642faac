"""What the archive's server answers, read the way a browser reads it (HTML5 parsing)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from bot.content.loader import Content, load_content
from bot.core.live_content import LiveContent
from tests.conftest import CONTENT
from tests.support.seed import seed_fragments
from tests.web.conftest import Client, find_all, parse, serve, squash, text_of

PAGES = ["/", "/issues/1", "/terms", "/terms/np-hard", "/search?q=EfficientNet"]


async def test_every_fragment_of_the_seed_is_in_the_text_of_the_issue_page(client: Client) -> None:
    page = await client.get("/issues/1")
    assert page.status == 200 and page.content_type == "text/html"
    shown = text_of(find_all(parse(page.text), ".//h:main")[0])
    missing = [f for f in seed_fragments()[1:] if squash(f) not in shown]
    assert missing == []


async def test_every_item_title_and_note_of_the_model_is_on_the_page(
    client: Client, content: Content
) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    shown = text_of(parse((await client.get("/issues/1")).text))

    def notes(list_):  # type: ignore[no-untyped-def]
        for note in list_:
            yield note
            yield from notes(note.children)

    items = [item for section in issue.sections for item in section.items] + list(issue.links)
    for item in items:
        assert squash(item.plain_title) in shown
        for note in notes(item.notes):
            assert squash(note.plain) in shown
            if note.kind.value != "plain":
                assert f"{note.kind.value} {squash(note.plain)}" in shown  # the kind is shown


async def test_each_section_has_an_anchor_and_the_contents_link_to_them(
    client: Client, content: Content
) -> None:
    doc = parse((await client.get("/issues/1")).text)
    sections = find_all(doc, ".//h:section")
    issue = content.archive.get(1)
    assert issue is not None
    ids = [s.get("id") for s in sections]
    assert ids[: len(issue.sections)] == [f"section-{n}" for n in range(1, len(issue.sections) + 1)]
    toc = [a.get("href") for a in find_all(doc, ".//h:nav[@class='toc']//h:a")]
    assert toc == [f"#{i}" for i in ids]
    assert [
        text_of(s.find("h:h2", {"h": "http://www.w3.org/1999/xhtml"})).lstrip("# ")
        for s in sections[: len(issue.sections)]
    ] == [s.name for s in issue.sections]


async def test_each_trivia_links_its_term_page_which_answers_200(client: Client) -> None:
    doc = parse((await client.get("/issues/1")).text)
    trivia = find_all(doc, ".//h:li[@class='note note-trivia']")
    assert len(trivia) == 4
    expected = {"model scaling", "software testing and verification", "pre-training", "NP-hard"}
    seen = set()
    for note in trivia:
        link = note.find("h:a[@class='term-link']", {"h": "http://www.w3.org/1999/xhtml"})
        page = await client.get(link.get("href"))
        assert page.status == 200
        term = text_of(find_all(parse(page.text), ".//h:h1")[0])
        seen.add(term)
        assert squash(text_of(note)).startswith("토막상식")
    assert seen == expected


async def test_every_link_between_pages_answers_200(client: Client) -> None:
    seen: set[str] = set()
    for start in PAGES:
        doc = parse((await client.get(start)).text)
        for a in find_all(doc, ".//h:a") + find_all(doc, ".//h:link"):
            href = urljoin("http://x" + start, a.get("href"))
            if urlparse(href).netloc == "x" and href not in seen:
                seen.add(href)
                assert (await client.get(urlparse(href).path)).status == 200, href
    assert "http://x/static/style.css" in seen and "http://x/feed.xml" in seen


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_is_korean_has_open_graph_and_names_the_feed(
    client: Client, path: str
) -> None:
    doc = parse((await client.get(path)).text)
    assert doc.get("lang") == "ko"
    meta = {m.get("property"): m.get("content") for m in find_all(doc, ".//h:meta[@property]")}
    assert meta["og:title"] and meta["og:description"]
    feeds = find_all(doc, ".//h:link[@rel='alternate'][@type='application/atom+xml']")
    assert [f.get("href") for f in feeds] == ["/feed.xml"]


async def test_open_graph_of_the_issue_names_it_and_its_public_address(client: Client) -> None:
    doc = parse((await client.get("/issues/1")).text)
    meta = {m.get("property"): m.get("content") for m in find_all(doc, ".//h:meta[@property]")}
    assert meta["og:title"] == "제 0001호 뉴랄브리핑(2019년 5월 30일)"
    assert meta["og:url"] == "https://briefing.example.com/issues/1"
    assert "EfficientNet" in meta["og:description"]


async def test_the_archive_lists_issues_newest_first_with_a_search_box(client: Client) -> None:
    doc = parse((await client.get("/")).text)
    assert find_all(doc, ".//h:form[@role='search']")[0].get("action") == "/search"
    links = [a.get("href") for a in find_all(doc, ".//h:ol[@class='archive']//h:a")]
    assert links == ["/issues/1"]


async def test_search_shows_hits_with_the_same_ranking_as_the_command(
    client: Client, content: Content
) -> None:
    doc = parse((await client.get("/search", q="EfficientNet")).text)
    shown = [text_of(a) for a in find_all(doc, ".//h:ol[@class='hits']/h:li/h:a")]
    assert shown == [hit.title for hit in content.archive.search("EfficientNet", limit=20)]
    assert shown and all(
        a.get("href").startswith("/issues/1#section-")
        for a in find_all(doc, ".//h:ol[@class='hits']/h:li/h:a")
    )


@pytest.mark.parametrize(
    "query",
    [
        '<script>alert("x")</script>',
        "\"'><img src=x onerror=alert(1)>",
        "가" * 5_000 + "<b>" * 1_665,
        ("NP-hard" + " x" * 5_000)[:10_000],
    ],
)
async def test_search_with_markup_quotes_or_10000_characters_answers_200_escaped(
    client: Client, query: str
) -> None:
    page = await client.get("/search", q=query)
    assert page.status == 200
    doc = parse(page.text)
    assert find_all(doc, ".//h:script") == [] and find_all(doc, ".//h:img") == []
    assert find_all(doc, ".//h:input[@name='q']")[0].get("value") == query
    assert text_of(find_all(doc, ".//h:mark")[0]) == squash(query)


@pytest.mark.parametrize(
    "path",
    [
        "/issues/999",
        "/issues/0",
        "/issues/abc",
        "/terms/no-such-term",
        "/nowhere",
        "/static/../pyproject.toml",
        "/static/nope.css",
    ],
)
async def test_unknown_pages_get_a_real_404_page(client: Client, path: str) -> None:
    page = await client.get(path)
    assert page.status == 404 and page.content_type == "text/html"
    doc = parse(page.text)
    assert text_of(find_all(doc, ".//h:h1")[0]) == "찾는 페이지가 없습니다"
    assert doc.get("lang") == "ko"


async def test_healthz_answers(client: Client) -> None:
    page = await client.get("/healthz")
    assert page.status == 200 and '"ok": true' in page.text


async def test_a_reload_replaces_the_cached_pages(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    live = LiveContent(
        load_content(tmp_path / "content"), lambda: load_content(tmp_path / "content")
    )
    async with serve(live) as web:
        before = await web.get("/issues/1")
        assert "뉴랄브리핑(2019년 5월 30일)" in before.text
        issue = tmp_path / "content" / "issues" / "0001.md"
        issue.write_text(
            issue.read_text(encoding="utf-8").replace('title = "뉴랄브리핑"', 'title = "새 제목"'),
            encoding="utf-8",
        )
        assert (await web.get("/issues/1")).text == before.text  # cached until the reload
        live.reload()
        after = await web.get("/issues/1")
        assert "제 0001호 새 제목(2019년 5월 30일)" in text_of(parse(after.text))
