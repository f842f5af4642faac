"""What the Slack adapter tests share: an app built by the composition root against the fake,
and waiting on the fake's records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.app import Bot, Settings, build
from tests.conftest import CONTENT
from tests.fakes.slack_api import FakeSlackAPI

SECRET = "test-signing-secret"


async def until(predicate: Callable[[], object], timeout: float = 15) -> None:  # noqa: ASYNC109
    """Wait for a condition on the fake's records (polling; never a fixed sleep)."""
    async with asyncio.timeout(timeout):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.01)


def make_app(
    tmp_path: Path,
    fake: FakeSlackAPI,
    mode: str,
    admins: tuple[str, ...] = (),
    channels: Sequence[str] = ("C1",),
    content: Path = CONTENT,
    base_url: str = "",
) -> Bot:
    """The app as `bot.app.build` makes it: Slack only, on the fake, data in `tmp_path`."""
    settings = Settings(
        bot={
            "data_path": str(tmp_path / "d.json"),
            "content_dir": str(content),
            "admins": list(admins),
        },
        slack={"enabled": True, "api_url": fake.base_url, "mode": mode, "channels": list(channels)},
        console={"enabled": False},
        web={"base_url": base_url},
    )
    return build(settings)
