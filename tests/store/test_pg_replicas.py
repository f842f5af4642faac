"""What several replicas share in one PostgreSQL database (bot/store/postgres/replicas.py): a leader
taking over reads what the old one recorded, `/post` requests wait for the leader, and two
replicas claiming one event get one winner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from bot.core.model.messages import MessageRef
from bot.store.postgres.backend import PgBackend

DEST = "telegram:dm:42"
Opener = Callable[[], PgBackend]


async def test_refresh_reads_what_the_old_leader_recorded(replica: Opener) -> None:
    standby, leader = replica(), replica()  # the standby opened first: its view is empty
    leader.ledger.release(1, datetime(2024, 5, 1, tzinfo=UTC))
    leader.ledger.mark_sent(1, DEST, 0, MessageRef("telegram", "42", "7"))
    leader.ledger.mark_pending(1, DEST, 1)
    leader.ledger.mark_done(1, "slack:C1", 3)
    await leader.ledger.commit()
    await leader.runs.record(datetime(2024, 5, 1, 8, 30, tzinfo=UTC))
    assert standby.ledger.started(DEST) == [] and standby.runs.last_run() is None
    await standby.refresh()
    parts = standby.ledger.parts(1, DEST)
    assert parts[0].state == "sent" and parts[0].ref == MessageRef("telegram", "42", "7")
    assert parts[1].state == "pending" and standby.ledger.started(DEST) == [1]
    assert standby.ledger.is_done(1, "slack:C1")
    assert standby.ledger.released_at(1) == datetime(2024, 5, 1, tzinfo=UTC)
    assert standby.runs.last_run() == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


async def test_post_requests_wait_in_order_until_done(replica: Opener) -> None:
    standby, leader = replica(), replica()
    assert standby.post_requests is not None and leader.post_requests is not None
    await standby.post_requests.request(None, "slack:U1")
    await standby.post_requests.request(3)
    pending = await leader.post_requests.pending()
    assert [(r.issue, r.by) for r in pending] == [(None, "slack:U1"), (3, "")]
    await leader.post_requests.done(pending[0].id)
    assert [r.issue for r in await replica().post_requests.pending()] == [3]  # type: ignore[union-attr]


async def test_two_replicas_claiming_one_event_get_one_winner(replica: Opener) -> None:
    one, two = replica(), replica()
    won = await asyncio.gather(*(r.claims.claim(f"telegram:1:{i // 2}") for i in range(40)
                                 for r in (one, two)))  # fmt: skip
    assert won.count(True) == 20
