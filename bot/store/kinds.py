"""The one table of every kind of record the store keeps, on both backends: what `store dump`
writes and `store load` reads (bot/store/transfer.py), and what `/mydata` lists and `/forget`
deletes about a reader (each backend's privacy.py).

A kind is a PostgreSQL table and its columns, the tinydb table that holds it and how one of its
documents is that row and back, and how a reader's records are found. A record is a dict of
JSON values (times as ISO strings in UTC, JSON columns as objects): the same whichever backend
it came from, so a dump of one loads into the other and the round trip is exact. A new table
is one `Kind` here (and, on PostgreSQL, its migration); a test checks that every table of
both backends is one (tests/store/test_kinds.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

FORGOTTEN = "(forgotten)"  # who an audit entry names once that person asked to be forgotten
Doc = dict[str, Any]  # a tinydb document
Row = dict[str, Any]  # a record: column → JSON value
# What the reader's own records are found by: their platform, user id, DM destination key
# ("telegram:dm:42"), DM chat, "platform:user" ("telegram:42", as the admins' list and the audit
# log name people) and "platform:chat" of their DM (where the audit log says they were).
ReaderValue = str  # "platform" | "user" | "dm" | "chat" | "who" | "place"


@dataclass(frozen=True)
class Match:
    """The reader's records of a kind: those whose `columns` hold the reader's values (all of
    them). `/forget` deletes them, or, with `blank`, keeps the record with that column set to
    `to` (a channel they opted in keeps its opt-in; the audit log keeps what was done)."""

    columns: tuple[tuple[str, ReaderValue], ...]
    blank: str | None = None
    to: str = ""


@dataclass(frozen=True)
class Kind:
    name: str  # in a dump's lines and the counts: "subscriptions"
    table: str  # PostgreSQL
    columns: tuple[str, ...]
    tiny: str  # the tinydb table
    row: Callable[[Doc], Row | None]  # a tinydb document → its record (None: another kind's)
    doc: Callable[[Row], tuple[str, Doc]]  # a record → its tinydb key and document
    times: tuple[str, ...] = ()  # columns that hold a time
    jsons: tuple[str, ...] = ()  # columns that hold JSON
    reader: tuple[Match, ...] = ()  # how a reader's records are found (any of these)
    only: str | None = None  # a reader's records only on this platform

    def mine(self, values: Mapping[str, str | None]) -> list[tuple[Match, dict[str, str]]]:
        """Each way of finding the reader's records with the column → value it looks for."""
        if self.only and values.get("platform") != self.only:
            return []
        found = []
        for match in self.reader:
            wanted = {column: values.get(value) for column, value in match.columns}
            if all(v is not None for v in wanted.values()):
                found.append((match, {column: str(v) for column, v in wanted.items()}))
        return found


def reader_values(platform: str, user: str, chat: str | None) -> dict[str, str | None]:
    """What a reader's records are found by (`Match`), their DM `chat` if known."""
    place = f"{platform}:{chat}" if chat else None
    return {"platform": platform, "user": user, "dm": f"{platform}:dm:{user}", "chat": chat,
            "who": f"{platform}:{user}", "place": place}  # fmt: skip


