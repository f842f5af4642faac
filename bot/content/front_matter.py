"""The front matter's keys and their TOML types (`draft`, `publish_at` are optional)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib

FRONT_KEYS = {
    "number": int, "date": dt.date, "title": str, "keywords": list, "draft": bool,
    "publish_at": dt.datetime,
}  # fmt: skip
OPTIONAL = frozenset({"keywords", "draft", "publish_at"})


def is_a(value: object, kind: type) -> bool:
    """TOML values: a datetime is not a date, a bool is not an int, a date is not a datetime."""
    if isinstance(value, bool) != (kind is bool):
        return False
    if kind is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, kind)


def toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def toml_msg(exc: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
