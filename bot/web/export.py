"""`briefing-bot site OUT_DIR`: the archive as static files with relative links.

The same templates as the server render every page for its place in the folder
(`issues/1.html` links `../terms/np-hard.html`), plus `feed.xml`, `404.html` and `static/`.
The export has no search page (a static host runs no search), so its pages carry no search box.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.content.loader import Content
from bot.core.weblinks import issue_path, term_path
from bot.web.feed import atom_feed
from bot.web.pages import Pages
from bot.web.site import ASSETS
from bot.web.urls import Urls, export_path


def _write(out: Path, page: str, text: str) -> None:
    path = out / export_path(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site(content: Content, out: Path, base_url: str = "") -> int:
    """Write the archive under `out`; return the number of files written."""
    pages = Pages(content, base_url)
    top, nested = Urls.exported(0), Urls.exported(1)
    out.mkdir(parents=True, exist_ok=True)
    _write(out, "", pages.index(top))
    _write(out, "terms", pages.terms(nested))
    (out / "404.html").write_text(pages.not_found(top), encoding="utf-8")
    written = 3
    for number in content.archive.numbers:
        text = pages.issue(number, nested)
        assert text is not None
        _write(out, issue_path(number), text)
        written += 1
    for entry in content.glossary.entries:
        slug = content.glossary.slugs.of(entry)
        text = pages.term(slug, nested)
        assert text is not None
        _write(out, term_path(slug), text)
        written += 1
    links = Urls.exported(0, base_url)
    (out / "feed.xml").write_bytes(atom_feed(pages, links, links))
    shutil.copytree(ASSETS, out / "static", dirs_exist_ok=True)
    return written + 1 + sum(1 for _ in ASSETS.iterdir())
