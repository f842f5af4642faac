"""The report after a delivery run and `/briefing why`, on Telegram end to end: the real PTB
platform built by the composition root against FakeTelegramAPI (flood limits on). A reader who
got everything, a reader who blocked the bot, a group that removed the bot, a reader who
subscribed after the release; the report reaches the admins who did not turn it off, by DM, and
nobody else. Every assertion is on what the fake received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.backend import TinyBackend
from tests.support.telegram import ADMIN, Harness, command, open_harness, private

QUIET = 5550004  # an admin who turned the reports off
EDITOR = 5550005  # an editor ([bot] editors): gets the reports and may ask why
KICKED = -1005550001  # a group that opted in, then removed the bot
ALL, BLOCKED, LATE = 7_000_001, 7_000_002, 7_000_003  # readers


@pytest.fixture
async def tg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    roles = {"admins": [f"telegram:{ADMIN}", f"telegram:{QUIET}"],
             "editors": [f"telegram:{EDITOR}"]}  # fmt: skip
    async with open_harness(tmp_path, monkeypatch, bot=roles, within=40) as h:
        for chat in (QUIET, EDITOR, ALL, BLOCKED, LATE):
            h.fake.add_chat(chat, "private")
        h.fake.add_chat(KICKED, "supergroup", title="ML news", username="ml_news")
        yield h


async def subscribe(h: Harness, *users: int) -> None:
    """As /subscribe records it, at the store's time (now)."""
    for user in users:
        assert await h.app.store.subscriptions.subscribe("telegram", str(user), str(user))


async def ask(h: Harness, user: int, text: str, seq: int) -> str:
    """`text` from `user` in their DM; the bot's answer there."""
    before = len(h.fake.messages(user))
    h.fake.push_update(command(private(user), seq, text, user=user))
    return (await h.answers(user, before + 1))[-1].plain_text


async def delivered(h: Harness) -> None:
    """Issue 1 to ALL, BLOCKED (blocked the bot) and KICKED (removed the bot), one 429 waited
    out on ALL's DM; LATE subscribes after the release."""
    assert isinstance(h.app.store, TinyBackend)
    await h.app.store.destinations.opt_in("telegram", str(KICKED), str(ADMIN))
    await subscribe(h, ALL, BLOCKED)
    h.fake.block(BLOCKED)
    h.fake.fail_next(KICKED, "kicked", count=2)  # sendMessage, then the report's getChat
    h.fake.fail_next(ALL, "429", retry_after=2, method="sendMessage")
    report = await h.app.engine.deliver(1)
    assert (report.unsubscribed, report.rate_limited) == (1, 1)
    await subscribe(h, LATE)


async def test_the_report_reaches_the_admins_who_want_it_and_says_what_happened(
    tg: Harness,
) -> None:
    assert "더 보내지 않습니다" in await ask(tg, QUIET, "/briefing reports off", 1)

    await delivered(tg)

    report = await tg.answers(ADMIN, 1)
    assert len(report) == 1  # one report, once
    text = report[0].plain_text
    assert [m.plain_text for m in await tg.answers(EDITOR, 1)] == [text]  # editors get it too
    assert text.startswith("발송 보고 · 제 1호")
    assert "대상 3곳 · 메시지 3/" in text  # ALL's packed DM thread; nothing reached the others
    assert "429(속도 제한) 1번" in text
    assert f"독자 1명이 봇을 차단했거나 떠났습니다 (telegram:dm:{BLOCKED})" in text
    assert f"봇이 채널 1곳에서 나가게 되었습니다 (telegram:{KICKED})" in text
    assert [m.plain_text for m in tg.fake.messages(QUIET)][-1].startswith("발송 보고를 더")
    assert len(tg.fake.messages(QUIET)) == 1  # the answer to `reports off`, no report
    for reader in (ALL, BLOCKED, LATE):  # readers get their issue, never a report
        assert all("발송 보고" not in m.plain_text for m in tg.fake.messages(reader))


async def test_why_answers_for_each_kind_of_destination(tg: Harness) -> None:
    await delivered(tg)
    await tg.answers(ADMIN, 1)  # the report

    got = await ask(tg, EDITOR, f"/briefing why {ALL}", 10)
    assert "구독 중" in got and "제 1호: 모두 받음, 부분 3개 — " in got
    assert "다음 실행: " in got and "새 호가 나올 때까지 보낼 것 없음" in got

    blocked = await ask(tg, ADMIN, f"/briefing why {BLOCKED}", 11)
    assert "구독하지 않음" in blocked
    assert "제 1호: 부분 3개 중 0개 보냄; 멈춘 이유: 봇을 차단했거나 떠남: 구독 해지됨" in blocked
    assert await ask(tg, EDITOR, f"/why {BLOCKED}", 16) == blocked  # Telegram's own command
    helped = await ask(tg, EDITOR, "/help", 17)
    assert "편집자: /why <독자 또는 채널>" in helped and "/reports on|off" in helped
    assert "/why" not in await ask(tg, ALL, "/help", 18)

    kicked = await ask(tg, ADMIN, f"/briefing why {KICKED}", 12)
    assert "신청하지 않은 채널" in kicked
    assert "멈춘 이유: 봇이 채널에서 빠짐: 신청이 끝남" in kicked
    assert await ask(tg, ADMIN, "/briefing why @ml_news", 15) == kicked  # getChat resolves it

    late = await ask(tg, ADMIN, f"/briefing why telegram:dm:{LATE}", 13)
    assert "제 1호: 보내지 않음 — 발행(" in late and "뒤에 구독했습니다" in late

    own = await ask(tg, ALL, "/briefing status", 14)  # a reader's own, in their DM
    assert own.startswith("내 브리핑") and "제 1호: 모두 받음" in own


async def test_why_is_for_editors_and_bad_targets_get_the_usage(tg: Harness) -> None:
    await subscribe(tg, ALL)
    refused = await ask(tg, ALL, f"/briefing why {ALL}", 20)
    assert refused == "편집자와 관리자만 쓸 수 있는 명령입니다. ([bot] editors, admins)"
    assert (await ask(tg, ALL, "/briefing reports off", 23)).startswith("편집자와 관리자만")
    usage = await ask(tg, ADMIN, "/briefing why <b>x</b>", 21)
    assert usage.startswith("쓰는 법: /briefing why")
    unknown = await ask(tg, ADMIN, "/briefing why @nobody_here", 22)
    assert "@nobody_here을(를) 찾지 못했습니다" in unknown
