"""The approvals' contract (bot/core/approvals.py), on the tinydb file and on PostgreSQL: an
approval is durable once given, replaced by a later one, withdrawn once for the content it was
given for; a notice is given once, whichever store or process notices it first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from bot.core.approvals import Approval
from bot.store.postgres.backend import PgBackend
from tests.support.stores import Opener

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def test_an_approval_is_durable_and_replaced_by_a_later_one(reopen: Opener) -> None:
    store = reopen().approvals
    assert store.approvals() == {}
    await store.approve(Approval(3, "slack:U1", AT, "a" * 64))
    assert reopen().approvals.approvals() == {3: Approval(3, "slack:U1", AT, "a" * 64)}
    await store.approve(Approval(3, "telegram:7", AT.replace(hour=10), "b" * 64))
    again = reopen().approvals.approvals()
    assert again[3].by == "telegram:7" and again[3].digest == "b" * 64
    assert again[3].at == AT.replace(hour=10)


async def test_an_approval_is_withdrawn_only_for_the_content_it_was_given_for(
    reopen: Opener,
) -> None:
    store = reopen().approvals
    await store.approve(Approval(3, "slack:U1", AT, "a" * 64))
    assert not await store.withdraw(3, "b" * 64)  # another content's approval: not this one
    assert not await store.withdraw(4, "a" * 64)
    assert 3 in reopen().approvals.approvals()
    assert await store.withdraw(3, "a" * 64)
    assert not await store.withdraw(3, "a" * 64)
    assert store.approvals() == {} and reopen().approvals.approvals() == {}


async def test_a_replica_reloaded_sees_another_replicas_approval(
    replica: Callable[[], PgBackend],
) -> None:
    first, second = replica().approvals, replica().approvals
    await first.approve(Approval(5, "slack:U1", AT, "c" * 64))
    await second.reload()
    assert second.approvals()[5].by == "slack:U1"


async def test_when_approval_was_first_required_is_kept(reopen: Opener) -> None:
    store = reopen().approvals
    assert store.required_since() is None
    assert await store.require_since(AT) == AT
    assert await store.require_since(AT.replace(hour=11)) == AT
    assert reopen().approvals.required_since() == AT


async def test_a_notice_is_given_once(reopen: Opener) -> None:
    store = reopen().approvals
    assert await store.first_notice("held:3:aaaa")
    assert not await store.first_notice("held:3:aaaa")
    assert await store.first_notice("held:3:bbbb")
    assert not await reopen().approvals.first_notice("held:3:aaaa")


async def test_of_two_replicas_withdrawing_one_approval_exactly_one_wins(
    replica: Callable[[], PgBackend],
) -> None:
    first, second = replica().approvals, replica().approvals
    await first.approve(Approval(3, "slack:U1", AT, "a" * 64))
    await second.reload()
    won = await asyncio.gather(first.withdraw(3, "a" * 64), second.withdraw(3, "a" * 64))
    assert sorted(won) == [False, True]
    assert await first.first_notice("withdrawn:3") != await second.first_notice("withdrawn:3")