def iso(value: Any) -> str | None:
    """A time as a record holds it: ISO 8601 in UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.endswith("+00:00"):
        return value  # already (what both backends write: the cost of a dump is per record)
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return at.astimezone(dt.UTC).isoformat()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _part(d: Doc) -> Row | None:
    if d.get("done"):
        return None
    return {"issue": d["issue"], "destination": d["dest"], "part": d["part"],
            "state": d["state"], "platform": d.get("platform"), "chat": d.get("chat"),
            "message_id": d.get("id"), "thread": d.get("thread")}  # fmt: skip


def _part_doc(r: Row) -> tuple[str, Doc]:
    return f"{r['issue']}|{r['destination']}|{r['part']}", {
        "issue": r["issue"], "dest": r["destination"], "part": r["part"], "state": r["state"],
        "platform": r["platform"], "chat": r["chat"], "id": r["message_id"],
        "thread": r["thread"]}  # fmt: skip


def _done(d: Doc) -> Row | None:
    if not d.get("done"):
        return None
    return {"issue": d["issue"], "destination": d["dest"], "parts": d["parts"],
            "parent": d.get("parent"), "done_at": d.get("at") or _now()}  # fmt: skip


def _done_doc(r: Row) -> tuple[str, Doc]:
    return f"{r['issue']}|{r['destination']}", {
        "issue": r["issue"], "dest": r["destination"], "done": True, "parts": r["parts"],
        "parent": r["parent"], "at": r["done_at"]}  # fmt: skip


Both = tuple[Callable[[Doc], Row], Callable[[Row], tuple[str, Doc]]]  # (row, doc) of a kind


def _keyed(key: str, fields: tuple[str, ...]) -> Both:
    """A kind whose tinydb key is its column `key` and whose document holds the `fields`."""

    def row(d: Doc) -> Row:
        return {key: d["key"], **{f: d.get(f) for f in fields}}

    def doc(r: Row) -> tuple[str, Doc]:
        return str(r[key]), {f: r[f] for f in fields}

    return row, doc


def _renamed(names: Mapping[str, str], key: Callable[[Row], str]) -> Both:
    """A kind whose document fields are its columns renamed (column → field)."""

    def row(d: Doc) -> Row:
        return {column: d.get(field) for column, field in names.items()}

    def doc(r: Row) -> tuple[str, Doc]:
        return key(r), {field: r[column] for column, field in names.items()}

    return row, doc


_SUBS = _renamed({"platform": "platform", "user_id": "user", "chat": "chat", "since": "since"},
                 lambda r: f"{r['platform']}:{r['user_id']}")  # fmt: skip
_RELEASES = _renamed({"issue": "issue", "released_at": "released_at"}, lambda r: str(r["issue"]))
_CHANNELS = _renamed({"platform": "platform", "chat": "chat", "opted_by": "by", "since": "since"},
                     lambda r: f"{r['platform']}:{r['chat']}")  # fmt: skip
_INSTALLS = _renamed({"workspace": "workspace", "record": "record", "saved_at": "saved_at"},
                     lambda r: str(r["workspace"]))  # fmt: skip
_CHATS = _renamed({"chat": "chat", "workspace": "workspace"}, lambda r: str(r["chat"]))
_AUDIT = _renamed({"at": "at", "who": "who", "place": "where", "action": "action",
                   "detail": "detail"}, lambda r: f"{r['at']}|{uuid.uuid4().hex[:8]}")  # fmt: skip


def _run(d: Doc) -> Row:
    return {"name": d["key"], "due": d["at"]}


def _run_doc(r: Row) -> tuple[str, Doc]:
    return str(r["name"]), {"at": r["due"]}


def _settings(d: Doc) -> Row:
    return {"destination": d["key"], "time": d.get("time"), "zone": d.get("zone"),
            "language": d.get("language"), "muted": list(d.get("muted") or ()),
            "weekly": d.get("weekly")}  # fmt: skip


def _settings_doc(r: Row) -> tuple[str, Doc]:
    """As the tinydb backend writes it: `muted` and `weekly` only where one is set."""
    doc = {"time": r["time"], "zone": r["zone"], "language": r["language"]}
    if r.get("muted") or r.get("weekly"):
        doc |= {"muted": list(r.get("muted") or ()), "weekly": r.get("weekly")}
    return str(r["destination"]), doc


def _history(d: Doc) -> Row:
    return {"issue": d["issue"], "destination": d["dest"], "record": d}


def _history_doc(r: Row) -> tuple[str, Doc]:
    return f"{r['issue']}|{r['destination']}", dict(r["record"])


def _installation(d: Doc) -> Row:
    return {**_INSTALLS[0](d), "saved_at": d.get("saved_at") or _now()}


KINDS: tuple[Kind, ...] = (
    Kind("subscriptions", "subscriptions", ("platform", "user_id", "chat", "since"),
         "subscriptions", *_SUBS, times=("since",),
         reader=(Match((("platform", "platform"), ("user_id", "user"))),)),
    Kind("releases", "releases", ("issue", "released_at"), "releases", *_RELEASES,
         times=("released_at",)),
    Kind("delivery parts", "delivery_parts", ("issue", "destination", "part", "state", "platform",
         "chat", "message_id", "thread"), "deliveries", _part, _part_doc,
         reader=(Match((("destination", "dm"),)),)),
    Kind("deliveries done", "deliveries_done", ("issue", "destination", "parts", "parent",
         "done_at"), "deliveries", _done, _done_doc, times=("done_at",),
         reader=(Match((("destination", "dm"),)),)),
    Kind("schedule runs", "schedule_runs", ("name", "due"), "schedule", _run, _run_doc,
         times=("due",)),
    Kind("opted-in channels", "channels", ("platform", "chat", "opted_by", "since"), "channels",
         *_CHANNELS, times=("since",),
         reader=(Match((("platform", "platform"), ("opted_by", "user")), blank="opted_by"),)),
    Kind("destination settings", "destination_settings", ("destination", "time", "zone",
         "language", "muted", "weekly"), "destination_settings", _settings, _settings_doc,
         reader=(Match((("destination", "dm"),)),)),
    Kind("slack installations", "slack_installations", ("workspace", "record", "saved_at"),
         "slack_installations", _installation, _INSTALLS[1], times=("saved_at",),
         jsons=("record",)),
    Kind("slack chats", "slack_chats", ("chat", "workspace"), "slack_chats", *_CHATS,
         reader=(Match((("chat", "chat"),)),), only="slack"),
    Kind("slack oauth states", "slack_oauth_states", ("state", "expires_at"),
         "slack_oauth_states", *_keyed("state", ("expires_at",))),
    Kind("inbound claims", "inbound_claims", ("key", "claimed_at"), "inbound",
         *_renamed({"key": "key", "claimed_at": "at"}, lambda r: str(r["key"])),
         times=("claimed_at",)),
    Kind("feedback votes", "feedback_votes", ("issue", "reader", "vote"), "votes",
         *_renamed({"issue": "issue", "reader": "reader", "vote": "vote"},
                   lambda r: f"{r['issue']}|{r['reader']}"),
         reader=(Match((("reader", "who"),)),)),
    Kind("feedback reactions", "feedback_reactions", ("issue", "section", "who", "reaction",
         "count"), "reactions",
         *_renamed({c: c for c in ("issue", "section", "who", "reaction", "count")},
                   lambda r: f"{r['issue']}|{r['section']}|{r['who']}|{r['reaction']}"),
         reader=(Match((("who", "who"),)),)),
    Kind("feedback messages", "feedback_messages", ("platform", "chat", "message_id", "issue",
         "sections"), "messages",
         *_renamed({"platform": "platform", "chat": "chat", "message_id": "id", "issue": "issue",
                    "sections": "sections"},
                   lambda r: f"{r['platform']}:{r['chat']}:{r['message_id']}"),
         reader=(Match((("platform", "platform"), ("chat", "chat"))),)),
    Kind("delivery history", "delivery_history", ("issue", "destination", "record"), "history",
         _history, _history_doc, jsons=("record",),
         reader=(Match((("destination", "dm"),)),)),
    Kind("report choices", "report_choices", ("who", "since"), "report_choices",
         *_renamed({"who": "who", "since": "since"}, lambda r: str(r["who"])), times=("since",),
         reader=(Match((("who", "who"),)),)),
    Kind("sent copies", "sent_copies", ("issue", "destination", "part", "platform", "chat", "ids",
         "thread", "digest", "variant", "sent_at", "editing", "gone"), "copies",
         *_renamed({"issue": "issue", "destination": "dest", "part": "part",
                    "platform": "platform", "chat": "chat", "ids": "ids", "thread": "thread",
                    "digest": "digest", "variant": "variant", "sent_at": "sent_at",
                    "editing": "editing", "gone": "gone"},
                   lambda r: f"{r['issue']}|{r['destination']}|{r['part']}"),
         times=("sent_at",), reader=(Match((("destination", "dm"),)),)),
    Kind("issue revisions", "issue_revisions", ("issue", "digest", "since", "done",
         "corrected_at"), "revisions",
         *_renamed({c: c for c in ("issue", "digest", "since", "done", "corrected_at")},
                   lambda r: str(r["issue"])),
         times=("since", "corrected_at")),
    Kind("approvals", "approvals", ("issue", "approved_by", "approved_at", "digest"), "approvals",
         *_renamed({"issue": "issue", "approved_by": "by", "approved_at": "at",
                    "digest": "digest"}, lambda r: str(r["issue"])),
         times=("approved_at",),
         reader=(Match((("approved_by", "who"),), blank="approved_by", to=FORGOTTEN),)),
    Kind("editor notices", "editor_notices", ("key", "noticed_at"), "notices",
         *_renamed({"key": "key", "noticed_at": "at"}, lambda r: str(r["key"])),
         times=("noticed_at",)),
    Kind("audit log", "audit_log", ("at", "who", "place", "action", "detail"), "audit", *_AUDIT,
         times=("at",), reader=(Match((("who", "who"),), blank="who", to=FORGOTTEN),
                                Match((("place", "place"),), blank="place", to=FORGOTTEN))),
)  # fmt: skip
BY_NAME = {kind.name: kind for kind in KINDS}
# Tables no dump holds, and why: work in flight that dies with the process that queued it.
TRANSIENT = {
    "post_requests": "a standby's /post waiting for the leader",
    "schema_version": "the header's",
}


def normal(kind: Kind, row: Row) -> Row:
    """`row` as a record: its times in UTC ISO form, in the kind's column order."""
    return {c: iso(row.get(c)) if c in kind.times else row.get(c) for c in kind.columns}
