"""A run's report in words (bot/core/conversation/reporting.py): a table of summaries and the
exact lines they make, in English (the log's) and Korean."""

from __future__ import annotations

import pytest

from bot.core.conversation.reporting import report_lines, report_message
from bot.core.runs import Failure, RunSummary

GONE = tuple(Failure(f"telegram:dm:{n}", "reader_gone", "Forbidden: bot was blocked", 3)
             for n in (1, 2, 3, 4))  # fmt: skip
LEFT = Failure("slack:C1", "channel_left", "not_in_channel", 3)


@pytest.mark.parametrize(
    ("summary", "lines"),
    [
        (
            RunSummary("delivery", 3, 12, 36, 36, 14.4, 0, 0.0),
            ["Delivery report · issue 3",
             "destinations: 12 · messages: 36 of 36 · 14.4 s · 2.5 messages/s",
             "No 429s", "No failures"],
        ),
        (
            RunSummary("delivery", 3, 6, 9, 18, 3.0, 2, 4.5, (*GONE, LEFT), stopped=True),
            ["Delivery report · issue 3",
             "destinations: 6 · messages: 9 of 18 · 3.0 s · 3.0 messages/s",
             "429s waited out: 2 (4.5 s)",
             "Stopped early (a shutdown or a change of leader): the next run goes on.",
             "• readers who blocked the bot or left: 4 (telegram:dm:1, telegram:dm:2, "
             "telegram:dm:3, +1): unsubscribed; nothing to do",
             "• channels the bot was removed from: 1 (slack:C1): their opt-in ended; to get one "
             "back, invite the bot and /briefing here there"],
        ),
        (
            RunSummary("correction", 2, 5, 5, 5, 0.0, 0, 0.0,
                       (Failure("telegram:-1001", "rejected", "Bad Request: <b> not closed", 2),)),
            ["Correction report · issue 2",
             "destinations: 5 · messages: 5 of 5 · 0.0 s · 0.0 messages/s", "No 429s",
             "• destinations where the platform refused a message: 1 (telegram:-1001: Bad "
             "Request: <b> not closed): check the issue with briefing-bot preview; the next run "
             "tries again"],
        ),
    ],
)  # fmt: skip
def test_report_lines(summary: RunSummary, lines: list[str]) -> None:
    assert report_lines(summary, "en") == lines


def test_the_message_has_the_title_and_bulleted_failures_in_korean() -> None:
    message = report_message(RunSummary("delivery", 3, 2, 4, 4, 2.0, 0, 0.0, GONE[:1]), "ko")
    assert message.title == "발송 보고 · 제 3호"
    lines = message.blocks[0].lines
    assert [line.bullet for line in lines] == [False, False, True]
    assert lines[2].plain.startswith("독자 1명이 봇을 차단했거나 떠났습니다 (telegram:dm:1)")


def test_a_channel_is_named_where_the_platform_said_its_name() -> None:
    summary = RunSummary("delivery", 3, 1, 0, 11, 1.0, 0, 0.0, (LEFT,))
    [*_, line] = report_lines(summary, "en", {"slack:C1": "#ml-news"})
    assert line.startswith("• channels the bot was removed from: 1 (#ml-news (slack:C1)): ")


def test_a_correction_reports_the_copies_it_could_not_correct() -> None:
    from bot.core.delivery.copies import CorrectionReport

    report = CorrectionReport(1, destinations=3, edited=2)
    report.fail("telegram:dm:42", "cannot be edited: message to edit not found")
    summary = report.run_summary()
    assert (summary.what, summary.messages, summary.planned) == ("correction", 2, 3)
    lines = report_lines(summary, "en")
    assert lines[0] == "Correction report · issue 1"
    assert any(
        line.startswith("• copies that can no longer be corrected: 1 (telegram:dm:42: cannot be")
        for line in lines
    )
    assert report.failed == {"cannot be edited: message to edit not found": 1}
