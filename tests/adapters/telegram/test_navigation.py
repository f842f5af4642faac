"""◀ ▶ between issues on Telegram: the real PTB against the fake, in a two-issue archive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.content.issue_files import content_copy, second_issue
from tests.fakes.telegram_api import SentMessage
from tests.support.telegram import PRIVATE_CHAT, USER, Harness, command, open_harness


@pytest.fixture
async def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    folder = content_copy(tmp_path)
    (folder / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")
    async with open_harness(tmp_path, monkeypatch, content=folder) as h:
        yield h


async def press(
    h: Harness, message: SentMessage, data: str, language: str = ""
) -> dict[str, object]:
    """Press a button (or send forged data); the query's answer, once the bot has given it."""
    query = h.fake.press(message, data, language=language)
    await h.fake.wait_for_calls("answerCallbackQuery", len(h.fake.callback_answers) + 1, 10)
    return h.fake.callback_answers[query]


def data(message: SentMessage) -> list[str]:
    return [str(button["callback_data"]) for button in message.buttons()]


async def test_from_issue_1_to_issue_2_and_back_in_place(two: Harness) -> None:
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
    parent, first_reply = (await two.answers(USER, 2))[:2]
    assert "0001" in parent.plain_text.split("\n")[0]
    assert data(parent) == ["nav:2"]  # at the start: only ▶
    assert first_reply.reply_markup is None  # only the parent carries the buttons

    answer = await press(two, parent, "nav:2")
    assert answer.get("text") is None
    shown = two.fake.message(USER, parent.message_id)
    assert shown.edits == 1 and "0002" in shown.plain_text.split("\n")[0]
    assert data(shown) == ["nav:1"]  # at the end: only ◀
    assert "◀" in shown.buttons()[0]["text"]

    await press(two, shown, "nav:1")
    back = two.fake.message(USER, parent.message_id)
    assert back.edits == 2 and back.plain_text.split("\n")[0] == parent.plain_text.split("\n")[0]
    assert data(back) == ["nav:2"]
    assert len(two.fake.calls_to("sendMessage")) == len(two.fake.messages(USER))  # nothing new
    exported = await two.app.ops.metrics.exposition()  # what /metrics shows: both edits counted
    found = {(s.name, tuple(sorted(s.labels.items()))): s.value
             for family in text_string_to_metric_families(exported.decode()) for s in family.samples}  # fmt: skip
    assert found[("briefing_messages_edited_total", (("platform", "telegram"),))] == 2
    sent = found[("briefing_messages_sent_total", (("kind", "answer"), ("platform", "telegram")))]
    assert sent == len(two.fake.messages(USER))
    pressed = (("command", "button:nav"), ("outcome", "answered"))
    assert found[("briefing_commands_total", pressed)] == 2


async def test_latest_carries_only_the_button_back(two: Harness) -> None:
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/latest"))
    parent = (await two.answers(USER))[0]
    assert "0002" in parent.plain_text.split("\n")[0] and data(parent) == ["nav:1"]


@pytest.mark.parametrize(
    "forged", ["garbage", "nav:", "nav:0", "nav:-1", "nav:1x", "home:1", "nav:1" + " " * 70]
)
async def test_a_forged_press_gets_a_short_answer_and_changes_nothing(
    two: Harness, forged: str
) -> None:
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
    parent = (await two.answers(USER))[0]
    answer = await press(two, parent, forged)
    assert answer["text"] == "이 버튼은 알 수 없는 버튼입니다."
    assert two.fake.message(USER, parent.message_id).edits == 0
    assert two.fake.calls_to("editMessageText") == []


async def test_a_stale_press_for_an_issue_gone_gets_a_short_answer(two: Harness) -> None:
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
    parent = (await two.answers(USER))[0]
    folder = Path(two.app.settings.bot.content_dir)
    (folder / "issues" / "0002.md").unlink()
    assert two.app.service.reload().message.plain.startswith("콘텐츠를 다시 읽었습니다")

    answer = await press(two, parent, "nav:2")
    assert str(answer["text"]).startswith("그 호는 더 이상 볼 수 없습니다")
    assert two.fake.message(USER, parent.message_id).edits == 0
    assert (await press(two, parent, "nav:999999"))["text"] == answer["text"]


async def test_a_single_issue_archive_and_deliveries_carry_no_buttons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_harness(tmp_path, monkeypatch) as h:
        h.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
        assert (await h.answers(USER))[0].reply_markup is None


async def test_a_daily_delivery_carries_no_navigation_only_the_votes(two: Harness) -> None:
    two.fake.add_chat(USER, "private")
    await two.app.store.subscriptions.subscribe("telegram", str(USER), str(USER))
    report = await two.app.engine.deliver(1)
    assert report.failed == 0 and report.sent > 1
    parent, *replies = two.fake.messages(USER)
    assert [b["callback_data"] for b in parent.buttons()] == ["vote:1:up", "vote:1:down"]
    assert all(sent.reply_markup is None for sent in replies)


async def test_an_english_reader_gets_english_buttons_and_notices(two: Harness) -> None:
    """The language of a press is the presser's, resolved as for their commands: their
    `/lang` choice, else their app's `language_code`, else `bot.language`."""
    two.fake.push_update(command(PRIVATE_CHAT, 10, "/lang en"))
    await two.answers(USER)
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
    parent = (await two.answers(USER, 3))[1]
    assert parent.buttons()[0]["text"] == "Issue 2 ▶"

    await press(two, parent, "nav:2")  # their app says nothing: their /lang en counts
    assert two.fake.message(USER, parent.message_id).buttons()[0]["text"] == "◀ Issue 1"
    assert (await press(two, parent, "forged"))["text"] == "This button is not one of mine."


async def test_a_press_is_answered_in_the_pressers_app_language(two: Harness) -> None:
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
    parent = (await two.answers(USER))[0]
    assert parent.buttons()[0]["text"] == "제 0002호 ▶"
    await press(two, parent, "nav:2", "en")
    assert two.fake.message(USER, parent.message_id).buttons()[0]["text"] == "◀ Issue 1"
    answer = await press(two, parent, "nav:999999", "en")
    assert str(answer["text"]).startswith("That issue is no longer available")


async def test_a_second_press_on_the_same_page_is_not_an_error(
    two: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A double tap on ▶ (the client still shows the first page): Telegram answers "message is
    not modified" to the second edit, which is success, not a rejected message."""
    two.fake.push_update(command(PRIVATE_CHAT, 11, "/issue 1"))
    parent = (await two.answers(USER))[0]
    await press(two, parent, "nav:2")
    answer = await press(two, parent, "nav:2")  # the same data again: issue 2 is already shown
    assert answer.get("text") is None  # no error shown to the reader
    shown = two.fake.message(USER, parent.message_id)
    assert shown.edits == 1 and "0002" in shown.plain_text.split("\n")[0]
    assert len(two.fake.calls_to("editMessageText")) == 2  # the second edit was tried
    assert not [r for r in caplog.records if "rejected" in r.getMessage()]
