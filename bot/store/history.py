"""What both backends share for the delivery history: one `Attempt` merged into the one kept
(`merge`), and the record as plain JSON (`to_doc`/`from_doc`): a tinydb document, a jsonb."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from bot.core.runs import FAILURE_KINDS, Attempt, FailureKind


def merge(old: Attempt | None, new: Attempt) -> Attempt:
    """`new` kept over `old`: every part sent (its first time), done once done, the latest
    failure (none after a success)."""
    if old is None:
        return new
    sent = dict(new.sent)
    sent.update(old.sent)  # the first time a part went out is the one kept
    done = old.done or new.done  # a thread done is not failed later
    return Attempt(
        new.issue, new.destination, new.parts or old.parts, max(old.at, new.at),
        tuple(sorted(sent.items())), done,
        None if done else new.failure, "" if done else new.detail,
    )  # fmt: skip


def to_doc(attempt: Attempt) -> dict[str, Any]:
    return {
        "issue": attempt.issue, "dest": attempt.destination, "parts": attempt.parts,
        "at": attempt.at.isoformat(), "done": attempt.done, "failure": attempt.failure,
        "detail": attempt.detail, "sent": [[part, at.isoformat()] for part, at in attempt.sent],
    }  # fmt: skip


def from_doc(doc: dict[str, Any]) -> Attempt:
    failure = doc.get("failure")
    kind = cast(FailureKind, failure) if failure in FAILURE_KINDS else None
    return Attempt(
        int(doc["issue"]), str(doc["dest"]), int(doc.get("parts") or 0), _time(doc["at"]),
        tuple((int(part), _time(at)) for part, at in doc.get("sent") or ()),
        bool(doc.get("done")), kind, str(doc.get("detail") or ""),
    )  # fmt: skip


def _time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
