"""A strict local fake of the Slack Web API, Socket Mode and ``response_url``.

Serve it on a free port and point the real SDK at it::

    async with FakeSlackAPI() as slack:
        slack.add_channel("C1")
        client = AsyncWebClient(token="xoxb-test-token", base_url=slack.base_url)
        await client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages("C1")[0].text == "hi"

Wire behaviour follows docs/platforms.md §1: JSON or form bodies merged with the query
string, ``application/json`` answers, ``{"ok": false, "error": ...}`` with HTTP 200 for API errors
and HTTP 429 + ``Retry-After`` for rate limits. Where the fake is stricter than Slack it says so:

* Channels are addressed by ID only (no ``#name``); unknown IDs are ``channel_not_found``, as are
  private channels the bot is not in; a public channel without the bot is ``not_in_channel``.
* ``thread_ts`` must be the ``ts`` of a top-level message already posted in that channel, else
  ``thread_not_found``. (Real Slack may post an unknown or reply ``thread_ts`` as a new message.)
* ``chat.update`` and ``chat.delete`` take the bot's own messages by ``channel`` and ``ts``:
  ``message_not_found`` for one that is not there (`delete_by_user` removes one),
  ``cant_delete_message`` for one `protect`ed, ``is_inactive`` in an archived channel,
  ``msg_too_long`` past 4,000 characters of ``text``; each message keeps its ``history``.
* ``conversations.open`` supports 1:1 DMs only (several users answer ``fake_unsupported_mpim``).
* ``chat.postEphemeral`` and ``views.publish`` need users registered with `add_user`.
* ``response_url`` accepts JSON bodies only, checks their blocks like ``chat.postMessage``
  (400 ``invalid_blocks``), and takes at most `RESPONSE_URL_USES` posts; later ones get 404
  ``used_url`` (docs/platforms.md §1.4: "up to 5 times"; the error body is the fake's choice).
* ``users.info`` answers users registered with `add_user` (``is_admin``, ``is_owner``, ``tz``,
  and the ``locale`` only when asked with ``include_locale``), others ``user_not_found``;
  ``conversations.info`` answers ``is_member`` for channels registered with `add_channel`, and
  ``channel_not_found`` for unknown ones and private ones the bot is not in.
* `fail_next` targets a call by its ``channel``, or the user of ``conversations.open``
  (``users``) and ``views.publish`` (``user_id``), so a 429 can hit one user's DM or Home tab.
* With ``enforce_limits`` only ``chat.postMessage`` is limited: a burst of 3 per channel, then one
  per second. All periods are divided by ``time_scale``; ``Retry-After`` is in the same scaled
  seconds (``ceil``, at least 1), so a client sleeping ``Retry-After / time_scale`` keeps pace.
  ``clock`` (default ``time.monotonic``) times these limits, so a test can move time itself.

OAuth distribution (many workspaces): ``GET /oauth/v2/authorize`` stands for the user pressing
"Allow": it makes a new workspace (`next_install` can name it and give its tokens an expiry)
and redirects to ``redirect_uri`` with a one-time ``code`` and the ``state`` it was given.
``oauth.v2.access`` (client id and secret as HTTP Basic auth or in the body) exchanges the
code for that workspace's bot token, or with ``grant_type=refresh_token`` rotates it. Each
token answers ``auth.test`` with its own workspace; a token past its expiry is
``token_expired``, one of a workspace that `uninstall`ed is ``invalid_auth``. Channels and users
may belong to a workspace (``team``); another workspace's token gets ``channel_not_found`` /
``user_not_found`` there (``chat.postMessage``, ``conversations.info``, ``conversations.open``). Every `Call` records the workspace of its token (``team``).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import itertools
import json
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.test_utils import TestServer

from tests.fakes.slack_blocks import (
    SlackError,
    block_errors,
    flag,
    home_view,
    invalid_arguments,
    message_content,
    parse_blocks,
)

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[JsonDict]]

BOT_ID = "B0001"
APP_ID = "A0001"
BURST = 3
RESPONSE_URL_USES = 5
UPDATE_TEXT_LIMIT = 4000  # chat.update's `text` (PLATFORMS.md §A2: msg_too_long)
TARGETS = ("channel", "users", "user_id")  # what `fail_next` matches, by method


@dataclass(frozen=True, slots=True)
class Call:
    """One Web API request: ``params`` is the form or JSON body merged over the query string."""

    method: str
    params: JsonDict
    headers: dict[str, str]
    at: float  # time.monotonic()
    team: str | None = None  # the workspace of the call's token, if it has one

    @property
    def token(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ")


@dataclass(frozen=True, slots=True)
class Posted:
    channel: str
    ts: str
    text: str | None
    blocks: list[Any] | None
    thread_ts: str | None
    unfurl_links: bool | None
    unfurl_media: bool | None
    reply_broadcast: bool | None
    history: tuple[str | None, ...] = ()  # its texts before each chat.update, oldest first


@dataclass(frozen=True, slots=True)
class Ephemeral:
    channel: str
    user: str
    message_ts: str
    text: str | None
    blocks: list[Any] | None
    thread_ts: str | None


@dataclass(slots=True)
class _Channel:
    members_include_bot: bool
    archived: bool
    is_private: bool
    team: str | None = None


@dataclass(slots=True)
class Workspace:
    """One workspace the app is installed in (OAuth)."""

    team_id: str
    name: str
    bot_user_id: str
    bot_id: str
    expires_in: int | None  # token rotation on: seconds each access token lives
    token: str = ""
    refresh_token: str | None = None
    installed: bool = False
    uninstalled: bool = False
    tokens: dict[str, float] = field(default_factory=dict)  # every token issued -> expires at


@dataclass(slots=True)
class _Failure:
    channel: str | None
    method: str | None
    error: str
    remaining: int
    retry_after: int


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


def block_actions(
    button: JsonDict,
    response_url: str | None = None,
    *,
    user: str = "U1",
    channel: str = "C1",
    selected: object = None,
) -> JsonDict:
    """The `block_actions` payload Slack posts to the app when `user` presses `button` (an
    element of an actions block): on a message in `channel`, answered through `response_url`,
    or, without one, on the user's Home tab (views have no response_url). For a `timepicker`
    `selected` is the `selected_time` ("07:30"); for a `static_select` the chosen option's
    value (its `selected_option`, with the option's text when the element has that value); for
    `checkboxes` the values checked now (its `selected_options`)."""
    kind = button.get("type", "button")
    action: JsonDict = {
        "type": kind,
        "action_id": button.get("action_id"),
        "block_id": button.get("block_id", "nav"),
        "action_ts": f"{time.time():.6f}",
    }
    if kind == "timepicker":
        action["selected_time"] = selected
    elif kind == "static_select":
        texts = {o.get("value"): o.get("text") for o in button.get("options", [])}
        label = texts.get(selected, {"type": "plain_text", "text": str(selected), "emoji": True})
        action["selected_option"] = {"text": label, "value": selected}
    elif kind == "checkboxes":
        texts = {o.get("value"): o.get("text") for o in button.get("options", [])}
        chosen = selected if isinstance(selected, list) else []
        action["selected_options"] = [{"text": texts.get(v), "value": v} for v in chosen]
    else:
        action |= {"text": button.get("text"), "value": button.get("value")}
    payload: JsonDict = {
        "type": "block_actions",
        "user": {"id": user, "username": "reader", "team_id": "T0001"},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "team": {"id": "T0001", "domain": "fake"},
        "trigger_id": "1.2.3",
        "actions": [action],
    }
    if response_url is None:
        view = {"id": f"V{user}", "type": "home"}
        return payload | {"container": {"type": "view", "view_id": view["id"]}, "view": view}
    container = {"type": "message", "channel_id": channel, "is_ephemeral": True}
    return payload | {
        "container": container,
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
    }


def reaction_event(
    kind: str, user: str, channel: str, ts: str, reaction: str = "thumbsup"
) -> JsonDict:
    """The inner event of a `reaction_added` / `reaction_removed` (docs.slack.dev's example,
    PLATFORMS.md §3 B1) by `user` on the bot's message `ts` in `channel`; a reply's own ts,
    never its thread's. Wrapped in an `event_callback` envelope as every event is."""
    item = {"type": "message", "channel": channel, "ts": ts, "channel_type": "channel"}
    return {"type": kind, "user": user, "reaction": reaction, "item_user": "UBOT", "item": item,
            "event_ts": f"{time.time():.6f}"}  # fmt: skip


def _json(body: JsonDict, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


class FakeSlackAPI:
    """The fake server plus its scenario knobs (`add_channel`, `add_user`, `fail_next`) and its
    records (`calls`, `messages`, `ephemerals`, `views`, `responses`, `envelopes`, `acks`).

    Close SDK clients (especially a Socket Mode client) before the fake, or they try to reconnect.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        client_id: str = "1111.2222",
        client_secret: str = "fake-client-secret",
        enforce_limits: bool = False,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self._clock = clock
        self.team_id, self.bot_user_id = team_id, bot_user_id
        self.client_id, self.client_secret = client_id, client_secret
        self.workspaces: dict[str, Workspace] = {}  # team id -> workspace, OAuth installs
        self._codes: dict[str, Workspace] = {}  # one-time codes not yet exchanged
        self._refresh: dict[str, Workspace] = {}  # live refresh tokens
        self._next_install: list[Workspace] = []
        self._team_seq = itertools.count(1)
        self._user_teams: dict[str, str] = {}
        self._posted_by: dict[str, list[str | None]] = {}
        self._team: str | None = None  # the workspace of the request being answered
        self._token_teams: dict[str, str] = {}  # every token issued -> its workspace
        self.enforce_limits, self.time_scale = enforce_limits, time_scale
        self.calls: list[Call] = []
        self.rate_limited = 0  # 429s answered, injected or from enforce_limits
        self.envelopes: list[JsonDict] = []  # sent over Socket Mode
        self.acks: list[JsonDict] = []  # received over Socket Mode
        self._channels: dict[str, _Channel] = {}
        self._channel_names: dict[str, str] = {}  # conversations.info's "name"
        self._users: dict[str, bool] = {}  # user id -> deleted
        self._profiles: dict[str, JsonDict] = {}  # user id -> is_admin, is_owner, locale
        self._dms: dict[str, str] = {}  # user id -> D… channel id
        self._messages: dict[str, list[Posted]] = {}
        self._ephemerals: dict[str, list[Ephemeral]] = {}
        self._views: dict[str, list[JsonDict]] = {}
        self._responses: dict[str, list[JsonDict]] = {}
        self._failures: list[_Failure] = []
        self._protected: set[tuple[str, str]] = set()  # chat.delete refuses these
        self.deleted: list[tuple[str, str]] = []  # (channel, ts) the bot deleted, in order
        self._buckets: dict[str, _Bucket] = {}
        self._seq = itertools.count(1)  # response URL ids and socket tickets
        self._ts_seq = itertools.count(1)
        self._release = asyncio.Event()
        self._hung = 0
        self._closing = False
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()
        self._ack_waiters: dict[str, asyncio.Future[JsonDict]] = {}
        self._server: TestServer | None = None
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_access,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "views.publish": self._views_publish,
        }

    # lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{response_id}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/oauth/v2/authorize", self._authorize_page)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        self._closing = True
        self._release.set()
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake shutting down")
        for waiter in self._ack_waiters.values():
            waiter.cancel()
        if self._server is not None:
            await self._server.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def origin(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlackAPI is not started")
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    # scenario setup and inspection -----------------------------------------------------------

    def add_channel(
        self,
        channel_id: str,
        *,
        members_include_bot: bool = True,
        archived: bool = False,
        is_private: bool = False,
        team: str | None = None,
        name: str | None = None,
    ) -> None:
        """`name`: what conversations.info says (default: the id in lower case)."""
        self._channels[channel_id] = _Channel(members_include_bot, archived, is_private, team)
        self._channel_names[channel_id] = name or channel_id.lower()

    def add_user(
        self,
        user_id: str,
        *,
        deleted: bool = False,
        admin: bool = False,
        owner: bool = False,
        locale: str | None = None,
        team: str | None = None,
        tz: str = "Asia/Seoul",
    ) -> None:
        """Register (or re-register, e.g. to deactivate) a user: a workspace admin or owner,
        with a locale (``en-US``) and a time zone (``tz``), as ``users.info`` tells; `team` for
        an OAuth workspace's."""
        self._users[user_id] = deleted
        self._profiles[user_id] = {"is_admin": admin or owner, "is_owner": owner, "locale": locale,
                                   "tz": tz, "tz_label": tz, "tz_offset": 0}  # fmt: skip
        if team is not None:
            self._user_teams[user_id] = team

    # OAuth workspaces ------------------------------------------------------------------------

    def next_install(
        self, team_id: str | None = None, *, name: str = "", expires_in: int | None = None
    ) -> Workspace:
        """The workspace the next "Allow" on the authorize page installs into."""
        number = next(self._team_seq)
        team = team_id or f"T{number:04d}W"
        workspace = Workspace(team, name or f"Workspace {team}", f"UBOT{team}", f"B{team}",
                              expires_in)  # fmt: skip
        self._next_install.append(workspace)
        return workspace

    def installed(self, team_id: str, token: str) -> Workspace:
        """A workspace already installed with `token` (no rotation): for benchmarks that seed
        many workspaces without running the flow for each."""
        workspace = Workspace(team_id, f"Workspace {team_id}", f"UBOT{team_id}", f"B{team_id}",
                              None, token=token, installed=True)  # fmt: skip
        workspace.tokens[token] = time.time() + 10**9
        self._token_teams[token] = team_id
        self.workspaces[team_id] = workspace
        return workspace

    def code_for(self, workspace: Workspace) -> str:
        """A one-time code that installs `workspace` when exchanged."""
        code = f"code-{workspace.team_id}-{next(self._seq)}"
        self._codes[code] = workspace
        return code

    def expire_token(self, team_id: str) -> None:
        """The workspace's current access token is past its expiry from now on."""
        workspace = self.workspaces[team_id]
        workspace.tokens[workspace.token] = 0.0

    def refuse_refresh(self, team_id: str) -> None:
        """The workspace's refresh token is no good any more (``invalid_refresh_token``)."""
        self._refresh = {k: w for k, w in self._refresh.items() if w.team_id != team_id}

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: every token of it is refused (invalid_auth)."""
        self.workspaces[team_id].uninstalled = True

    def team_of_token(self, token: str) -> Workspace | None:
        team = self._token_teams.get(token)
        return self.workspaces.get(team) if team is not None else None

    def posted_by(self, channel_id: str) -> list[str | None]:
        """The workspace whose token posted each message now in `channel_id`, oldest first."""
        return list(self._posted_by.get(channel_id, []))

    def dm_channel(self, user_id: str) -> str | None:
        """The D… id `conversations.open` returned for this user, if it was called."""
        return self._dms.get(user_id)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def messages(self, channel_id: str) -> list[Posted]:
        return list(self._messages.get(channel_id, []))

    def delete_by_user(self, channel_id: str, ts: str) -> None:
        """Someone removed the message (a workspace admin, a retention policy): chat.update
        of it is then ``message_not_found``."""
        kept = [m for m in self._messages.get(channel_id, []) if m.ts != ts]
        self._messages[channel_id] = kept

    def protect(self, channel_id: str, ts: str) -> None:
        """chat.delete of this message answers ``cant_delete_message``."""
        self._protected.add((channel_id, ts))

    def ephemerals(self, channel_id: str) -> list[Ephemeral]:
        return list(self._ephemerals.get(channel_id, []))

    def views(self, user_id: str) -> list[JsonDict]:
        """Every view published for this user, oldest first."""
        return list(self._views.get(user_id, []))

    def response_url(self) -> str:
        response_id = f"R{next(self._seq):06d}"
        self._responses[response_id] = []
        return f"{self.origin}/respond/{response_id}"

    def responses(self, url_or_id: str) -> list[JsonDict]:
        """JSON bodies POSTed to a `response_url()` (pass the URL or its last path segment)."""
        return list(self._responses[url_or_id.rstrip("/").rsplit("/", 1)[-1]])

    def fail_next(
        self,
        channel: str | None,
        error: str,
        *,
        count: int = 1,
        retry_after: int = 1,
        method: str | None = None,
    ) -> None:
        """Fail the next `count` Web API calls with `error`.

        Matches calls whose target (``channel``; ``users`` for conversations.open, ``user_id``
        for views.publish) equals `channel` (None: any call) and, if given,
        whose method is `method`. Errors: ``"ratelimited"`` (429 + Retry-After), ``"500"``/``"503"``
        (that status, HTML body), ``"malformed"`` (200, ``application/json`` that is not JSON),
        ``"timeout"`` (hang until `release_hung` then answer normally, or until `close`),
        ``"reset"`` (drop the connection), or any Slack error code (200 ``{"ok": false}``).
        """
        self._failures.append(_Failure(channel, method, error, count, retry_after))

    @property
    def hung_requests(self) -> int:
        return self._hung

    def release_hung(self) -> None:
        self._release.set()
        self._release = asyncio.Event()

    # Socket Mode -----------------------------------------------------------------------------

    async def wait_socket_connected(self, timeout: float = 5) -> None:  # noqa: ASYNC109
        await asyncio.wait_for(self._socket_connected.wait(), timeout)

    async def push_envelope(
        self,
        type: str,
        payload: JsonDict,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5,  # noqa: ASYNC109
    ) -> JsonDict | None:
        """Send an envelope to the newest socket; return the client's ack, or None on timeout."""
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected")
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        waiter = asyncio.get_running_loop().create_future()
        self._ack_waiters[envelope_id] = waiter
        self.envelopes.append(envelope)
        try:
            await self._sockets[-1].send_json(envelope)
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return None
        finally:
            self._ack_waiters.pop(envelope_id, None)

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before rotating a socket."""
        await self._sockets[-1].send_json({"type": "disconnect", "reason": reason})

    async def drop_sockets(self) -> None:
        """Close every Socket Mode connection from this side, as a lost network does."""
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"connection lost")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=1.0)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        self._socket_connected.set()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_ack(message.data)
        finally:
            self._sockets.remove(ws)
            if not self._sockets:
                self._socket_connected.clear()
        return ws

    def _on_ack(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            ack = {"not_json": data}
        self.acks.append(ack)
        waiter = self._ack_waiters.get(ack.get("envelope_id", ""))
        if waiter is not None and not waiter.done():
            waiter.set_result(ack)

    # HTTP plumbing ---------------------------------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        response_id = request.match_info["response_id"]
        if response_id not in self._responses:
            return web.Response(status=404, text="no_service")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        if not (body.get("text") or body.get("blocks") or body.get("delete_original")):
            return web.Response(status=400, text="no_text")
        if body.get("blocks") not in (None, []):
            blocks = parse_blocks(body["blocks"])
            if blocks is None or block_errors(blocks):
                return web.Response(status=400, text="invalid_blocks")
        if len(self._responses[response_id]) >= RESPONSE_URL_USES:
            return web.Response(status=404, text="used_url")
        self._responses[response_id].append(body)
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: JsonDict = dict(request.query)
        try:
            params.update(await self._body(request))
        except SlackError as error:
            return _json({"ok": False, "error": error.code})
        workspace = self.team_of_token(self._token(request, params))
        team = workspace.team_id if workspace is not None else None
        self.calls.append(Call(method, params, dict(request.headers), time.monotonic(), team))
        failure = self._take_failure(method, params)
        if failure is not None:
            failed = await self._inject(request, failure)
            if failed is not None:
                return failed
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            self._team = team  # handlers answer for this workspace (they do not await)
            if method == "oauth.v2.access":
                self._check_client(request, params)
            else:
                self._authorize(method, request, params)
            if method == "chat.postMessage" and self.enforce_limits:
                wait = self._rate_limit_wait(str(params.get("channel")))
                if wait is not None:
                    return self._ratelimited(max(1, math.ceil(wait * self.time_scale)))
            return _json(await handler(params))
        except SlackError as error:
            return _json({"ok": False, "error": error.code, **error.extra})

    async def _body(self, request: web.Request) -> JsonDict:
        if not request.body_exists:
            return {}
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("json_not_object")
            return body
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {key: value for key, value in (await request.post()).items()}
        raise SlackError("invalid_form_data")

    def _take_failure(self, method: str, params: JsonDict) -> _Failure | None:
        for failure in self._failures:
            target = next((params[key] for key in TARGETS if key in params), None)
            if failure.channel not in (None, target):
                continue
            if failure.method not in (None, method):
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            return failure
        return None

    async def _inject(self, request: web.Request, failure: _Failure) -> web.StreamResponse | None:
        """The response for an injected failure; None lets a released hung request through."""
        error = failure.error
        if error == "ratelimited":
            return self._ratelimited(failure.retry_after)
        if error.isdigit():
            html = f"<html><body><h1>{error} Server Error</h1></body></html>"
            return web.Response(status=int(error), text=html, content_type="text/html")
        if error == "malformed":
            return web.Response(text="<html>upstream error</html>", content_type="application/json")
        if error == "timeout":
            self._hung += 1
            try:
                await self._release.wait()
            finally:
                self._hung -= 1
            if not self._closing:
                return None
            error = "reset"
        if error == "reset":
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)  # never reaches the client
        return _json({"ok": False, "error": error})

    def _ratelimited(self, retry_after: int) -> web.Response:
        self.rate_limited += 1
        body = {"ok": False, "error": "ratelimited"}
        return _json(body, status=429, headers={"Retry-After": str(retry_after)})

    def _rate_limit_wait(self, channel: str) -> float | None:
        """Seconds (real) until this channel may post again, or None after taking a token."""
        now, period = self._clock(), 1.0 / self.time_scale
        bucket = self._buckets.setdefault(channel, _Bucket(BURST, now))
        bucket.tokens = min(BURST, bucket.tokens + (now - bucket.updated) / period)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) * period

    @staticmethod
    def _token(request: web.Request, params: JsonDict) -> str:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ")
        return str(params.get("token") or "")

    def _authorize(self, method: str, request: web.Request, params: JsonDict) -> None:
        token = self._token(request, params)
        if not token:
            raise SlackError("not_authed")
        workspace = self.team_of_token(token)
        if workspace is not None:
            if workspace.uninstalled:
                raise SlackError("invalid_auth")
            if workspace.tokens[token] < time.time():
                raise SlackError("token_expired")
            return
        expected, other = self.bot_token, self.app_token
        if method == "apps.connections.open":
            expected, other = other, expected
        if token == other:
            raise SlackError("not_allowed_token_type")
        if token != expected:
            raise SlackError("invalid_auth")

    # Web API methods -------------------------------------------------------------------------

    async def _auth_test(self, params: JsonDict) -> JsonDict:
        workspace = self.workspaces.get(self._team or "")
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": workspace.name if workspace else "Fake",
            "user": "newsbot",
            "team_id": workspace.team_id if workspace else self.team_id,
            "user_id": workspace.bot_user_id if workspace else self.bot_user_id,
            "bot_id": workspace.bot_id if workspace else BOT_ID,
            "is_enterprise_install": False,
        }

    def _check_client(self, request: web.Request, params: JsonDict) -> None:
        header = request.headers.get("Authorization", "")
        client = (params.get("client_id"), params.get("client_secret"))
        if header.startswith("Basic "):
            pair = base64.b64decode(header.removeprefix("Basic ")).decode()
            client = tuple(pair.split(":", 1))  # type: ignore[assignment]
        if client[0] != self.client_id:
            raise SlackError("invalid_client_id")
        if client[1] != self.client_secret:
            raise SlackError("bad_client_secret")

    async def _oauth_access(self, params: JsonDict) -> JsonDict:
        if params.get("grant_type") == "refresh_token":
            workspace = self._refresh.pop(str(params.get("refresh_token")), None)
            if workspace is None or workspace.uninstalled:
                raise SlackError("invalid_refresh_token")
            return {"ok": True, **self._issue(workspace)}
        workspace = self._codes.pop(str(params.get("code")), None)
        if workspace is None:
            raise SlackError("invalid_code")
        workspace.installed, workspace.uninstalled = True, False
        self.workspaces[workspace.team_id] = workspace
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": f"UADMIN{workspace.team_id}"},
            "scope": "chat:write,commands,im:write,im:history,app_mentions:read",
            "bot_user_id": workspace.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.name},
            "enterprise": None,
            "is_enterprise_install": False,
            **self._issue(workspace),
        }

    def _issue(self, workspace: Workspace) -> JsonDict:
        """A new access token (and refresh token, with rotation on) for `workspace`."""
        number = next(self._seq)
        workspace.token = f"xoxb-{workspace.team_id}-{number}-fake"
        lifetime = workspace.expires_in if workspace.expires_in is not None else 10**9
        workspace.tokens[workspace.token] = time.time() + lifetime
        self._token_teams[workspace.token] = workspace.team_id
        issued: JsonDict = {"access_token": workspace.token, "token_type": "bot"}
        if workspace.expires_in is not None:
            workspace.refresh_token = f"xoxe-1-{workspace.team_id}-{number}-fake"
            self._refresh[workspace.refresh_token] = workspace
            issued |= {"refresh_token": workspace.refresh_token,
                       "expires_in": workspace.expires_in}  # fmt: skip
        return issued

    async def _authorize_page(self, request: web.Request) -> web.Response:
        """The user pressed "Allow": back to the app's redirect with a code and the state."""
        query = request.query
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        if not self._next_install:
            self.next_install()
        code = self.code_for(self._next_install.pop(0))
        redirect = query.get("redirect_uri") or ""
        if not redirect:
            return web.Response(status=400, text="fake: needs redirect_uri")
        back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
        raise web.HTTPFound(f"{redirect}?{urlencode(back)}")

    async def _connections_open(self, params: JsonDict) -> JsonDict:
        ws_url = self.origin.replace("http://", "ws://")
        return {"ok": True, "url": f"{ws_url}/socket?ticket={next(self._seq)}"}

    async def _post_message(self, params: JsonDict) -> JsonDict:
        channel = self._writable_channel(params)
        text, blocks, extra = message_content(params)
        thread_ts = self._thread(channel, params)
        posted = Posted(
            channel=channel,
            ts=self._next_ts(),
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=flag(params, "unfurl_links"),
            unfurl_media=flag(params, "unfurl_media"),
            reply_broadcast=flag(params, "reply_broadcast"),
        )
        self._messages.setdefault(channel, []).append(posted)
        self._posted_by.setdefault(channel, []).append(self._team)
        message: JsonDict = {
            "type": "message",
            "text": text or "",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "ts": posted.ts,
        }
        if blocks:
            message["blocks"] = blocks
        if thread_ts:
            message |= {"thread_ts": thread_ts, "parent_user_id": self.bot_user_id}
        return {"ok": True, "channel": channel, "ts": posted.ts, "message": message, **extra}

    async def _update(self, params: JsonDict) -> JsonDict:
        """chat.update: the bot's own message by ``channel`` and ``ts`` (no ``thread_ts``);
        ``text`` over 4,000 characters is ``msg_too_long``; an empty ``blocks`` removes them."""
        channel, old = self._own_message(params)
        text, blocks, extra = message_content(params)
        if text is not None and len(text) > UPDATE_TEXT_LIMIT:
            raise SlackError("msg_too_long")
        new = dataclasses.replace(old, text=text, blocks=blocks, history=(*old.history, old.text))
        posted = self._messages[channel]
        posted[posted.index(old)] = new
        message: JsonDict = {"text": text or "", "user": self.bot_user_id, "bot_id": BOT_ID}
        if blocks:
            message["blocks"] = blocks
        return {"ok": True, "channel": channel, "ts": old.ts, "text": text or "",
                "message": message, **extra}  # fmt: skip

    async def _delete(self, params: JsonDict) -> JsonDict:
        channel, old = self._own_message(params)
        if (channel, old.ts) in self._protected:
            raise SlackError("cant_delete_message")
        self._messages[channel].remove(old)
        self.deleted.append((channel, old.ts))
        return {"ok": True, "channel": channel, "ts": old.ts}

    def _own_message(self, params: JsonDict) -> tuple[str, Posted]:
        channel = params.get("channel")
        if not isinstance(channel, str) or not channel:
            raise SlackError("channel_not_found")
        known = self._channels.get(channel)
        if channel not in self._dms.values() and known is None:
            raise SlackError("channel_not_found")
        if known is not None and known.archived:
            raise SlackError("is_inactive")
        ts = params.get("ts")
        old = next((m for m in self._messages.get(channel, []) if m.ts == ts), None)
        if old is None:
            raise SlackError("message_not_found")
        return channel, old

    async def _post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._writable_channel(params)
        user = params.get("user")
        if not isinstance(user, str) or self._users.get(user, True):
            raise SlackError("user_not_in_channel")
        text, blocks, extra = message_content(params)
        thread_ts = self._thread(channel, params)
        ephemeral = Ephemeral(channel, user, self._next_ts(), text, blocks, thread_ts)
        self._ephemerals.setdefault(channel, []).append(ephemeral)
        return {"ok": True, "message_ts": ephemeral.message_ts, **extra}

    async def _conversations_open(self, params: JsonDict) -> JsonDict:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackError("fake_unsupported_mpim")
        user = users[0]
        if user not in self._users or self._user_teams.get(user, self._team) != self._team:
            raise SlackError("user_not_found")
        if self._users[user]:
            raise SlackError("user_disabled")
        if user in self._dms:
            channel = {"id": self._dms[user]}
            return {"ok": True, "no_op": True, "already_open": True, "channel": channel}
        self._dms[user] = f"D{user}"
        return {"ok": True, "channel": {"id": self._dms[user]}}

    async def _users_info(self, params: JsonDict) -> JsonDict:
        user = params.get("user")
        if not isinstance(user, str) or user not in self._users:
            raise SlackError("user_not_found")
        profile = dict(self._profiles.get(user, {}))
        locale = profile.pop("locale", None)
        found: JsonDict = {"id": user, "team_id": self.team_id, "name": user.lower(),
                           "deleted": self._users[user], "is_bot": False, **profile}  # fmt: skip
        if flag(params, "include_locale") and locale:
            found["locale"] = locale
        return {"ok": True, "user": found}

    async def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel_id = params.get("channel")
        if isinstance(channel_id, str) and channel_id in self._dms.values():
            return {"ok": True, "channel": {"id": channel_id, "is_im": True}}
        channel = self._channels.get(channel_id) if isinstance(channel_id, str) else None
        if channel is None or (channel.is_private and not channel.members_include_bot):
            raise SlackError("channel_not_found")
        if channel.team is not None and self._team is not None and channel.team != self._team:
            raise SlackError("channel_not_found")  # another workspace's channel
        return {"ok": True, "channel": {
            "id": channel_id, "name": self._channel_names.get(str(channel_id), ""),
            "is_channel": not channel.is_private, "is_group": channel.is_private,
            "is_private": channel.is_private, "is_archived": channel.archived,
            "is_member": channel.members_include_bot,
        }}  # fmt: skip

    async def _views_publish(self, params: JsonDict) -> JsonDict:
        user = params.get("user_id")
        if not isinstance(user, str) or self._users.get(user, True):
            raise invalid_arguments("invalid `user_id`")
        view = home_view(params.get("view"))
        published = self._views.setdefault(user, [])
        current_hash = f"{len(published)}.fakehash"
        if params.get("hash") not in (None, current_hash):
            raise SlackError("hash_conflict")
        result = {
            **view,
            "id": f"V{user}",
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": f"{len(published) + 1}.fakehash",
        }
        published.append(result)
        return {"ok": True, "view": result}

    # helpers for the methods -----------------------------------------------------------------

    def _writable_channel(self, params: JsonDict) -> str:
        channel_id = params.get("channel")
        if not isinstance(channel_id, str) or not channel_id:
            raise SlackError("channel_not_found")
        if channel_id in self._dms.values():
            return channel_id
        channel = self._channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.members_include_bot):
            raise SlackError("channel_not_found")
        if channel.team is not None and self._team is not None and channel.team != self._team:
            raise SlackError("channel_not_found")  # another workspace's channel
        if channel.archived:
            raise SlackError("is_archived")
        if not channel.members_include_bot:
            raise SlackError("not_in_channel")
        return channel_id

    def _thread(self, channel: str, params: JsonDict) -> str | None:
        thread_ts = params.get("thread_ts")
        if thread_ts in (None, ""):
            return None
        parents = {m.ts for m in self._messages.get(channel, []) if m.thread_ts is None}
        if thread_ts not in parents:
            raise SlackError("thread_not_found")
        return str(thread_ts)

    def _next_ts(self) -> str:
        seq = next(self._ts_seq)
        return f"{1_700_000_000 + seq // 1_000_000}.{seq % 1_000_000:06d}"
