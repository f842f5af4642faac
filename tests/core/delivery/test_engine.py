"""The delivery engine on recording fakes: threads in order, exactly once, resumable, and every
platform error handled for one destination without holding up the others."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.core.delivery.retry import RetryPolicy
from bot.core.errors import MessageRejected, RateLimited, RecipientGone, TransientError
from bot.core.live_content import LiveContent
from bot.core.testing import FakeClock, OpenPacer
from tests.content.issue_files import content_copy, second_issue
from tests.support.delivery import PARTS, Bench, assert_one_complete_thread
from tests.support.wait import until


async def test_replies_are_threaded_under_the_parent_in_order(bench: Bench) -> None:
    report = await bench.engine().deliver()
    assert (report.destinations, report.sent, report.failed) == (2, 2 * PARTS, 0)
    assert_one_complete_thread(bench, "C1")
    assert_one_complete_thread(bench, "C2")


async def test_a_completed_delivery_is_never_sent_again(bench: Bench) -> None:
    await bench.engine().deliver()
    again = await bench.engine().deliver()
    explicit = await bench.engine().deliver(1)
    assert (again.sent, again.nothing_new, explicit.sent, explicit.nothing_new) == (0, 2, 0, 2)
    assert len(bench.platform.sent) == 2 * PARTS


async def test_resume_after_an_exception_mid_thread_reuses_the_parent(bench: Bench) -> None:
    bench.channels = ["C1"]
    bench.platform.before[5] = lambda: (_ for _ in ()).throw(RuntimeError("process crashed"))
    first = await bench.engine().deliver()
    assert (first.sent, first.failed, len(bench.thread("C1"))) == (4, 1, 4)
    second = await bench.engine().deliver()
    assert (second.sent, second.failed) == (PARTS - 4, 0)
    assert_one_complete_thread(bench, "C1")


async def test_a_part_sent_but_not_recorded_is_sent_once_more_only(bench: Bench) -> None:
    """The documented duplicate window: sent, then the process died before recording it."""
    bench.channels = ["C1"]
    bench.platform.after[4] = RuntimeError("killed between the answer and the commit")
    await bench.engine().deliver()
    await bench.engine().deliver()
    sent = bench.thread("C1")
    assert len(sent) == PARTS + 1
    assert sent[3].message == sent[4].message  # part 3, twice
    assert all(s.reply_to == sent[0].ref for s in sent[1:])


async def test_a_thread_s_last_marks_ride_on_the_run_s_last_commit(
    bench: Bench, caplog: pytest.LogCaptureFixture
) -> None:
    """The last part's "sent" and the thread's "done" wait for the store's next commit, here the
    run's last one. When that commit fails the run still reports what it sent, the failure is
    logged, and the next run sends only that last part again: the one message in flight."""
    bench.channels = ["C1"]
    engine = bench.engine()
    ledger, failing = bench.ledger, False
    real_commit = ledger.commit

    async def commit() -> None:
        if failing:
            raise OSError("disk full")
        await real_commit()

    def fail_from_now() -> None:
        nonlocal failing
        failing = True

    ledger.commit = commit  # type: ignore[method-assign]
    bench.platform.before[PARTS] = fail_from_now  # after the last part's "pending" commit
    report = await engine.deliver()
    assert (report.sent, report.failed) == (PARTS, 0)
    assert "the run's last delivery marks were not committed: OSError: disk full" in caplog.text
    again = await bench.engine().deliver()  # a restart: the file as the failed commit left it
    assert (again.sent, again.failed) == (1, 0)
    sent = bench.thread("C1")
    assert len(sent) == PARTS + 1 and sent[-1].message == sent[-2].message


async def test_a_rate_limited_chat_waits_alone(bench: Bench) -> None:
    bench.clock = FakeClock()  # sleeps wait for advance()
    bench.platform.fail["C1"] = [RateLimited("429", retry_after=30.0)]
    run = asyncio.create_task(bench.engine().deliver())
    await until(lambda: len(bench.thread("C2")) == PARTS and bench.clock.sleeping > 0)
    assert len(bench.thread("C2")) == PARTS and bench.thread("C1") == []
    assert bench.clock.sleeps == [30.0]
    bench.clock.advance(30.0)
    report = await run
    assert (report.sent, report.retried, report.failed) == (2 * PARTS, 1, 0)
    assert_one_complete_thread(bench, "C1")


async def test_a_429_is_never_a_failure_however_often_and_long(bench: Bench) -> None:
    """Issue 23: a flood made parts fail after the policy's tenth 429 in a row; a part now
    waits as often and as long as the platform says."""
    bench.platform.fail["C1"] = [RateLimited("429", retry_after=600.0)] * 25
    report = await bench.engine().deliver()
    assert (report.sent, report.retried, report.failed) == (2 * PARTS, 25, 0)
    assert bench.clock.sleeps == [600.0] * 25
    assert_one_complete_thread(bench, "C1")


async def test_transient_errors_are_retried_with_growing_jittered_backoff(bench: Bench) -> None:
    bench.platform.fail["C1"] = [TransientError("502"), TransientError("timeout")]
    report = await bench.engine().deliver()
    assert (report.retried, report.failed) == (2, 0)
    first, second = bench.clock.sleeps
    assert 0.5 <= first <= 1.5 and 1.0 <= second <= 3.0
    assert_one_complete_thread(bench, "C1")


async def test_a_destination_that_keeps_failing_is_reported_and_the_rest_go_on(
    bench: Bench,
) -> None:
    bench.platform.fail["C1"] = [TransientError("502")] * 3
    report = await bench.engine(policy=RetryPolicy(attempts=3, base_delay=1.0)).deliver()
    assert report.failed == 1 and report.failures[0].startswith("fake:C1: issue 1:")
    assert_one_complete_thread(bench, "C2")
    assert bench.thread("C1") == []
    assert (await bench.engine().deliver()).sent == PARTS  # the next run delivers it
    assert_one_complete_thread(bench, "C1")


async def test_a_rejected_message_fails_that_destination_only(bench: Bench) -> None:
    bench.platform.fail["C2"] = [MessageRejected("can't parse entities")]
    report = await bench.engine().deliver()
    assert (report.sent, report.failed, report.retried) == (PARTS, 1, 0)
    assert "MessageRejected" in report.failures[0]


async def test_recipient_gone_unsubscribes_a_subscriber_and_reports_a_channel(
    bench: Bench,
) -> None:
    engine = bench.engine()
    await bench.subscriptions.subscribe("fake", "u1", "dm-u1")
    await bench.subscriptions.subscribe("fake", "u2", "dm-u2")
    bench.platform.fail["dm-u1"] = [RecipientGone("Forbidden: bot was blocked by the user")]
    bench.platform.fail["C1"] = [RecipientGone("Forbidden: bot was kicked")]
    report = await engine.deliver()
    assert (report.unsubscribed, report.failed, report.sent) == (1, 1, 2 * PARTS)
    assert report.failures[0].startswith("fake:C1: gone")
    assert not await bench.subscriptions.is_subscribed("fake", "u1")
    assert await bench.subscriptions.is_subscribed("fake", "u2")
    assert bench.channels == ["C1", "C2"]  # a channel is reported, never dropped


async def test_unsubscribing_during_the_run_stops_further_parts(bench: Bench) -> None:
    bench.channels = []
    engine = bench.engine()
    await bench.subscriptions.subscribe("fake", "u1", "dm-u1")
    bench.platform.before[3] = lambda: bench.subscriptions.unsubscribe("fake", "u1")
    report = await engine.deliver()
    assert len(bench.thread("dm-u1")) == 3 and report.skipped == 1


async def test_a_new_subscriber_does_not_get_the_issue_already_released(bench: Bench) -> None:
    bench.channels = []
    engine = bench.engine()
    await bench.subscriptions.subscribe("fake", "early", "dm-early")
    bench.clock.elapsed += 3600
    assert (await engine.deliver()).sent == PARTS  # issue 1 released now
    bench.clock.elapsed += 3600
    await bench.subscriptions.subscribe("fake", "late", "dm-late")
    catch_up = await bench.engine().deliver()
    explicit = await bench.engine().deliver(1)
    assert (catch_up.sent, catch_up.nothing_new, explicit.sent) == (0, 2, 0)
    assert bench.thread("dm-late") == []
    release = bench.ledger.released_at(1)
    assert release is not None and release == bench.clock.start + timedelta(hours=1)


async def test_a_stop_finishes_the_message_in_flight_and_the_next_run_resumes(
    bench: Bench,
) -> None:
    bench.channels = ["C1"]
    engine = bench.engine()
    bench.platform.before[4] = engine.request_stop  # stop arrives while part 3 is being sent
    report = await engine.deliver()
    assert report.stopped and (report.sent, report.skipped) == (4, 1)
    assert bench.ledger.parts(1, "fake:C1")[3].state == "sent"
    resumed = await bench.engine().deliver()
    assert resumed.sent == PARTS - 4
    assert_one_complete_thread(bench, "C1")


async def test_a_dry_run_sends_and_records_nothing(bench: Bench) -> None:
    report = await bench.engine().deliver(dry_run=True)
    assert (report.destinations, report.planned, report.sent) == (2, 2 * PARTS, 0)
    assert bench.platform.sent == [] and bench.ledger.released_at(1) is None
    assert not bench.path.exists()


async def test_every_send_asks_the_pacer_for_its_chat(bench: Bench) -> None:
    pacer = OpenPacer()
    engine = bench.engine(pacer=pacer)
    await bench.subscriptions.subscribe("fake", "u1", "dm-u1")
    await engine.deliver()
    assert pacer.slots.count(("fake", "C1", "channel")) == PARTS
    assert pacer.slots.count(("fake", "dm-u1", "dm")) == PARTS


async def test_an_unknown_issue_or_an_empty_archive_posts_nothing(bench: Bench) -> None:
    assert (await bench.engine().deliver(99)).destinations == 0
    assert bench.platform.sent == []


async def test_with_a_web_archive_the_delivered_parent_ends_with_its_page(bench: Bench) -> None:
    from bot.core.model.messages import Style
    from bot.core.model.weblinks import WebLinks

    await bench.engine(web=WebLinks.at("https://briefing.example.com")).deliver()
    parent = bench.thread("C1")[0].message
    last = parent.blocks[-1].lines[-1].spans[-1]
    assert (last.text, last.style, last.url) == (
        "웹에서 보기",
        Style.LINK,
        "https://briefing.example.com/issues/1",
    )
    assert len(bench.thread("C1")) == PARTS


async def test_a_delivery_takes_the_content_on_disk_first(tmp_path: Path, bench: Bench) -> None:
    folder = content_copy(tmp_path)
    live = LiveContent(load_content(folder), lambda: load_content(folder))
    bench.channels = ["C1"]
    (folder / "issues" / "0002.md").write_text(second_issue(), encoding="utf-8")

    async def refresh() -> bool:
        return live.refresh()

    engine = bench.engine(content=lambda: live.current, before_run=refresh)
    report = await engine.deliver()
    assert report.sent == PARTS and bench.ledger.is_done(2, "fake:C1")
    assert not bench.ledger.is_done(1, "fake:C1")  # the newest on disk, not the one loaded
