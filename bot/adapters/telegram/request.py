"""PTB's HTTP transport: one aiohttp session, JSON bodies (what a message costs, #27).

python-telegram-bot talks to the Bot API through a `BaseRequest` (`ApplicationBuilder.request`,
a documented extension point: PTB builds every call, handles every answer and error; the
request only moves bytes). Its shipped `HTTPXRequest` cost more CPU than the rest of a delivery
(docs/benchmarks.md):

- it posts every call as `application/x-www-form-urlencoded`: httpx percent-encodes the text
  with `urllib.parse.quote_plus`, a Python loop over every byte (~1.5 ms for a 4,000-character
  Korean message). The Bot API takes the same parameters as a JSON body (`application/json`),
  which orjson writes in microseconds (`RequestData.parameters`: the parameters PTB prepared,
  nested objects as objects). The bot uploads no files; a call with one is refused, not sent.
- httpcore's pool looks at every pooled connection on each request (expired? readable?): with
  paid broadcast's hundreds of connections that was half the CPU of a send. aiohttp's connector
  (which slack_sdk uses too) hands out a kept-alive connection in constant time.

Answers are parsed with orjson (`parse_json_payload`, PTB's documented hook); errors are PTB's:
a timeout is `TimedOut` (a pool timeout says the request was not sent), any other transport
failure `NetworkError`, and PTB maps the HTTP status and the answer's JSON as it always does.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

# Connections at most: above paid broadcast's 512 delivery workers, so that a send never waits
# for the pool (256, PTB's default, turned the first second of a paid run into pool timeouts).
POOL = 1024
TIMEOUT = 5.0  # seconds: PTB's defaults for read, write and connect
POOL_TIMEOUT = 1.0  # PTB's default wait for a free connection
JSON = "application/json"


class AiohttpRequest(BaseRequest):
    """PTB's `BaseRequest` over one `aiohttp.ClientSession` (opened by `initialize`, closed by
    `shutdown`), calls without files as JSON bodies.

    Timeouts as PTB means them: `connect` bounds opening a connection, `pool` the wait for a
    free one (aiohttp counts both in its `connect`), `read` each read of the answer; `write` has
    no aiohttp counterpart (a request body is written in one go) and only widens the total.
    """

    def __init__(
        self,
        connection_pool_size: int = POOL,
        read_timeout: float | None = TIMEOUT,
        write_timeout: float | None = TIMEOUT,
        connect_timeout: float | None = TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self._pool = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._default_timeout = _timeout(*self._timeouts)
        self._session: aiohttp.ClientSession | None = None
        self._headers = {"User-Agent": self.USER_AGENT}

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The answer's JSON, read by orjson (PTB's hook; the shipped one uses `json.loads`)."""
        try:
            parsed = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise TelegramError("Invalid server response") from exc
        if not isinstance(parsed, dict):
            raise TelegramError("Invalid server response")
        return parsed

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        given = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        timeout = self._default_timeout
        if not all(isinstance(value, DefaultValue) for value in given):
            timeout = _timeout(*(
                default if isinstance(value, DefaultValue) else value
                for value, default in zip(given, self._timeouts, strict=True)
            ))  # fmt: skip
        body: bytes | None = None
        headers: dict[str, str] | None = None
        if request_data is not None and request_data.contains_files:
            raise TelegramError("this bot uploads no files: a call with a file was not sent")
        if request_data is not None:
            body, headers = orjson.dumps(request_data.parameters), {"Content-Type": JSON}
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut(
                "Timed out waiting for a connection: the request was *not* sent to Telegram."
            ) from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc


def _timeout(
    read: float | None, write: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=_sum(read, write, connect, pool),
        connect=_sum(connect, pool),
        sock_connect=connect,
        sock_read=read,
    )


def _sum(*parts: float | None) -> float | None:
    """None (no limit) if any part is unlimited, else their sum."""
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
