"""Several replicas, the core's part: a new leader resumes only the half-sent threads, a lost
lock halts a run without ending the engine, and `/post` on a standby is queued for the leader,
who delivers it once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.core.conversation.service import CommandService
from bot.core.delivery.handover import Handover, Leading, take_requests
from bot.core.delivery.ports import PostRequest
from bot.core.i18n import t
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command
from bot.core.testing import FakeClock
from tests.support.delivery import PARTS, Bench, assert_one_complete_thread


@dataclass
class Lock:
    """The `Leadership` port: held until a test takes it away."""

    held: bool = True

    async def holds(self) -> bool:
        return self.held


@dataclass
class Requests:
    """The `PostRequests` port in memory."""

    rows: dict[int, PostRequest] = field(default_factory=dict)
    done_ids: list[int] = field(default_factory=list)

    async def request(self, issue: int | None, by: str = "") -> None:
        number = len(self.rows) + len(self.done_ids) + 1
        self.rows[number] = PostRequest(number, issue, by)

    async def pending(self) -> list[PostRequest]:
        return [self.rows[n] for n in sorted(self.rows)]

    async def done(self, request: int) -> None:
        del self.rows[request]
        self.done_ids.append(request)


async def test_resume_finishes_the_half_sent_threads_and_starts_no_other(bench: Bench) -> None:
    bench.channels = ["C1"]
    engine = bench.engine()
    bench.platform.before[4] = engine.request_stop  # the old leader stops after part 3
    await engine.deliver()
    bench.channels = ["C1", "C2"]  # C2 has nothing started: a resume sends it nothing
    report = await bench.engine().resume()
    assert (report.sent, report.failed) == (PARTS - 4, 0)
    assert_one_complete_thread(bench, "C1")
    assert bench.thread("C2") == []
    assert (await bench.engine().resume()).sent == 0


async def test_a_lost_lock_halts_the_run_and_a_later_term_goes_on(bench: Bench) -> None:
    bench.channels = ["C1"]
    lock = Lock()
    engine = bench.engine(leadership=lock)
    bench.platform.before[3] = lambda: setattr(lock, "held", False)
    halted = await engine.deliver()
    assert halted.stopped and halted.sent == 3 and len(bench.thread("C1")) == 3
    lock.held = True  # this replica leads again: the same engine resumes
    assert (await engine.resume()).sent == PARTS - 3
    assert_one_complete_thread(bench, "C1")


async def test_a_stop_request_is_not_undone_by_the_next_run(bench: Bench) -> None:
    engine = bench.engine()
    engine.request_stop()
    assert (await engine.deliver()).sent == 0 and (await engine.resume()).sent == 0


async def test_post_on_a_standby_is_queued_and_the_leader_delivers_it_once(bench: Bench) -> None:
    bench.channels = ["C1"]
    engine, requests, leading = bench.engine(), Requests(), Leading(now=False)
    service = CommandService(
        LiveContent(bench.content), bench.subscriptions, PlatformRegistry(bench.platform),
        language="en", admins=frozenset({"fake:admin"}),
        deliverer=Handover(engine, requests, leading),
    )  # fmt: skip
    reply = await service.handle(Command("fake", "C9", "admin", "post"))
    assert reply.message.plain == t("en", "post_queued")
    assert bench.platform.sent == [] and list(requests.rows.values()) == [
        PostRequest(1, None, "fake:admin")
    ]
    stop = asyncio.Event()
    told = service.tell_post_done
    leader = asyncio.create_task(take_requests(requests, engine, FakeClock(), stop, 1, told))
    await asyncio.wait_for(_until_done(requests), 5)
    stop.set()
    await leader
    assert requests.done_ids == [1] and requests.rows == {}
    assert_one_complete_thread(bench, "C1")
    dm = bench.platform.to("dm-admin")  # the admin hears how it went
    sent = t("en", "post_done", destinations=1, sent=PARTS, failed=0)
    assert [s.message.plain for s in dm] == [sent]
    leading.now = True  # on the leader itself /post delivers at once
    reply = await service.handle(Command("fake", "C9", "admin", "post"))
    done = t("en", "post_done", destinations=1, sent=0, failed=0)
    assert reply.message.plain == done  # delivered here (C1 had it already: nothing sent)


async def _until_done(requests: Requests) -> None:
    while not requests.done_ids:  # noqa: ASYNC110
        await asyncio.sleep(0.005)
