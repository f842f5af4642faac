"""`briefing-bot site`: the exported files are the served pages, and their links resolve."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlparse

import feedparser
import pytest

from bot.content.loader import Content
from bot.web.export import write_site
from tests.web.conftest import Client, find_all, parse, squash

LINKED = (".//h:a", ".//h:link")


def _route(file: str) -> str:
    """The served route of an exported file: `issues/1.html` → `/issues/1`."""
    route = "/" + file.removesuffix(".html")
    return {"/index": "/", "/terms/index": "/terms", "/404": "/404"}.get(route, route)


def _normalised(html: str, file: str | None) -> str:
    """The page with every link replaced by the route it leads to, and without what only one
    side can have: the search box (a static host runs no search) and the public address
    (og:url, canonical: the served fixture knows it, this export was made without it)."""
    doc = parse(html)
    for element in [e for path in LINKED for e in find_all(doc, path)]:
        href = element.get("href")
        if href and file is not None and not urlparse(href).scheme and not href.startswith("#"):
            target = urlparse(urljoin("http://x/" + file, href))
            path = target.path.lstrip("/")
            route = _route(path) if path.endswith(".html") else "/" + path
            element.set("href", route + (f"#{target.fragment}" if target.fragment else ""))
    for parent in list(doc.iter()):
        for child in list(parent):
            public = child.get("property") == "og:url" or child.get("rel") == "canonical"
            if child.tag.endswith("}form") or public:
                parent.remove(child)
    return squash(ET.tostring(doc, encoding="unicode"))


@pytest.fixture
def exported(tmp_path: Path, content: Content) -> Path:
    out = tmp_path / "site"
    assert write_site(content, out) > len(content.glossary) + 1
    return out


def _pages(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))


async def test_every_exported_page_equals_the_served_one(exported: Path, client: Client) -> None:
    files = [f for f in _pages(exported) if f != "404.html"]
    assert {"index.html", "issues/1.html", "terms/index.html", "terms/np-hard.html"} <= set(files)
    for file in files:
        served = await client.get(_route(file))
        assert served.status == 200, file
        mine = _normalised((exported / file).read_text(encoding="utf-8"), file)
        assert mine == _normalised(served.text, None), file


def test_every_relative_link_of_the_export_resolves_to_a_file(exported: Path) -> None:
    checked = 0
    for file in _pages(exported):
        doc = parse((exported / file).read_text(encoding="utf-8"))
        for element in [e for path in LINKED for e in find_all(doc, path)]:
            href = element.get("href")
            if not href or urlparse(href).scheme or href.startswith("#"):
                continue
            assert not href.startswith("/"), f"{file}: {href} is not relative"
            target = (exported / file).parent / urlparse(href).path
            assert target.resolve().is_file(), f"{file}: {href}"
            checked += 1
    assert checked > 100


def test_the_exported_feed_parses(exported: Path) -> None:
    feed = feedparser.parse((exported / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries[0].link == "issues/1.html"
    assert (exported / "static" / "style.css").is_file() and (exported / "404.html").is_file()
