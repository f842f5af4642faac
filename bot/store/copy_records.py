"""The sent parts kept for corrections (`Copy`) and the issues' revisions (`Revision`), as both
backends write them: plain fields, the ids of a part's messages joined by spaces."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.delivery.ports import Copy, Revision
from bot.core.model.messages import MessageRef


def copy_fields(copy: Copy) -> dict[str, Any]:
    ref = copy.ref
    return {
        "issue": copy.issue, "dest": copy.destination, "part": copy.part,
        "platform": ref.platform if ref else None, "chat": ref.chat if ref else None,
        "ids": " ".join(ref.ids) if ref else None, "thread": ref.thread if ref else None,
        "digest": copy.digest, "variant": copy.variant, "sent_at": copy.sent_at,
        "editing": copy.editing, "gone": copy.gone,
    }  # fmt: skip


def copy_of(row: dict[str, Any]) -> Copy:
    ref = None
    if row.get("ids"):
        first, *more = str(row["ids"]).split(" ")
        ref = MessageRef(row["platform"], row["chat"], first, row.get("thread"), tuple(more))
    sent_at = row["sent_at"]
    if isinstance(sent_at, str):
        sent_at = dt.datetime.fromisoformat(sent_at)
    return Copy(row["issue"], row["dest"], row["part"], ref, row["digest"], row["variant"],
                sent_at, row.get("editing") or "", row.get("gone") or "")  # fmt: skip


def revision_fields(revision: Revision) -> dict[str, Any]:
    return {"digest": revision.digest, "since": revision.since, "done": revision.done,
            "corrected_at": revision.corrected_at}  # fmt: skip


def revision_of(row: dict[str, Any]) -> Revision:
    def when(value: Any) -> dt.datetime | None:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else value

    since = when(row["since"])
    assert since is not None
    return Revision(row["digest"], since, bool(row["done"]), when(row.get("corrected_at")))
