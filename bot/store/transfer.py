"""`briefing-bot store copy`: every record of a tinydb file into an empty PostgreSQL database.

The copy is one transaction: the target is checked empty, then each kind is written with
`COPY … FROM STDIN`, then committed. An interrupted copy (killed, a lost connection) is
rolled back by the server, so the target is left empty and the same command simply runs
again; a target that already holds records is refused, so nothing is ever doubled.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from bot.store.postgres.pool import connect, where
from bot.store.postgres.schema import migrate
from bot.store.tinydb.snapshot import Doc, Store

Row = Sequence[Any]
# kind -> (table, columns)
KINDS: dict[str, tuple[str, str]] = {
    "subscriptions": ("subscriptions", "platform, user_id, chat, since"),
    "releases": ("releases", "issue, released_at"),
    "delivery parts": ("delivery_parts", "issue, destination, part, state, platform, chat, "
                       "message_id, thread"),
    "deliveries done": ("deliveries_done", "issue, destination, parts, parent, done_at"),
    "schedule runs": ("schedule_runs", "name, due"),
    "opted-in channels": ("channels", "platform, chat, opted_by, since"),
    "destination settings": ("destination_settings", "destination, time, zone, language"),
    "slack installations": ("slack_installations", "workspace, record, saved_at"),
    "slack chats": ("slack_chats", "chat, workspace"),
    "approvals": ("approvals", "issue, approved_by, approved_at, digest"),
    "editor notices": ("editor_notices", "key, noticed_at"),
    "feedback votes": ("feedback_votes", "issue, reader, vote"),
    "feedback reactions": ("feedback_reactions", "issue, section, who, reaction, count"),
    "feedback messages": ("feedback_messages", "platform, chat, message_id, issue, sections"),
    "delivery history": ("delivery_history", "issue, destination, record"),
    "report choices": ("report_choices", "who, since"),
}  # fmt: skip
COPY_LOCK = 0x6E62_4350  # "nbCP": two copies into one database run one after the other


class CopyRefused(Exception):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _at(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def tinydb_rows(store: Store) -> dict[str, list[Row]]:
    """Every record of the tinydb store, as rows of the PostgreSQL tables."""
    deliveries = list(store.table("deliveries"))
    part_docs = [d for d in deliveries if not d.get("done")]

    def rows(docs: Iterable[Doc], row: Callable[[Doc], Row]) -> list[Row]:
        return [row(doc) for doc in docs]

    return {
        "subscriptions": rows(store.table("subscriptions"),
                              lambda d: (d["platform"], d["user"], d["chat"], _at(d.get("since")))),
        "releases": rows(store.table("releases"),
                         lambda d: (d["issue"], _at(d["released_at"]))),
        "delivery parts": rows(part_docs,
                               lambda d: (d["issue"], d["dest"], d["part"], d["state"],
                                          d.get("platform"), d.get("chat"), d.get("id"),
                                          d.get("thread"))),
        "deliveries done": rows((d for d in deliveries if d.get("done")),
                                lambda d: (d["issue"], d["dest"], d["parts"], d.get("parent"),
                                           _at(d.get("at")) or dt.datetime.now(dt.UTC))),
        "schedule runs": [("last_run", _at(d["at"])) for d in store.table("schedule")
                          if d.get("key") == "last_run"],
        "opted-in channels": rows(store.table("channels"),
                                  lambda d: (d["platform"], d["chat"], d.get("by", ""),
                                             _at(d.get("since")) or dt.datetime.now(dt.UTC))),
        "destination settings": rows(store.table("destination_settings"),
                                     lambda d: (d["key"], d.get("time"), d.get("zone"),
                                                d.get("language"))),
        "slack installations": rows(store.table("slack_installations"),
                                    lambda d: (d["workspace"], json.dumps(d["record"]),
                                               dt.datetime.now(dt.UTC))),
        "slack chats": rows(store.table("slack_chats"), lambda d: (d["chat"], d["workspace"])),
        "approvals": rows(store.table("approvals"),
                          lambda d: (d["issue"], d["by"], _at(d["at"]), d["digest"])),
        "editor notices": rows(store.table("notices"), lambda d: (d["key"], _at(d["at"]))),
        "feedback votes": rows(store.table("votes"),
                               lambda d: (d["issue"], d["reader"], d["vote"])),
        "feedback reactions": rows(store.table("reactions"),
                                   lambda d: (d["issue"], d["section"], d["who"], d["reaction"],
                                              d["count"])),
        "feedback messages": rows(store.table("messages"),
                                  lambda d: (d["platform"], d["chat"], d["id"], d["issue"],
                                             d["sections"])),
        "delivery history": rows(store.table("history"),
                                 lambda d: (d["issue"], d["dest"], json.dumps(d))),
        "report choices": rows(store.table("report_choices"),
                               lambda d: (d["who"], _at(d.get("since")) or _now())),
    }  # fmt: skip


def database_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    counts = {}
    for kind, (table, _) in KINDS.items():
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[kind] = int(row[0]) if row else 0
    return counts


def copy(
    source: Path, url: str, progress: Callable[[str], None] = lambda _: None
) -> tuple[dict[str, int], dict[str, int]]:
    """Copy the tinydb file at `source` into the database at `url`; the counts per kind on
    both sides. Raises `CopyRefused` if the target is not empty (or the source is missing)."""
    if not source.exists():
        raise CopyRefused(f"{source}: no such data file")
    rows = tinydb_rows(Store.open(source, fold=False))
    with connect(url) as conn:
        migrate(conn)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (COPY_LOCK,))
            found = {kind: n for kind, n in database_counts(conn).items() if n}
            if found:
                held = ", ".join(f"{n} {kind}" for kind, n in found.items())
                raise CopyRefused(f"the {where(url)} is not empty ({held}); nothing copied")
            for kind, (table, columns) in KINDS.items():
                progress(f"copying {len(rows[kind])} {kind}")
                sql = f"COPY {table} ({columns}) FROM STDIN"
                with conn.cursor() as cursor, cursor.copy(sql) as pipe:
                    for row in rows[kind]:
                        pipe.write_row(row)
        target = database_counts(conn)
    return {kind: len(kind_rows) for kind, kind_rows in rows.items()}, target
