"""One contract for every store backend: what the core may rely on, whichever engine holds it.

Each test runs against the tinydb file and against a real PostgreSQL database of its own.
"Reopen" opens a second store on the same file or database, as a restarted bot would: it sees
what was committed, never what was not.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.core.model.messages import MessageRef
from bot.core.ports import DestinationSettings
from tests.support.stores import Opener

DEST = "telegram:dm:42"
PARENT = MessageRef("telegram", "42", "7")
REPLY = MessageRef("telegram", "42", "8", "7")


async def test_subscribe_is_idempotent_and_durable(reopen: Opener) -> None:
    subs = reopen().subscriptions
    assert await subs.subscribe("telegram", "42", "42") is True
    assert await subs.subscribe("telegram", "42", "42") is False
    again = reopen().subscriptions
    assert await again.is_subscribed("telegram", "42")
    assert not await again.is_subscribed("slack", "42")
    assert [(s.platform, s.user, s.chat) for s in await again.subscribers()] == [
        ("telegram", "42", "42")
    ]
    assert await again.count() == 1


async def test_unsubscribe_removes_once(reopen: Opener) -> None:
    subs = reopen().subscriptions
    await subs.subscribe("telegram", "42", "42")
    assert await subs.unsubscribe("telegram", "42") is True
    assert await subs.unsubscribe("telegram", "42") is False
    assert await reopen().subscriptions.count() == 0


async def test_subscribers_by_platform(reopen: Opener) -> None:
    subs = reopen().subscriptions
    for platform, user in [("telegram", "1"), ("slack", "U2"), ("telegram", "3")]:
        await subs.subscribe(platform, user, f"dm-{user}")
    telegram = sorted(s.user for s in await subs.subscribers("telegram"))
    assert telegram == ["1", "3"]
    assert sorted(s.user for s in await subs.subscribers()) == ["1", "3", "U2"]
    assert await subs.count() == 3


async def test_a_new_chat_keeps_the_subscription_and_its_since(reopen: Opener) -> None:
    subs = reopen().subscriptions
    await subs.subscribe("slack", "U1", "D1")
    [before] = await subs.subscribers()
    assert before.since and datetime.fromisoformat(before.since).tzinfo is not None
    assert await subs.subscribe("slack", "U1", "D2") is False  # moved, not created
    [after] = await reopen().subscriptions.subscribers()
    assert after.chat == "D2" and after.since == before.since


async def test_concurrent_operations_lose_nothing(reopen: Opener) -> None:
    subs = reopen().subscriptions
    await asyncio.gather(*(subs.subscribe("slack", f"U{i}", f"D{i}") for i in range(300)))
    await asyncio.gather(*(subs.unsubscribe("slack", f"U{i}") for i in range(0, 300, 3)))
    again = reopen().subscriptions
    assert await again.count() == 200
    assert {s.user for s in await again.subscribers()} == {f"U{i}" for i in range(300) if i % 3}


async def test_concurrent_commits_are_all_durable(reopen: Opener) -> None:
    ledger = reopen().ledger

    async def deliver(dest: str) -> None:
        ledger.mark_pending(1, dest, 0)
        await ledger.commit()
        ledger.mark_sent(1, dest, 0, MessageRef("telegram", dest, "1"))
        ledger.mark_done(1, dest, 1)
        await ledger.commit()

    dests = [f"telegram:dm:{i}" for i in range(100)]
    await asyncio.gather(*(deliver(dest) for dest in dests))
    again = reopen().ledger
    assert all(again.is_done(1, dest) and again.parts(1, dest) == {} for dest in dests)


async def test_ledger_states_are_durable_once_committed(reopen: Opener) -> None:
    ledger = reopen().ledger
    ledger.mark_pending(1, DEST, 0)
    assert reopen().ledger.parts(1, DEST) == {}  # not committed: not there after a crash
    await ledger.commit()
    assert reopen().ledger.parts(1, DEST)[0].state == "pending"
    assert reopen().ledger.started(DEST) == [1]
    ledger.mark_sent(1, DEST, 0, PARENT)
    ledger.mark_pending(1, DEST, 1)
    await ledger.commit()
    parts = reopen().ledger.parts(1, DEST)
    assert parts[0].state == "sent" and parts[0].ref == PARENT
    assert parts[1].state == "pending" and parts[1].ref is None


async def test_done_ends_the_thread(reopen: Opener) -> None:
    ledger = reopen().ledger
    ledger.mark_sent(1, DEST, 0, PARENT)
    ledger.mark_sent(1, DEST, 1, REPLY)
    await ledger.commit()
    assert reopen().ledger.parts(1, DEST)[1].ref == REPLY
    ledger.mark_done(1, DEST, 2)
    assert ledger.is_done(1, DEST) and ledger.parts(1, DEST) == {}
    assert not reopen().ledger.is_done(1, DEST)  # not committed yet
    await ledger.commit()
    again = reopen().ledger
    assert again.is_done(1, DEST) and not again.is_done(2, DEST)
    assert not again.is_done(1, "telegram:dm:43")
    assert again.parts(1, DEST) == {} and again.started(DEST) == []


async def test_started_lists_unfinished_issues_oldest_first(reopen: Opener) -> None:
    ledger = reopen().ledger
    for issue in (3, 1, 2):
        ledger.mark_pending(issue, DEST, 0)
    ledger.mark_pending(5, "slack:C1", 0)
    ledger.mark_done(2, DEST, 1)
    await ledger.commit()
    again = reopen().ledger
    assert again.started(DEST) == [1, 3]
    assert again.started("slack:C1") == [5]
    assert again.started("slack:C2") == []


async def test_the_first_release_time_is_kept(reopen: Opener) -> None:
    first, later = datetime(2024, 5, 1, 8, 30, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)
    ledger = reopen().ledger
    assert ledger.released_at(1) is None
    assert ledger.release(1, first) == first
    assert reopen().ledger.released_at(1) is None
    await ledger.commit()
    again = reopen().ledger
    assert again.release(1, later) == first and again.released_at(1) == first


async def test_the_last_scheduled_run_is_remembered(reopen: Opener) -> None:
    due, later = datetime(2024, 5, 1, 8, 30, tzinfo=UTC), datetime(2024, 5, 2, 8, 30, tzinfo=UTC)
    runs = reopen().runs
    assert runs.last_run() is None
    await runs.record(due)
    assert runs.last_run() == due and reopen().runs.last_run() == due
    await runs.record(later)
    assert reopen().runs.last_run() == later


async def test_a_channel_opts_in_once_and_out_durably(reopen: Opener) -> None:
    dests = reopen().destinations
    assert await dests.opt_in("telegram", "-1001:7", "42") is True
    assert await dests.opt_in("telegram", "-1001:7", "43") is False  # the first opt-in stays
    await dests.opt_in("slack", "C1", "U1")
    again = reopen().destinations
    found = await again.channel("telegram", "-1001:7")
    assert found is not None and found.by == "42" and found.topic == "7"
    assert datetime.fromisoformat(found.since).tzinfo is not None
    assert found.key == "telegram:-1001:7"
    assert [o.key for o in await again.opted_in()] == ["telegram:-1001:7", "slack:C1"]
    assert [o.chat for o in await again.opted_in("slack")] == ["C1"]
    assert await again.opt_out("telegram", "-1001:7") is True
    assert await again.opt_out("telegram", "-1001:7") is False
    assert await reopen().destinations.channel("telegram", "-1001:7") is None
    assert [o.key for o in await reopen().destinations.opted_in()] == ["slack:C1"]


async def test_settings_of_any_destination_are_kept_and_replaced(reopen: Opener) -> None:
    backend = reopen()
    await backend.subscriptions.subscribe("telegram", "42", "42")
    dests = backend.destinations
    assert await dests.settings("telegram:dm:42") == DestinationSettings()
    berlin = DestinationSettings("07:30", "Europe/Berlin", "en")
    await dests.set_settings("telegram:dm:42", berlin)
    await dests.set_settings("slack:C1", DestinationSettings(language="ko"))
    again = reopen().destinations
    assert await again.settings("telegram:dm:42") == berlin
    assert await again.delivery_times() == {("07:30", "Europe/Berlin")}
    assert await again.all_settings() == {
        "telegram:dm:42": berlin,
        "slack:C1": DestinationSettings(language="ko"),
    }
    await again.set_settings("telegram:dm:42", DestinationSettings(language="en"))
    await again.set_settings("slack:C1", DestinationSettings())  # nothing chosen: forgotten
    assert await again.delivery_times() == set()
    assert await reopen().destinations.all_settings() == {
        "telegram:dm:42": DestinationSettings(language="en")
    }


async def test_opting_out_forgets_the_channels_settings(reopen: Opener) -> None:
    dests = reopen().destinations
    await dests.opt_in("slack", "C1", "U1")
    await dests.set_settings("slack:C1", DestinationSettings("06:00", "Asia/Seoul"))
    await dests.opt_out("slack", "C1")
    assert await reopen().destinations.settings("slack:C1") == DestinationSettings()


async def test_a_delivery_time_nobody_is_at_any_more_is_not_in_use(reopen: Opener) -> None:
    """The times in use are the times of the destinations that still receive: a time the last
    reader or channel left (unsubscribed, another time chosen, opted out, their workspace gone)
    is dropped, and a reader who subscribes again brings theirs back."""
    backend = reopen()
    subs, dests = backend.subscriptions, backend.destinations
    berlin, seoul, utc = ("07:30", "Europe/Berlin"), ("06:00", "Asia/Seoul"), ("05:00", "UTC")
    for user, chosen in [("1", berlin), ("2", berlin), ("3", seoul)]:
        await subs.subscribe("telegram", user, user)
        await dests.set_settings(f"telegram:dm:{user}", DestinationSettings(*chosen))
    await dests.opt_in("slack", "C1", "U1")
    await dests.set_settings("slack:C1", DestinationSettings(*utc))
    assert await reopen().destinations.delivery_times() == {berlin, seoul, utc}

    await subs.unsubscribe("telegram", "1")
    assert await dests.delivery_times() == {berlin, seoul, utc}  # reader 2 is still there
    await subs.unsubscribe("telegram", "2")  # the last reader at 07:30 Berlin left
    await dests.set_settings("telegram:dm:3", DestinationSettings("06:15", "Asia/Seoul"))
    await dests.opt_out("slack", "C1")
    assert await dests.delivery_times() == {("06:15", "Asia/Seoul")}
    assert await reopen().destinations.delivery_times() == {("06:15", "Asia/Seoul")}

    await subs.subscribe("telegram", "2", "2")  # their settings were kept: the time comes back
    assert await reopen().destinations.delivery_times() == {berlin, ("06:15", "Asia/Seoul")}


async def test_an_inbound_event_is_claimed_once_and_kept(reopen: Opener) -> None:
    backend = reopen()
    claims = backend.claims
    assert await claims.claim("telegram:1:100") is True
    assert await claims.claim("telegram:1:100") is False
    assert await claims.claim("slack:Ev1") is True
    await backend.close()  # tinydb: the claims ride on the next commit, at the latest this one
    again = reopen().claims  # a restarted bot (or another replica) sees the claims
    assert await again.claim("telegram:1:100") is False
    assert await again.claim("telegram:1:101") is True


async def test_concurrent_claims_of_one_event_have_one_winner(reopen: Opener) -> None:
    claims = reopen().claims
    won = await asyncio.gather(*(claims.claim(f"slack:Ev{i % 10}") for i in range(100)))
    assert won.count(True) == 10


async def test_muted_sections_and_a_weekly_day_are_kept(reopen: Opener) -> None:
    """What a destination gets is its settings too: the sections it muted (as the issues name
    them, Korean included), and a weekly digest's day, which is a delivery time of its own."""
    backend = reopen()
    await backend.subscriptions.subscribe("telegram", "42", "42")
    dests = backend.destinations
    weekly = DestinationSettings("07:30", "Europe/Berlin", "en", ("레딧", "arXiv"), "mon")
    await dests.set_settings("telegram:dm:42", weekly)
    await dests.set_settings("slack:C1", DestinationSettings(muted=("파비",)))
    again = reopen().destinations
    assert await again.settings("telegram:dm:42") == weekly
    assert await again.settings("slack:C1") == DestinationSettings(muted=("파비",))
    assert await again.delivery_times() == {("07:30", "Europe/Berlin", "mon")}
    daily = DestinationSettings("07:30", "Europe/Berlin", "en", ("레딧",))
    await again.set_settings("telegram:dm:42", daily)  # back to daily, one section unmuted
    assert await reopen().destinations.delivery_times() == {("07:30", "Europe/Berlin")}
    assert await reopen().destinations.all_settings() == {
        "telegram:dm:42": daily,
        "slack:C1": DestinationSettings(muted=("파비",)),
    }


async def test_a_reachable_store_answers_a_ping(reopen: Opener) -> None:
    """`/readyz` asks the store (a PostgreSQL outage is tests/cli/test_ops.py's)."""
    backend = reopen()
    await backend.ping()
    await backend.subscriptions.subscribe("telegram", "1", "1")
    await backend.ping()
