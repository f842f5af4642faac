"""The delivery history and the report choices: one contract on both backends (`reopen`: the
tinydb file and a PostgreSQL database of the test's own), each read back by a reopened store
as a restarted bot (or another replica) reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.runs import Attempt
from tests.support.stores import Opener

DEST = "telegram:dm:42"
T0 = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_a_thread_cut_short_then_finished_keeps_each_parts_first_time(
    reopen: Opener,
) -> None:
    history = reopen().history
    await history.record(
        [Attempt(3, DEST, 3, at(5), ((0, at(1)), (1, at(2))), False, "transient", "timed out")]
    )
    [first] = (await reopen().history.recent(DEST, [3])).values()
    assert (first.failure, first.detail, first.done) == ("transient", "timed out", False)

    await reopen().history.record([Attempt(3, DEST, 3, at(90), ((1, at(80)), (2, at(81))), True)])

    kept = (await reopen().history.recent(DEST, [1, 2, 3]))[3]
    assert kept.sent == ((0, at(1)), (1, at(2)), (2, at(81)))  # part 1's first time is kept
    assert (kept.done, kept.failure, kept.detail, kept.parts, kept.at) == (
        True,
        None,
        "",
        3,
        at(90),
    )


async def test_done_stays_done_and_each_destination_and_issue_is_its_own(reopen: Opener) -> None:
    history = reopen().history
    await history.record(
        [
            Attempt(1, DEST, 2, at(1), ((0, at(0)), (1, at(1))), True),
            Attempt(2, DEST, 2, at(9), (), False, "reader_gone", "Forbidden: bot was blocked"),
            Attempt(2, "slack:C1", 11, at(3), ((0, at(3)),), False),
        ]
    )
    await history.record([Attempt(1, DEST, 2, at(20), (), False, "error", "late")])
    mine = await reopen().history.recent(DEST, [1, 2, 3])
    assert sorted(mine) == [1, 2]
    assert mine[1].done and mine[1].failure is None  # a done thread is not failed later
    assert (mine[2].failure, mine[2].sent) == ("reader_gone", ())
    channel = await reopen().history.recent("slack:C1", [2])
    assert channel[2].sent == ((0, at(3)),) and not channel[2].done


async def test_reports_off_and_on_are_kept_and_idempotent(reopen: Opener) -> None:
    choices = reopen().report_choices
    assert await choices.reports_off() == set()
    assert await choices.set_reports("slack:U1", False) is True
    assert await choices.set_reports("slack:U1", False) is False
    assert await choices.set_reports("telegram:7", False) is True
    assert await reopen().report_choices.reports_off() == {"slack:U1", "telegram:7"}
    assert await reopen().report_choices.set_reports("slack:U1", True) is True
    assert await reopen().report_choices.set_reports("slack:U1", True) is False
    assert await reopen().report_choices.reports_off() == {"telegram:7"}
