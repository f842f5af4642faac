"""Every command of DESIGN.md, answered by the core on the real seed content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.core.conversation.commands import COMMANDS
from bot.core.conversation.inbound import Reply
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.ports import Command
from bot.core.testing import RecordingPlatform, gone
from tests.conftest import CONTENT


async def ask(
    service: CommandService, line: str, *, user: str = "u1", platform: str = "fake"
) -> Reply:
    name, _, argument = line.lstrip("/").partition(" ")
    return await service.handle(Command(platform, "c1", user, name, argument, is_dm=True))


@pytest.mark.parametrize(
    "query", ["NP-hard", "np hard", "NP-Hard", "nphard", "ＮＰ－ｈａｒｄ", "NP-난해"]
)
async def test_term_forgives_case_spacing_hyphens_and_width(
    service: CommandService, query: str
) -> None:
    reply = await ask(service, f"/term {query}")
    assert reply.message.title == "NP-hard"
    assert "at least as difficult as NP-complete" in reply.message.plain
    assert "제 0001호" in reply.message.plain and "arXiv" in reply.message.plain


@pytest.mark.parametrize(
    ("query", "term"),
    [("프리트레이닝", "pre-training"), ("사전학습", "pre-training"), ("에피션트넷", "EfficientNet"),
     ("TAV", "software testing and verification"), ("컴파운드 스케일링", "compound scaling"),
     ("오토엠엘", "AutoML"), ("qmnist", "QMNIST")],
)  # fmt: skip
async def test_korean_and_english_aliases_resolve(
    service: CommandService, query: str, term: str
) -> None:
    reply = await ask(service, f"/term {query}")
    assert reply.message.title == term


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("NP-hadr", "NP-hard"), ("프리트레이딩", "pre-training"), ("EficientNet", "EfficientNet"),
     ("컴파운드 스켈링", "compound scaling")],
)  # fmt: skip
async def test_a_typo_gets_suggestions_not_an_autocorrect(
    service: CommandService, typo: str, expected: str
) -> None:
    reply = await ask(service, f"/term {typo}")
    text = reply.message.plain
    assert reply.message.title is None
    assert "용어집에 없습니다" in text and "혹시 이 용어인가요?" in text
    suggestions = [line.plain for line in reply.message.blocks[0].lines[2:]]
    assert expected in suggestions and len(suggestions) <= 3


async def test_nonsense_gets_no_suggestion(service: CommandService) -> None:
    reply = await ask(service, "/term zzzzqqqq")
    assert "비슷한 용어도 없습니다" in reply.message.plain


async def test_issue_answers_with_a_thread_and_a_compact_form(service: CommandService) -> None:
    reply = await ask(service, "/issue 1")
    assert reply.thread is not None and len(reply.thread.replies) == 10
    assert reply.thread.parent.title == "제 0001호 뉴랄브리핑(2019년 5월 30일)"
    assert "MNIST reborn" in reply.message.plain and not reply.public
    assert (await ask(service, "/issue 1 public")).public


@pytest.mark.parametrize(
    ("line", "answer"),
    [("/issue 7", "제 7호는 없습니다. 있는 호: 1"), ("/issue", "몇 호를 볼까요?"),
     ("/issue abc", "'abc'은(는) 호수가 아닙니다"), ("/issue -1", "'-1'은(는) 호수가 아닙니다"),
     ("/issue 1 2 3", "'1 2 3'은(는) 호수가 아닙니다"), ("/term", "찾을 용어를 적어 주세요"),
     ("/search", "찾을 말을 적어 주세요"), ("/frobnicate", "'frobnicate'은(는) 모르는 명령입니다")],
)  # fmt: skip
async def test_bad_input_gets_a_short_clear_answer(
    service: CommandService, line: str, answer: str
) -> None:
    reply = await ask(service, line)
    assert answer in reply.message.plain and reply.thread is None


async def test_a_huge_argument_is_refused_briefly(service: CommandService) -> None:
    reply = await ask(service, "/term " + "가" * 10_000)
    assert "입력이 너무 깁니다 (10000자)" in reply.message.plain
    assert len(reply.message.plain) < 100


async def test_markup_in_arguments_is_kept_as_text_for_the_renderer(
    service: CommandService,
) -> None:
    reply = await ask(service, "/term <b>x</b> <!channel>")
    assert "'<b>x</b> <!channel>'" in reply.message.plain  # escaping is the renderer's job


async def test_control_characters_are_dropped(service: CommandService) -> None:
    reply = await ask(service, "/term NP\x00-\u202ehard")
    assert reply.message.title == "NP-hard"


async def test_latest_search_and_help(service: CommandService) -> None:
    latest = await ask(service, "/latest")
    assert latest.thread is not None and latest.thread.parent.title is not None
    found = await ask(service, "/search EfficientNet")
    assert found.message.title == "'EfficientNet' 검색 결과"
    assert "제 0001호 · 구글블로그" in found.message.plain
    help_text = (await ask(service, "/help")).message.plain
    assert "/term" in help_text and "/subscribe" in help_text and "/post" not in help_text
    assert "/post" in (await ask(service, "/help", user="admin")).message.plain
    slack_help = (await ask(service, "/help", user="U1", platform="slack")).message.plain
    assert "/briefing — 이 도움말" in slack_help and "/help" not in slack_help
    nothing = await ask(service, "/search qqqzzz")
    assert "맞는 글이 없습니다" in nothing.message.plain


async def test_subscribe_twice_is_one_subscription(service: CommandService) -> None:
    assert "구독했습니다" in (await ask(service, "/subscribe")).message.plain
    assert "이미 구독 중" in (await ask(service, "/subscribe")).message.plain
    assert await service.subscriptions.count() == 1
    assert "구독을 취소" in (await ask(service, "/unsubscribe")).message.plain
    assert "구독 중이 아닙니다" in (await ask(service, "/unsubscribe")).message.plain


async def test_admin_commands_are_for_admins(service: CommandService) -> None:
    assert "관리자만" in (await ask(service, "/stats")).message.plain
    assert "구독자 0명" in (await ask(service, "/stats", user="admin")).message.plain


async def test_english_replies(service: CommandService) -> None:
    service.language = "en"
    assert "is not in the glossary" in (await ask(service, "/term NP-hadr")).message.plain
    assert "There is no issue 9" in (await ask(service, "/issue 9")).message.plain
    reply = await ask(service, "/term NP-hard")
    assert reply.message.plain.index("NP-complete problem") < reply.message.plain.index(
        "NP-Hard 문제란"
    )


async def test_reload_with_broken_content_keeps_serving_and_tells_the_admin(
    tmp_path: Path, service: CommandService
) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    live = LiveContent(service.content, lambda: load_content(tmp_path / "content"))
    service = CommandService(live, service.subscriptions, service.platforms, admins=service.admins)
    broken = tmp_path / "content" / "issues" / "0002.md"
    broken.write_text(
        '+++\nnumber = 2\ndate = 2019-05-31\ntitle = "x"\n+++\n\n## arXiv\n\n- item\n  - [요엑] tag\n',
        encoding="utf-8",
    )
    reply = await ask(service, "/reload", user="admin")
    assert "이전 콘텐츠를 계속 씁니다" in reply.message.plain
    assert f"{broken}:10: unknown note tag [요엑]" in reply.message.plain
    assert (await ask(service, "/latest")).thread is not None
    assert "제 2호는 없습니다" in (await ask(service, "/issue 2")).message.plain
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("[요엑]", "[요약]"), encoding="utf-8"
    )
    assert "호 2개" in (await ask(service, "/reload", user="admin")).message.plain
    assert (await ask(service, "/issue 2")).thread is not None
    assert "관리자만" in (await ask(service, "/reload")).message.plain


# decisions that need a platform: made here, not in the adapters -----------------------------


async def test_subscribe_without_a_known_dm_opens_one_on_the_platform(
    service: CommandService, fake_platform: RecordingPlatform
) -> None:
    command = Command("fake", "C9", "u7", "subscribe", is_dm=False)
    assert "구독했습니다" in (await service.handle(command)).message.plain
    [subscriber] = await service.subscriptions.subscribers()
    assert subscriber.chat == fake_platform.dms["u7"] == "dm-u7"


async def test_subscribe_when_no_dm_can_be_opened_says_so_and_subscribes_nobody(
    service: CommandService,
) -> None:
    command = Command("elsewhere", "C9", "u7", "subscribe", is_dm=False)  # no such platform
    assert "DM을 열 수 없어" in (await service.handle(command)).message.plain
    assert await service.subscriptions.count() == 0


async def test_a_group_subscribe_confirms_in_the_dm_first(
    service: CommandService, fake_platform: RecordingPlatform
) -> None:
    service.platforms.add(fake_platform, lambda payload: f"https://t.me/b?start={payload}")
    command = Command("fake", "-100", "42", "subscribe", dm_chat="42")
    reply = await service.handle(command)
    assert "구독했습니다" in reply.message.plain
    [confirmed] = [s.message.plain for s in fake_platform.to("42")]
    assert reply.message.plain.startswith(confirmed)  # the answer adds the welcome
    assert await service.subscriptions.is_subscribed("fake", "42")


async def test_a_group_subscribe_the_bot_cannot_dm_answers_with_the_start_link(
    service: CommandService, fake_platform: RecordingPlatform
) -> None:
    fake_platform.fail["42"] = [gone("42")]
    link = "https://t.me/newsbot?start=subscribe"
    service.platforms.add(fake_platform, lambda payload: f"https://t.me/newsbot?start={payload}")
    command = Command("fake", "-100", "42", "subscribe", dm_chat="42")
    reply = await service.handle(command)
    assert "1:1 대화를 열어" in reply.message.plain and link in reply.message.plain
    assert not await service.subscriptions.is_subscribed("fake", "42")


async def test_a_recipient_who_is_gone_is_unsubscribed(service: CommandService) -> None:
    await service.subscriptions.subscribe("fake", "42", "42")
    assert await service.recipient_gone("fake", "42", "blocked the bot")
    assert not await service.recipient_gone("fake", "42", "blocked the bot")
    assert await service.subscriptions.count() == 0


async def test_help_lists_the_command_table(service: CommandService) -> None:
    shown = (await ask(service, "/help", user="admin")).message.plain
    for spec in COMMANDS:
        if spec.help is not None:
            assert f"/{spec.name}" in shown
