"""The content folder watched for edits (watchfiles, on inotify where the OS has it): every batch
of changes under `content/` reloads the live content with `/reload`'s rule — a broken archive
never goes live, the log says what changed, and a refusal reaches the admins once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import awatch

log = logging.getLogger(__name__)
DEBOUNCE_MS = 300  # an editor's save is often several writes; wait for the folder to settle


async def watch_content(
    folder: Path, refresh: Callable[[], Awaitable[object]], stop: asyncio.Event
) -> None:
    """`refresh()` after each batch of changes under `folder` until `stop` is set."""
    log.info("watching %s for content changes", folder)
    async for changed in awatch(folder, stop_event=stop, debounce=DEBOUNCE_MS):
        names = sorted({Path(path).name for _, path in changed})
        log.info(
            "content files changed: %s", ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        )
        await refresh()
