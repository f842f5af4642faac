"""The content folder watcher (watchfiles on this machine's inotify): a file written under
content/ goes live without /reload; a stop ends the watcher."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.adapters.infra.watch import watch_content
from bot.content.loader import load_content
from bot.core.live_content import LiveContent
from tests.content.issue_files import content_copy, second_issue


async def test_a_saved_issue_goes_live_and_a_stop_ends_the_watcher(tmp_path: Path) -> None:
    folder = content_copy(tmp_path)
    live = LiveContent(load_content(folder), lambda: load_content(folder))
    stop = asyncio.Event()

    async def refresh() -> bool:
        return live.refresh()

    watcher = asyncio.create_task(watch_content(folder, refresh, stop))
    try:
        await asyncio.sleep(0.5)
        (folder / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")
        async with asyncio.timeout(20):
            while live.current.archive.get(2) is None:  # noqa: ASYNC110 (the content has no event)
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        async with asyncio.timeout(10):
            await watcher
    assert watcher.done() and watcher.exception() is None
