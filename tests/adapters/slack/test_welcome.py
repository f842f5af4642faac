"""The welcome on subscribing, on Slack against the fake API: `/subscribe` answers (to the
asker alone) with the confirmation, its time, zone and language, how to change them,
/unsubscribe, and the latest issue's title with a "read it now" button; pressing it posts the
issue as a thread in the presser's DM with the app; a second `/subscribe` welcomes no one."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tests.fakes.slack_api import block_actions
from tests.support.slack import Harness, buttons
from tests.support.wait import until

PARTS = 11


async def subscribe(slack: Harness) -> dict[str, Any]:
    url = await slack.command("/subscribe")
    await until(lambda: slack.fake.responses(url))
    [answer] = slack.fake.responses(url)
    return answer


async def test_a_new_subscription_is_welcomed_and_its_button_reads_now(slack: Harness) -> None:
    welcome = await subscribe(slack)
    said = str(welcome["text"])
    assert welcome["response_type"] == "ephemeral" and said.startswith("구독했습니다")
    assert "08:30 (Asia/Seoul)" in said and "/unsubscribe" in said and "최신 호: 제 0001호" in said
    [read] = buttons(welcome, "read")
    assert (read["text"]["text"], read["value"]) == ("지금 읽기", "read:1")

    dm = slack.fake.dm_channel("U1")
    assert dm is not None
    url = slack.fake.response_url()  # the issue goes to the DM, nothing to the response_url
    assert (await slack.post(urlencode({"payload": json.dumps(block_actions(read, url))})))[
        0
    ] == 200
    await until(lambda: len(slack.fake.messages(dm)) == PARTS, "the issue in the DM")
    parent, *replies = slack.fake.messages(dm)
    assert "제 0001호" in str(parent.text) and all(r.thread_ts == parent.ts for r in replies)
    assert not slack.app.store.ledger.parts(1, "slack:dm:U1")
    assert not slack.app.store.ledger.is_done(1, "slack:dm:U1")
    assert slack.fake.responses(url) == []


async def test_a_second_subscribe_welcomes_no_one(slack: Harness) -> None:
    first = await subscribe(slack)
    again = await subscribe(slack)
    assert buttons(first, "read") and "최신 호" in str(first["text"])
    assert str(again["text"]).startswith("이미 구독 중")
    assert not buttons(again, "read") and "최신 호" not in str(again["text"])
