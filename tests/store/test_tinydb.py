"""Subscriptions are durable, idempotent, survive restarts, and a corrupt file is never replaced."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tinydb import TinyDB

from bot.store import Store, StoreCorrupt, Subscriptions


async def test_subscribe_twice_stays_one_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    subs = Subscriptions(Store.open(path))
    assert await subs.subscribe("telegram", "42", "42") is True
    assert await subs.subscribe("telegram", "42", "42") is False
    reopened = Subscriptions(Store.open(path))
    assert [s.user for s in await reopened.subscribers()] == ["42"]
    assert await reopened.is_subscribed("telegram", "42")
    assert await reopened.unsubscribe("telegram", "42") is True
    assert await Subscriptions(Store.open(path)).count() == 0


async def test_the_file_is_a_tinydb_database(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    store = Store.open(path)
    await Subscriptions(store).subscribe("slack", "U1", "D1")
    await store.close()  # folds the journal into the file
    with TinyDB(path) as db:
        docs = db.table("subscriptions").all()
    assert docs == [
        {
            "platform": "slack",
            "user": "U1",
            "chat": "D1",
            "since": docs[0]["since"],
            "key": "slack:U1",
        }
    ]


async def test_a_file_written_by_plain_tinydb_opens_and_takes_changes(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    with TinyDB(path) as db:
        db.table("subscriptions").insert(
            {"platform": "slack", "user": "U1", "chat": "D1", "since": "x", "key": "slack:U1"}
        )
    store = Store.open(path)
    subs = Subscriptions(store)
    assert await subs.is_subscribed("slack", "U1")
    assert await subs.subscribe("slack", "U2", "D2")
    await store.close()
    with TinyDB(path) as db:
        assert sorted(d["user"] for d in db.table("subscriptions").all()) == ["U1", "U2"]


async def test_concurrent_subscribes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    store = Store.open(path)
    subs = Subscriptions(store)
    await asyncio.gather(*(subs.subscribe("telegram", str(n), str(n)) for n in range(500)))
    await asyncio.gather(*(subs.unsubscribe("telegram", str(n)) for n in range(0, 500, 2)))
    assert len(path.with_name("d.json.journal").read_bytes().splitlines()) < 50, (
        "writes were grouped"
    )
    await store.close()
    on_disk = json.loads(path.read_text())["subscriptions"]
    assert sorted(int(d["user"]) for d in on_disk.values()) == list(range(1, 500, 2))


@pytest.mark.parametrize(
    "payload", [b'{"subscriptions": {"1": {"platform"', b"[1, 2]", b"\x00\xff garbage"]
)
def test_a_corrupt_file_is_refused_and_kept(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "d.json"
    path.write_bytes(payload)
    with pytest.raises(StoreCorrupt, match=str(path)) as caught:
        Store.open(path)
    assert path.read_bytes() == payload
    backups = list(tmp_path.glob("d.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == payload
    assert str(backups[0]) in str(caught.value)


def test_an_empty_or_missing_file_starts_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    assert len(Store.open(tmp_path / "empty.json").table("subscriptions")) == 0
    assert len(Store.open(tmp_path / "missing.json").table("subscriptions")) == 0


async def test_unclosed_changes_are_replayed_from_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    subs = Subscriptions(Store.open(path))
    await subs.subscribe("telegram", "1", "1")
    await subs.subscribe("telegram", "2", "2")
    await subs.unsubscribe("telegram", "1")  # no close(): as after kill -9
    assert [s.user for s in await Subscriptions(Store.open(path)).subscribers()] == ["2"]
    assert path.with_name("d.json.journal").read_bytes() == b"", "folded at start-up"


async def test_a_torn_last_journal_entry_is_dropped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    await Subscriptions(Store.open(path)).subscribe("telegram", "1", "1")
    journal = path.with_name("d.json.journal")
    torn = b'[["subscriptions","2",{"platform":"tele'  # a commit that never finished
    journal.write_bytes(journal.read_bytes() + torn)
    subs = Subscriptions(Store.open(path))
    assert [s.user for s in await subs.subscribers()] == ["1"]
    await subs.subscribe("telegram", "3", "3")
    assert sorted(s.user for s in await Subscriptions(Store.open(path)).subscribers()) == ["1", "3"]


def test_a_corrupt_journal_entry_in_the_middle_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    journal = path.with_name("d.json.journal")
    journal.write_bytes(
        b'[["subscriptions","1",{"key":"a"}]]\n{garbage\n[["subscriptions","2",null]]\n'
    )
    with pytest.raises(StoreCorrupt, match=r"d\.json\.journal:2: not a valid journal entry"):
        Store.open(path)
    assert journal.read_bytes().count(b"\n") == 3
    assert len(list(tmp_path.glob("d.json.journal.corrupt-*"))) == 1
