"""What a run leaves besides the messages: its report (the issue, the time it took, the 429s
waited out, every failure with its kind) handed once to `after_run`, and each destination's
attempt at the issue in the delivery history (each part's time, why a thread stopped)."""

from __future__ import annotations

from bot.core.errors import MessageRejected, RateLimited
from bot.core.ports import DeliveryReport
from bot.core.testing import gone
from bot.store.tinydb.history import History
from tests.support.delivery import PARTS, Bench


async def test_the_report_has_the_time_the_429s_and_each_failure_by_kind(bench: Bench) -> None:
    told: list[DeliveryReport] = []

    async def after_run(report: DeliveryReport) -> None:
        told.append(report)

    bench.channels = ["C1", "C2", "C3"]
    bench.platform.fail["C1"] = [RateLimited("429", retry_after=30.0)]  # waited out
    bench.platform.fail["C3"] = [MessageRejected("Bad Request: can't parse entities")]
    engine = bench.engine(after_run=after_run)
    await bench.subscriptions.subscribe("fake", "U1", "D1")
    await bench.subscriptions.subscribe("fake", "U2", "D2")
    bench.platform.fail["D2"] = [gone("D2")]  # blocked the bot

    report = await engine.deliver()

    assert told == [report]
    assert (report.issue, report.sent, report.reached) == (1, 3 * PARTS, 5)
    assert (report.rate_limited, report.waited) == (1, 30.0)
    assert report.seconds >= 30.0  # the fake clock moved through the 429's wait
    kinds = {(f.destination, f.kind, f.issue) for f in report.problems}
    assert kinds == {("fake:C3", "rejected", 1), ("fake:dm:U2", "reader_gone", 1)}
    assert report.unsubscribed == 1 and not await bench.subscriptions.is_subscribed("fake", "U2")
    summary = report.run_summary()
    assert (summary.messages, summary.planned, summary.destinations) == (3 * PARTS, 5 * PARTS, 5)


async def test_each_attempt_is_kept_with_its_parts_times_and_its_failure(bench: Bench) -> None:
    bench.channels = ["C1", "C2"]
    bench.platform.before[PARTS + 3] = lambda: bench.platform.fail.setdefault(
        "C2", [MessageRejected("Bad Request: message is too long")]
    )
    engine = bench.engine()
    history = History(bench.ledger.store)
    engine.outcomes.history = history  # the store's, as the composition root wires it

    await engine.deliver()

    c1, c2 = [await history.recent(key, [1]) for key in ("fake:C1", "fake:C2")]
    assert c1[1].done and [part for part, _ in c1[1].sent] == list(range(PARTS))
    times = [at for _, at in c1[1].sent]
    assert times == sorted(times) and c1[1].failure is None
    got = len(bench.thread("C2"))  # the parts C2 got before the refusal (workers interleave)
    assert 0 < got < PARTS
    assert not c2[1].done and [part for part, _ in c2[1].sent] == list(range(got))
    assert (c2[1].failure, c2[1].parts) == ("rejected", PARTS)
    assert "too long" in c2[1].detail


async def test_a_run_with_nothing_to_send_is_not_reported(bench: Bench) -> None:
    told: list[DeliveryReport] = []

    async def after_run(report: DeliveryReport) -> None:
        told.append(report)

    await bench.engine(after_run=after_run).deliver()
    again = await bench.engine(after_run=after_run).deliver()

    assert len(told) == 1 and again.planned == 0 and again.nothing_new == 2


async def test_a_resumed_run_is_reported_too_with_its_issue(bench: Bench) -> None:
    told: list[DeliveryReport] = []

    async def after_run(report: DeliveryReport) -> None:
        told.append(report)

    bench.channels = ["C1"]
    bench.platform.before[5] = lambda: (_ for _ in ()).throw(RuntimeError("process crashed"))
    first = await bench.engine(after_run=after_run).deliver()
    [failure] = first.problems
    assert (failure.destination, failure.kind, failure.issue) == ("fake:C1", "error", 1)

    resumed = await bench.engine(after_run=after_run).resume()

    assert told == [first, resumed]
    assert (resumed.issue, resumed.sent, resumed.problems) == (1, PARTS - 4, ())
