"""A reader's own data, on both store backends: `/mydata` lists what the tables held about them
(in their DM), `/forget` asks first, then leaves no row with their id in any table (every
table scanned: PostgreSQL's by information_schema, the tinydb file whole) and the other
readers' rows as they were."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest

from bot.content.loader import Content
from bot.core.feedback import Carried
from bot.core.model.messages import MessageRef
from bot.core.privacy import Reader
from bot.store.backend import Backend, TinyBackend
from bot.store.postgres.backend import PgBackend
from tests.support.stores import Opener
from tests.support.world import World

ME, OTHER = "7712345678", "5550001"  # ids no other value of the store contains
DM = f"dm-{ME}"


@pytest.fixture
async def world(reopen: Opener, content: Content) -> World:
    world = World(reopen(), content)
    for user in (ME, OTHER):
        await world.ask("/subscribe 07:30 Europe/Berlin", chat=f"dm-{user}", user=user)
        await world.ask("/lang en", chat=f"dm-{user}", user=user)
        ledger = world.store.ledger
        ledger.release(1, datetime(2024, 5, 1, tzinfo=UTC))
        ledger.mark_sent(1, f"fake:dm:{user}", 0, MessageRef("fake", f"dm-{user}", "11"))
        ledger.mark_done(1, f"fake:dm:{user}", 1)
        ledger.mark_pending(2, f"fake:dm:{user}", 0)
        await ledger.commit()
    await world.ask("/briefing here", chat="G2", user=ME)  # ME administers G2
    feedback = world.store.feedback  # a vote, a reaction, what a message to the DM carried
    await feedback.vote(1, f"fake:{ME}", "up")
    await feedback.react(Carried(1, ("논문",)), f"fake:{ME}", {"tada": 1}, replace=False)
    await feedback.remember(1, [(MessageRef("fake", DM, "11"), Carried(1, ("논문",)))])
    await feedback.vote(1, f"fake:{OTHER}", "down")
    return world


async def scan(store: Backend, needle: str) -> list[str]:
    """Where `needle` is still stored: "table.column" (PostgreSQL) or the file (tinydb)."""
    if isinstance(store, TinyBackend):
        await store.close()  # the journal folded into the file: the file is the whole state
        journal = store.store.journal_path
        assert not journal.exists() or not journal.read_bytes()
        tables = json.loads(store.store.path.read_text(encoding="utf-8"))
        return [f"{name}: {doc}" for name, docs in tables.items() for doc in docs.values()
                if needle in json.dumps(doc)]  # fmt: skip
    assert isinstance(store, PgBackend)
    found = []
    with psycopg.connect(store.pool.url) as conn:
        columns = conn.execute("""SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'""").fetchall()  # fmt: skip
        for table, column in columns:
            hits = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column}::text LIKE %s", (f"%{needle}%",)
            ).fetchone()
            if hits and hits[0]:
                found.append(f"{table}.{column}")
    return found


async def test_mydata_lists_what_the_tables_hold_about_the_reader(world: World) -> None:
    held = await world.store.readers.held(Reader("fake", ME))
    assert set(held) == {"subscriptions", "destination settings", "deliveries done",
                         "delivery parts", "opted-in channels", "audit log", "feedback votes",
                         "feedback reactions", "feedback messages"}  # fmt: skip
    assert held["feedback votes"] == [{"issue": 1, "reader": f"fake:{ME}", "vote": "up"}]
    assert [(e["who"], e["action"]) for e in held["audit log"]] == [(f"fake:{ME}", "opt-in")]
    assert held["deliveries done"][0]["issue"] == 1
    assert held["destination settings"] == [
        {"destination": f"fake:dm:{ME}", "time": "07:30", "zone": "Europe/Berlin",
         "language": "en", "muted": [], "weekly": None}]  # fmt: skip
    reply = await world.ask("/mydata", chat=DM, user=ME)
    shown = reply.message.plain
    assert reply.message.title == "What the bot stores about you"
    for words in ("Subscription (1)", "Issues delivered to you (1)", "Channels you opted in (1)",
                  "time: 07:30", "zone: Europe/Berlin", "language: en", "chat: G2", "issue: 2"):  # fmt: skip
        assert words in shown, words
    assert OTHER not in shown


