"""What a log line is about, where it is known: the delivery run, the issue, the destination's
key and the platform. Context variables, so every record logged inside a run's task (or a
command's) carries them without each call passing them; `[log] format = "json"` writes them
as fields (bot/cli/logjson.py), the text format leaves them out."""

from __future__ import annotations

from contextvars import ContextVar

RUN: ContextVar[str | None] = ContextVar("run", default=None)
ISSUE: ContextVar[int | None] = ContextVar("issue", default=None)
DESTINATION: ContextVar[str | None] = ContextVar("destination", default=None)
PLATFORM: ContextVar[str | None] = ContextVar("platform", default=None)
FIELDS: dict[str, ContextVar[str | None] | ContextVar[int | None]] = {
    "run": RUN,
    "issue": ISSUE,
    "destination": DESTINATION,
    "platform": PLATFORM,
}


def known() -> dict[str, object]:
    """The fields set in this context."""
    return {name: value for name, var in FIELDS.items() if (value := var.get()) is not None}
