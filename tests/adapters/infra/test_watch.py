"""The content folder watcher (watchfiles on this machine's inotify): a file written under
content/ goes live without /reload; a stop ends the watcher."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bot.adapters.infra.watch import watch_content
from bot.app.metrics import Revision
from bot.content.loader import load_content
from bot.core.live_content import LiveContent
from tests.content.issue_files import add_issues, content_copy, second_issue


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


async def test_a_new_commit_swapped_in_by_git_sync_goes_live(tmp_path: Path) -> None:
    """git-sync checks each commit out into a worktree of its own and then swaps a symbolic
    link to it (`root/current -> .worktrees/<commit>`) and removes the old worktree: the
    watcher notices the swap, and the new commit's issue goes live."""
    root = tmp_path / "git"
    first = content_copy(root / ".worktrees" / "aaa")
    (root / "current").symlink_to(Path(".worktrees") / "aaa")
    folder = root / "current" / first.name  # [bot] content_dir, through the link
    live = LiveContent(load_content(folder), lambda: load_content(folder))
    stop = asyncio.Event()

    async def refresh() -> bool:
        return live.refresh()

    watcher = asyncio.create_task(watch_content(folder, refresh, stop))
    try:
        await asyncio.sleep(0.5)
        second = content_copy(root / ".worktrees" / "bbb")
        (second / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")
        (root / "current.new").symlink_to(Path(".worktrees") / "bbb")
        (root / "current.new").replace(root / "current")  # atomic, as git-sync does it
        shutil.rmtree(root / ".worktrees" / "aaa")
        async with asyncio.timeout(20):
            while live.current.archive.get(2) is None:  # noqa: ASYNC110 (the content has no event)
                await asyncio.sleep(0.05)
        assert Revision(folder)() == "bbb"  # the content's revision in /metrics and /readyz
        third = content_copy(root / ".worktrees" / "ccc")  # and the commit after it
        add_issues(third, [2, 3])
        (root / "current.new").symlink_to(Path(".worktrees") / "ccc")
        (root / "current.new").replace(root / "current")
        shutil.rmtree(root / ".worktrees" / "bbb")
        async with asyncio.timeout(20):
            while live.current.archive.get(3) is None:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        async with asyncio.timeout(10):
            await watcher
