"""The App Home tab: the latest issue with a send-to-my-DM button and the last ten issues, within
Block Kit's limits at 1,100 issues; pressing an issue's button sends it to the presser's DM."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bench.generate import _vocabulary, issue_text
from bot.adapters.slack import home
from bot.content.archive import Archive, Entry, pack
from bot.content.loader import Content
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.service import CommandService
from bot.core.testing import RecordingPlatform
from bot.store.subscriptions import Subscriptions
from bot.store.tinydb import Store
from tests.adapters.slack.support import until
from tests.adapters.slack.test_navigation import two
from tests.adapters.slack.test_platform import Harness
from tests.fakes.slack_api import block_actions
from tests.fakes.slack_blocks import home_view

JsonDict = dict[str, Any]
__all__ = ["two"]  # the fixture, shared with test_navigation


def big_archive(content: Content, issues: int) -> Content:
    """`issues` generated issues, kept as the archive keeps them (each parsed only if asked)."""
    rng, words = random.Random(7), _vocabulary()
    entries = [
        Entry(n, dt.date(2019, 5, 30) + dt.timedelta(days=n - 1), "뉴랄브리핑",
              f"issues/{n:04d}.md", pack(issue_text(n, rng, words)), 9, 18, ())
        for n in range(1, issues + 1)
    ]  # fmt: skip
    return dataclasses.replace(content, archive=Archive(entries))


def buttons(view: JsonDict, block_id: str) -> list[JsonDict]:
    return [e for b in view["blocks"] if b.get("block_id") == block_id for e in b["elements"]]


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_the_home_view_stays_within_block_kit_at_1100_issues(
    content: Content, tmp_path: Path, lang: str
) -> None:
    service = CommandService(
        LiveContent(big_archive(content, 1100)),
        Subscriptions(Store.open(tmp_path / "d.json")),
        PlatformRegistry(RecordingPlatform()),
        language="en" if lang == "en" else "ko",
    )
    view = home.home_view(await service.home("slack", "U1"))
    assert home_view(view) is view  # the fake's Block Kit check: ≤100 blocks, every length
    assert view["blocks"][0]["text"]["text"].startswith("제 1100호")  # the author's heading
    [latest] = buttons(view, "latest")
    assert (latest["action_id"], latest["value"]) == ("home_send", "1100")
    recent = buttons(view, "recent")
    assert [b["value"] for b in recent] == [str(n) for n in range(1100, 1090, -1)]
    assert len({b["action_id"] for b in [latest, *recent]}) == 11  # unique in the view
    assert buttons(view, "subscription")[0]["action_id"] == "home_subscribe"


def dm_messages(h: Harness) -> list[Any]:
    dm = h.fake.dm_channel("U1")
    return h.fake.messages(dm) if dm else []


def pressed(button: JsonDict) -> str:
    """The signed form body of a press on a Home tab button."""
    return urlencode({"payload": json.dumps(block_actions({**button, "block_id": "recent"}))})


async def test_an_issue_button_sends_that_issue_to_the_pressers_dm(two: Harness) -> None:
    await two.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, "Ev1")
    await until(lambda: two.fake.views("U1"))
    view = two.fake.views("U1")[0]
    assert [b["value"] for b in buttons(view, "recent")] == ["2", "1"]

    status, _ = await two.post(pressed(buttons(view, "recent")[1]))
    assert status == 200
    await until(lambda: len(dm_messages(two)) > 1)
    parent, *replies = dm_messages(two)
    assert parent.text is not None and parent.text.startswith("제 0001호")
    assert replies and all(r.thread_ts == parent.ts for r in replies)


async def test_a_forged_issue_button_gets_a_short_answer_in_the_dm(two: Harness) -> None:
    forged = {"type": "button", "action_id": "home_send_3", "value": "<!channel> 99"}
    status, _ = await two.post(pressed(forged))
    assert status == 200
    await until(lambda: dm_messages(two))
    [answer] = dm_messages(two)
    assert answer.text is not None and "&lt;!channel&gt;" in answer.text
    assert "<!channel>" not in json.dumps(answer.blocks)
