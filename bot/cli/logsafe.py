"""Keep secrets out of logs: a filter on the root handlers that masks every token and signing
secret of the environment wherever it would appear — messages, arguments, tracebacks — so that
no library's debug line (an HTTP URL with a Telegram token in its path, say) can leak one.
For `DATABASE_URL` the whole URL and its password alone (as written and percent-decoded) are
masked. Slack tokens that are not in the environment (each OAuth workspace's bot and refresh
tokens, `xoxb-…`, `xoxe-…`, `xoxp-…`, and app tokens `xapp-…`) are masked by their shape."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings

MASK = "***"
MIN_SECRET = 6  # shorter values would mask ordinary words
SLACK_TOKEN = re.compile(r"\b(?:xox[abpers]|xapp)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return SLACK_TOKEN.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def secret_values(secrets: BaseSettings) -> list[str]:
    """Every secret of a secrets model (`Secrets`, a platform's `SlackSecrets`, ...)."""
    values = []
    for name in type(secrets).model_fields:
        value = getattr(secrets, name)
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
    database_url = getattr(secrets, "database_url", None)
    if isinstance(database_url, SecretStr):
        values.extend(url_passwords(database_url.get_secret_value()))
    return values


def url_passwords(url: str) -> list[str]:
    """The password of a `postgresql://user:password@host/db` URL, raw and decoded."""
    try:
        raw = urlsplit(url).netloc.rpartition("@")[0].partition(":")[2]
    except ValueError:
        return []
    return [raw, unquote(raw)] if raw else []


def install(secrets: Iterable[BaseSettings]) -> None:
    """Attach the filter to every handler of the root logger (they see every record)."""
    redact = RedactSecrets([value for model in secrets for value in secret_values(model)])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
