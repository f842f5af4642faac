"""The content folder watched for edits (watchfiles, on inotify where the OS has it): every batch
of changes under `content/` reloads the live content with `/reload`'s rule — a broken archive
never goes live, the log says what changed, and a refusal reaches the admins once.

A folder reached through a symbolic link (git-sync: `root/current -> .worktrees/<commit>`,
swapped for each new commit, the old worktree removed) is watched from the folder that holds
the link (`link`): watching the folder itself would follow the link once and then watch a
deleted worktree, never seeing the next commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

log = logging.getLogger(__name__)
DEBOUNCE_MS = 300  # an editor's save is often several writes; wait for the folder to settle


async def watch_content(
    folder: Path, refresh: Callable[[], Awaitable[object]], stop: asyncio.Event
) -> None:
    """`refresh()` after each batch of changes under `folder` until `stop` is set."""
    from watchfiles import awatch  # loaded only by `run`

    watched = watched_folder(folder)
    log.info("watching %s for content changes", watched)
    async for changed in awatch(watched, stop_event=stop, debounce=DEBOUNCE_MS):
        names = sorted({Path(path).name for _, path in changed})
        log.info(
            "content files changed: %s", ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        )
        await refresh()


def watched_folder(folder: Path) -> Path:
    """`folder`, or the folder holding the symbolic link on the way to it (`link`)."""
    found = link(folder)
    return found.parent if found is not None else folder


def link(folder: Path) -> Path | None:
    """The nearest symbolic link among `folder` and its two nearest parents (git-sync's link,
    or the folder of the repository it links to), if any; links further up (a system's /tmp)
    are not the content's."""
    for path in (folder, *folder.parents[:2]):
        if path.is_symlink():
            return path
    return None
