"""◀ ▶ between issues on Slack: signed block actions into the real bolt app, answered in place
through the action's response_url, in a two-issue archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.slack import Harness, buttons, issue, press
from tests.support.wait import until

JsonDict = dict[str, Any]


async def test_from_issue_1_to_issue_2_and_back_in_place(two: Harness) -> None:
    first = await issue(two, "1")
    assert first["text"].startswith("제 0001호") and first["response_type"] == "ephemeral"
    [forward] = buttons(first)  # at the start: only ▶
    assert (forward["action_id"], forward["value"]) == ("press_0", "nav:2")

    second = await press(two, forward)
    assert second["replace_original"] is True and second["text"].startswith("제 0002호")
    [back] = buttons(second)  # at the end: only ◀
    assert (back["action_id"], back["value"]) == ("press_0", "nav:1")
    assert "◀" in back["text"]["text"]

    again = await press(two, back)
    assert again["replace_original"] is True and again["text"] == first["text"]
    assert [b["value"] for b in buttons(again)] == ["nav:2"]
    assert two.fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("value", ["garbage", "nav:0", "nav:" + "9" * 70, "home:1", ""])
async def test_a_forged_press_gets_a_short_ephemeral_word(two: Harness, value: str) -> None:
    forged = {"action_id": "press_0", "value": value, "text": {"type": "plain_text", "text": "x"}}
    answer = await press(two, forged)
    assert answer["replace_original"] is False and answer["response_type"] == "ephemeral"
    assert answer["text"] == "이 버튼은 알 수 없는 버튼입니다."
    assert buttons(answer) == []


async def test_a_stale_press_gets_a_short_ephemeral_word(two: Harness) -> None:
    [forward] = buttons(await issue(two, "1"))
    (Path(two.app.settings.bot.content_dir) / "issues" / "0002.md").unlink()
    two.app.service.reload()

    answer = await press(two, forward)
    assert answer["replace_original"] is False
    assert answer["text"].startswith("그 호는 더 이상 볼 수 없습니다")


async def test_a_public_thread_carries_the_buttons_on_its_parent_only(two: Harness) -> None:
    await two.command("/issue", "2 public")
    await until(lambda: len(two.fake.messages("C1")) > 1)
    parent, *replies = two.fake.messages("C1")
    assert [b["value"] for b in buttons({"blocks": parent.blocks})] == ["nav:1"]
    assert all(buttons({"blocks": r.blocks or []}) == [] for r in replies)
