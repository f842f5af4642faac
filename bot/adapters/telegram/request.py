"""PTB's HTTP request, with JSON bodies: what a message costs to send (#27, docs/benchmarks.md).

python-telegram-bot's `HTTPXRequest` posts every call as `application/x-www-form-urlencoded`
(docs/platforms.md): httpx percent-encodes the text with `urllib.parse.quote_plus`, a Python
loop over every byte — ~1.5 ms of CPU for a 4,000-character Korean message, more than the rest
of the send. The Bot API takes the same parameters as a JSON body (`application/json`), which
orjson writes in microseconds. So calls without files go as JSON (`RequestData.parameters`: the
parameters PTB prepared, nested objects as objects); calls with files stay multipart, as PTB
sends them. Everything else (timeouts, errors, the pool) is PTB's `HTTPXRequest`, a documented
extension point (`ApplicationBuilder.request`).
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._baserequest import BaseRequest

# Connections at most: above paid broadcast's 512 delivery workers, so that a send never waits
# for the pool (PTB's default, 256, turned the first second of a paid run into pool timeouts).
POOL = 1024
# Idle connections kept open. httpcore looks at every pooled connection on each request (expired?
# readable?), ~10 µs each: a pool that grew to 60 in a burst cost 0.6 ms a message. The pacer keeps
# the requests in flight to a few (30/s) or a few dozen (paid broadcast, 1,000/s).
KEEP_ALIVE = 32
JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


class JsonRequest(HTTPXRequest):
    """`HTTPXRequest` sending a call without files as one JSON body, keeping at most
    `KEEP_ALIVE` idle connections (httpcore checks every pooled connection on every request)."""

    def __init__(self, **kwargs: Any) -> None:
        pool = kwargs.pop("connection_pool_size", POOL)
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=KEEP_ALIVE)
        super().__init__(connection_pool_size=pool, httpx_kwargs={"limits": limits}, **kwargs)

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
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        client = self._client
        if client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        default = client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, default.connect),
            read=_given(read_timeout, default.read),
            write=_given(write_timeout, default.write),
            pool=_given(pool_timeout, default.pool),
        )
        body = orjson.dumps(request_data.parameters)
        try:
            res = await client.request(
                method=method, url=url, headers=JSON_HEADERS, timeout=timeout, content=body
            )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(
                    "Pool timeout: All connections in the connection pool are occupied. "
                    "Request was *not* sent to Telegram."
                ) from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value