async def test_mydata_asked_in_a_channel_goes_to_the_readers_dm(world: World) -> None:
    reply = await world.ask("/mydata", chat="G2", user=ME)
    assert reply.message.plain == "I sent you what the bot stores about you by direct message."
    [sent] = [s for s in world.platform.sent if s.chat == DM]
    assert "Subscription (1)" in sent.message.plain


async def test_forget_asks_then_leaves_no_row_with_the_readers_id(world: World) -> None:
    asked = await world.ask("/forget", chat=DM, user=ME)
    assert "/forget confirm" in asked.message.plain and "9 records" in asked.message.plain
    assert await world.store.subscriptions.is_subscribed("fake", ME)  # nothing yet
    done = await world.ask("/forget confirm", chat=DM, user=ME)
    assert done.message.plain.startswith("Deleted all 9 records")
    assert not world.store.ledger.is_done(1, f"fake:dm:{ME}")
    assert await world.store.readers.held(Reader("fake", ME)) == {}
    again = await world.ask("/mydata", chat=DM, user=ME)
    assert again.message.plain == "저장된 정보가 없습니다."  # their /lang en went too
    channel = await world.store.destinations.channel("fake", "G2")
    assert channel is not None and channel.by == ""  # the channel keeps getting it, nameless
    kept = [(e.who, e.action) for e in await world.store.audit.recent(5)]
    assert kept == [("fake:(forgotten)", "forget"), ("(forgotten)", "opt-in")]
    others = await world.store.readers.held(Reader("fake", OTHER))
    assert sum(map(len, others.values())) == 5
    assert await scan(world.store, ME) == []
    assert await scan(world.store, OTHER) != []  # the scan finds what is there


async def test_an_admin_forgets_a_reader_who_asked_them(world: World) -> None:
    refused = await world.ask(f"/forget fake:{ME} confirm", chat="OPS", user="someone")
    assert refused.message.plain == "관리자만 쓸 수 있는 명령입니다. ([bot] admins)"
    done = await world.ask(f"/forget fake:{ME} confirm", chat="OPS", user="operator")
    assert done.message.plain == f"fake:{ME} 의 정보 9건을 지웠습니다."
    entry = (await world.store.audit.recent(1))[0]
    assert (entry.who, entry.action) == ("fake:operator", "forget") and ME not in entry.detail
    assert await scan(world.store, ME) == []


async def test_forget_is_confirmed_by_its_button(world: World) -> None:
    asked = await world.ask("/forget", chat=DM, user=ME)
    [button] = asked.message.buttons
    assert (button.label, button.data) == ("Delete it all", "forget:me")
    done = await world.press(button.data, chat=DM, user=ME)
    assert done.notice and done.message.plain.startswith("Deleted all 9 records")
    assert await world.store.readers.held(Reader("fake", ME)) == {}
    assert await scan(world.store, ME) == []


async def test_a_forged_or_foreign_forget_press_changes_nothing(world: World) -> None:
    for data in ("forget:<b>x</b>", "forget:", "forget:me:" + "x" * 60, 42):
        forged = await world.press(data, chat=DM, user=ME)
        assert forged.notice and forged.message.plain == "This button is not one of mine."
    someone_elses = await world.press(f"forget:fake:{OTHER}", chat=DM, user=ME)
    assert someone_elses.notice and "[bot] admins" in someone_elses.message.plain
    for user in (ME, OTHER):
        held = await world.store.readers.held(Reader("fake", user))
        assert "subscriptions" in held


async def test_an_admins_forget_button_names_the_reader(world: World) -> None:
    asked = await world.ask(f"/forget fake:{ME}", chat="OPS", user="operator")
    [button] = asked.message.buttons
    assert button.data == f"forget:fake:{ME}" and len(button.data) <= 64
    done = await world.press(button.data, chat="OPS", user="operator")
    assert done.notice and "9" in done.message.plain
    assert await scan(world.store, ME) == []
