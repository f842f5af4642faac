"""A draft, and an issue whose `publish_at` is still ahead, are not on the web: not on the
archive page, not at their address, not in search, not in the feed."""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import load_content
from bot.core.live_content import LiveContent
from tests.content.issue_files import content_copy, second_issue
from tests.web.conftest import serve


async def test_unreleased_issues_are_nowhere_on_the_web(tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    (folder / "issues" / "0002.md").write_text(second_issue("draft = true\n"), encoding="utf-8")
    ahead = second_issue("publish_at = 2999-01-01T08:30:00+09:00\n", number=3)
    (folder / "issues" / "0003.md").write_text(ahead, encoding="utf-8")
    content = load_content(folder)
    assert content.archive.numbers == (1, 2, 3)  # on disk, all three
    async with serve(LiveContent(content)) as web:
        index, feed = await web.get("/"), await web.get("/feed.xml")
        assert index.status == 200 and "/issues/1" in index.text
        for number in (2, 3):
            assert f"issues/{number}" not in index.text and f"issues/{number}" not in feed.text
            assert (await web.get(f"/issues/{number}")).status == 404
        found = await web.get("/search", q="제2호 첫 기사")
        assert found.status == 200 and "issues/2" not in found.text
        assert "issues/1" in feed.text
