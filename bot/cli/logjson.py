"""`[log] format = "json"`: one JSON object per line (time, level, logger, message, and the
run, issue, destination and platform where known: `bot/core/logfields.py`), for a log
collector. The secret masking (`logsafe.py`) runs before it, on every handler, so a JSON line
holds only what a text line would."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.core.logfields import known


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **known(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def use_json() -> None:
    """Every handler of the root logger writes JSON lines from now on."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonFormatter())
