"""The audit log's port on both backends: entries come back newest first (`recent`) or oldest
first from a time (`since`), survive a reopen, and are pruned after `[bot] audit_days`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.stores import Opener


async def test_entries_come_back_in_order_and_survive_a_reopen(reopen: Opener) -> None:
    audit = reopen().audit
    for n in range(5):
        await audit.record(f"slack:U{n}", "slack:C1", "post", f"issue {n}")
    again = reopen().audit
    assert [e.detail for e in await again.recent(3)] == ["issue 4", "issue 3", "issue 2"]
    everything = await again.since(datetime(2000, 1, 1, tzinfo=UTC))
    first = everything[0]
    assert (first.who, first.where, first.action) == ("slack:U0", "slack:C1", "post")
    assert len(everything) == 5
    assert await again.since(datetime.now(UTC) + timedelta(minutes=1)) == []


async def test_old_entries_are_pruned_as_new_ones_come(reopen: Opener) -> None:
    backend = reopen()
    audit = backend.audit
    now = datetime.now(UTC)
    audit.clock = lambda: now - timedelta(days=400)  # type: ignore[attr-defined]
    await audit.record("telegram:1", "telegram:-100", "opt-in")
    audit.clock = lambda: now  # type: ignore[attr-defined]
    assert await audit.prune(now - timedelta(days=365)) == 1
    await audit.record("telegram:1", "telegram:-100", "opt-out")
    assert [e.action for e in await reopen().audit.recent(10)] == ["opt-out"]
