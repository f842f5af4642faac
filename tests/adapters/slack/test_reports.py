"""The report after a delivery run and `/briefing why`, on Slack end to end: the real
bolt/slack_sdk platform built by the composition root, in HTTP mode, against the fake Slack
API. A reader who got everything, a deactivated reader, a channel that opted in and then lost
the app, a reader who subscribed after the release; the report reaches, by DM, the admins who
did not turn it off. Every assertion is on what the fake received."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.ports import Command
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import Harness, make_app, open_slack
from tests.support.slack import dm as dm_event
from tests.support.wait import until

ADMIN, QUIET = "UA", "UQ"  # admins; QUIET turned the reports off
ALL, GONE, LATE = "U1", "U3", "U4"  # readers


@pytest.fixture(autouse=True)
def fast_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_PACE_SCALE", "100")


@pytest.fixture
async def h(tmp_path: Path, fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    fake.add_channel("C3", members_include_bot=False, name="ml-news")  # the app was removed
    for user in (ADMIN, QUIET, GONE, LATE):
        fake.add_user(user)
    app = make_app(tmp_path, fake, "http", admins=(f"slack:{ADMIN}", f"slack:{QUIET}"))
    async with open_slack(app, fake) as harness:
        yield harness
    await app.store.close()


async def subscribe(h: Harness, *users: str) -> None:
    for user in users:
        reply = await h.app.service.handle(Command("slack", "C1", user, "subscribe"))
        assert "구독했습니다" in reply.message.plain


async def answer(h: Harness, text: str, user: str, channel: str = "C1") -> str:
    """`/briefing <text>` from `user` in `channel`; the answer at its response_url, as JSON."""
    url = await h.command("/briefing", text, user_id=user, channel_id=channel)
    await until(lambda: h.fake.responses(url))
    return json.dumps(h.fake.responses(url), ensure_ascii=False)


async def delivered(h: Harness) -> None:
    await h.app.store.destinations.opt_in("slack", "C3", ADMIN)
    await subscribe(h, ALL, GONE)
    h.fake.fail_next(f"D{GONE}", "user_disabled", method="chat.postMessage")
    report = await h.app.engine.deliver(1)
    assert (report.unsubscribed, report.sent) == (1, 2 * 11)  # C1 and ALL's DM
    await subscribe(h, LATE)


def texts(h: Harness, user: str) -> list[str]:
    dm = h.fake.dm_channel(user)
    return [m.text or "" for m in h.fake.messages(dm)] if dm else []


async def test_the_report_reaches_the_admins_who_want_it(h: Harness) -> None:
    assert "더 보내지 않습니다" in await answer(h, "reports off", QUIET)

    await delivered(h)

    await until(lambda: texts(h, ADMIN))
    [report] = texts(h, ADMIN)
    assert "발송 보고 · 제 1호" in report
    assert "대상 4곳 · 메시지 22/" in report
    assert f"독자 1명이 봇을 차단했거나 떠났습니다 (slack:dm:{GONE})" in report
    assert "봇이 채널 1곳에서 나가게 되었습니다 (#ml-news (slack:C3))" in report
    assert texts(h, QUIET) == []
    assert all("발송 보고" not in text for text in texts(h, ALL))
    assert await h.app.store.destinations.opted_in() == []  # C3's opt-in ended


async def test_why_for_each_kind_of_destination(h: Harness) -> None:
    await delivered(h)

    got = await answer(h, f"why <@{ALL}|ada>", ADMIN)
    assert "구독 중" in got and "제 1호: 모두 받음, 부분 11개 — " in got
    gone = await answer(h, f"why <@{GONE}>", ADMIN)
    assert "구독하지 않음" in gone and "멈춘 이유: 봇을 차단했거나 떠남: 구독 해지됨" in gone
    left = await answer(h, "why <#C3|ml-news>", ADMIN)
    assert "신청하지 않은 채널" in left and "봇이 채널에서 빠짐: 신청이 끝남" in left
    late = await answer(h, f"why {LATE}", ADMIN)
    assert "뒤에 구독했습니다" in late
    pinned = await answer(h, "why <#C1>", ADMIN)
    assert "운영자가 설정에 고정한 채널" in pinned and "제 1호: 모두 받음" in pinned
    dm = h.fake.dm_channel(ADMIN)  # opened for the report
    assert dm is not None
    status, _ = await h.event(dm_event(f"why <@{GONE}>", user=ADMIN, channel=dm), "Ev1")
    assert status == 200
    await until(lambda: len(h.fake.messages(dm)) == 2)  # a DM to the app: the mention is kept
    assert "멈춘 이유: 봇을 차단했거나 떠남: 구독 해지됨" in (h.fake.messages(dm)[1].text or "")
    own = await answer(h, "status", ALL, channel=f"D{ALL}")  # a reader's own, in their DM
    assert "내 브리핑" in own and "제 1호: 모두 받음, 부분 11개" in own
    refused = await answer(h, f"why <@{ALL}>", ALL)
    assert "편집자와 관리자만" in refused and "모두 받음" not in refused
