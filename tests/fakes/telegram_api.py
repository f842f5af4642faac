"""Strict local fake of the Telegram Bot API (aiohttp ``TestServer`` on 127.0.0.1, free port).

Point python-telegram-bot at it with ``Bot(token, base_url=tg.base_url)`` or
``ApplicationBuilder().token(token).base_url(tg.base_url)``. Wire formats, error JSON and texts
follow docs/platforms.md section 2 and tdlib/telegram-bot-api: HTTP status == error_code,
errors are ``{"ok": false, "error_code": N, "description": "..."}`` (+ ``parameters``).

Implemented methods (names are case-insensitive, like the real API): getMe, sendMessage,
editMessageText, answerCallbackQuery, getChat, getChatMember, getUpdates, setWebhook,
deleteWebhook, getWebhookInfo, setMyCommands, getMyCommands, deleteMyCommands. Anything else is
404 "Not Found: method not found". getChatMember answers what ``set_member`` said (a known user
is otherwise a "member", anyone else 400 "Bad Request: user not found"), with the fields
Telegram sends for each status.

Inline keyboards: ``reply_markup`` of sendMessage/editMessageText is checked as Telegram does (an
``inline_keyboard`` of rows of buttons with a text and one action; ``callback_data`` 1-64 bytes,
else 400 "Bad Request: BUTTON_DATA_INVALID") and kept on the message. ``press(message, data)``
queues the ``callback_query`` a reader's press sends; each query may be answered once
(``callback_answers``), a second or unknown answer is 400 like Telegram's "query is too old".

Inline mode: ``inline_query(text, offset=...)`` queues an ``inline_query`` update; its one
answerInlineQuery is checked (at most 50 results, unique ids of 1-64 bytes, a title, an
``input_message_content`` whose ``message_text`` parses as the given parse_mode within 4,096
characters, ``next_offset`` within 64 bytes) and kept in ``inline_answers``.

As strict as Telegram about whom the bot may write to, and where:
- ``block(user)``: every send to that user's private chat is 403 "Forbidden: bot was blocked by
  the user" until ``unblock(user)`` (a state, not a one-shot fault).
- A user the fake knows (``add_user``, or the sender of a pushed update) without a private chat
  never started the bot: a send to them is 403 "Forbidden: bot can't initiate conversation with
  a user". An id nobody knows is 400 "Bad Request: chat not found".
- ``message_thread_id`` is accepted only in forums, for one of their topics; anywhere else it is
  400 "Bad Request: message thread not found".

Deliberate differences from Telegram:
- ``parse_mode`` MarkdownV2/Markdown is rejected with 400 "Bad Request: unsupported parse_mode
  (FakeTelegramAPI implements only HTML)"; HTML is parsed by a port of tdlib's parser.
- ``strict_html=True`` (default) also rejects a bare ``&`` / unknown named entity, which Telegram
  would keep literally (see telegram_html.py). Bare ``>`` is accepted, as by Telegram.
- getUpdates long polls at most ``max_poll_wait`` (1 s) of real time, whatever ``timeout`` says.
  A second poller ends the first's long poll with 409 Conflict, as Telegram does; ``conflicts``
  counts those that reached a poller still connected (two bot instances polling at once).
- ``enforce_limits=True`` simulates flood control on sendMessage: private chats a bucket of 3
  then 1 msg/s, groups/supergroups/channels 20 per 60 s, all chats 30 per s; a message with
  ``allow_paid_broadcast`` is admitted while all chats together had fewer than 1,000 in the
  last second (paid broadcast), its chat's own limit unchanged. ``time_scale``
  divides these periods; ``retry_after`` is the time until a slot frees on ``clock`` (real time,
  ``time.monotonic``, unless a test passes its own to move time itself), rounded up, at least 1,
  so a client that obeys it never gets a second 429 for that slot.
- Faults (``fail_next``): "timeout" holds the request until ``release_hung()`` (the request is
  then processed normally, e.g. the message *is* sent, as when a real send times out client-side
  but succeeded) or ``close()`` (connection dropped). If the client disconnects first, aiohttp
  cancels the held request and nothing is sent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.telegram_html import HtmlParseError, parse_html

CONFLICT = "Conflict: terminated by other getUpdates request"
FAULT_KINDS = frozenset({"429", "kicked", "500", "malformed", "timeout", "reset"})
# Parameters kept as raw strings; every other form value is JSON-decoded when it parses.
_STRING_PARAMS = frozenset(
    str.split(
        "text caption parse_mode url secret_token language_code action ip_address title"
        " callback_query_id inline_query_id next_offset"
        " description short_description name query emoji business_connection_id message_effect_id"
    )
)
_FORBIDDEN = {"kicked": "Forbidden: bot was kicked from the supergroup chat"}
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
_METHODS = str.split(
    "getMe sendMessage getChat getChatMember getUpdates setWebhook deleteWebhook getWebhookInfo"
    " setMyCommands getMyCommands deleteMyCommands editMessageText answerCallbackQuery"
    " answerInlineQuery"
)
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
MAX_NEXT_OFFSET = 64  # bytes
MAX_CALLBACK_DATA = 64  # bytes
MAX_CALLBACK_TEXT = 200  # characters of answerCallbackQuery's text
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_BUTTON_ACTIONS = frozenset(
    [
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    ]
)
_RIGHTS = str.split(
    "can_be_edited can_manage_chat can_delete_messages can_manage_video_chats"
    " can_restrict_members can_promote_members can_change_info can_invite_users can_post_stories"
    " can_edit_stories can_delete_stories"
)
_MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": {"is_anonymous": False} | dict.fromkeys(_RIGHTS, False),
    "member": {},
    "left": {},
    "kicked": {"until_date": 0},
}
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Call:
    method: str  # canonical name, e.g. "sendMessage", whatever case the client used
    params: dict[str, Any]  # JSON-valued form fields decoded (chat_id -> int, reply_parameters...)
    at: float  # time.monotonic() on arrival
    content_type: str = (
        ""  # of the request body: PTB's form, or JSON (bot/adapters/telegram/request.py)
    )


@dataclass(frozen=True)
class InlineAnswer:
    results: list[dict[str, Any]]  # as sent
    plain_texts: list[str]  # each result's message_text after entity parsing
    next_offset: str
    cache_time: int | None
    is_personal: bool


@dataclass(frozen=True)
class SentMessage:
    chat_id: int
    message_id: int
    text: str  # raw text as sent (HTML source when parse_mode is HTML)
    plain_text: str  # text after entity parsing, as Telegram stores it
    parse_mode: str | None
    reply_to: int | None
    message_thread_id: int | None
    link_preview_disabled: bool
    entities: list[dict[str, Any]] = field(default_factory=list)  # Bot API MessageEntity JSON
    at: float = field(default_factory=time.monotonic)
    paid_broadcast: bool = False  # sent with allow_paid_broadcast
    reply_markup: dict[str, Any] | None = None  # the inline keyboard, as sent
    edits: int = 0  # times editMessageText changed it

    def buttons(self) -> list[dict[str, Any]]:
        """Every button of its inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


def _emoji(emoji: str) -> dict[str, str]:
    return {"type": "emoji", "emoji": emoji}


def _connected(request: web.Request) -> bool:
    """The client is still there (a killed process's poll is not a second bot instance)."""
    return request.transport is not None and not request.transport.is_closing()


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def response(self) -> web.Response:
        body = dict(ok=False, error_code=self.code, description=self.description)
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class _Chat:
    id: int
    type: str
    is_forum: bool = False
    topics: set[int] = field(default_factory=set)
    title: str | None = None
    username: str | None = None
    next_message_id: int = 1
    known: dict[int, int | None] = field(default_factory=dict)  # message_id -> thread id

    def note_message(self, message_id: int, thread_id: int | None) -> None:
        self.known[message_id] = thread_id
        self.next_message_id = max(self.next_message_id, message_id + 1)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.title or f"User{self.id}"
        else:
            data["title"] = self.title or f"Chat {self.id}"
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class _Fault:
    chat_id: int | None
    method: str | None
    kind: str
    remaining: int
    retry_after: int


OVERALL, PAID_OVERALL = 30, 1000  # messages a second, all chats together (free, paid broadcast)


class _FloodControl:
    """Simulated flood limits; ``check`` returns 0 (and books the send) or seconds to wait.
    Every message counts in the overall window; a paid broadcast may fill it to 1,000."""

    def __init__(self, time_scale: float) -> None:
        self.scale = time_scale
        self.overall: deque[float] = deque()
        self.groups: dict[int, deque[float]] = {}
        self.private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, updated at)
        self.refused: Counter[str] = Counter()  # which limit each 429 was for

    def _window(self, q: deque[float], limit: int, period: float, now: float) -> float:
        while q and q[0] <= now - period / self.scale:
            q.popleft()
        return q[-limit] + period / self.scale - now if len(q) >= limit else 0.0

    def check(self, chat: _Chat, now: float, *, paid: bool = False) -> float:
        overall = self._window(self.overall, PAID_OVERALL if paid else OVERALL, 1.0, now)
        tokens = 0.0
        if chat.type == "private":
            tokens, last = self.private.get(chat.id, (3.0, now))
            tokens = min(3.0, tokens + (now - last) * self.scale)
            own = (1.0 - tokens) / self.scale if tokens < 1.0 else 0.0
        else:
            group = self.groups.setdefault(chat.id, deque())
            own = self._window(group, 20, 60.0, now)
        if overall > 0 or own > 0:
            self.refused["overall" if overall > 0 else "chat"] += 1
            return max(overall, own)
        self.overall.append(now)
        if chat.type == "private":
            self.private[chat.id] = (tokens - 1.0, now)
        else:
            self.groups[chat.id].append(now)
        return 0.0


Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class FakeTelegramAPI:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "newsbot",
        *,
        enforce_limits: bool = False,
        time_scale: float = 1.0,
        strict_html: bool = True,
        max_poll_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.token, self.bot_username, self.enforce_limits = token, bot_username, enforce_limits
        self.strict_html, self.max_poll_wait = strict_html, max_poll_wait
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.base_url = ""
        self.calls: list[Call] = []
        self._chats: dict[int, _Chat] = {}
        self._sent: dict[int, list[SentMessage]] = {}
        self._faults: list[_Fault] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._wakeup = asyncio.Event()  # pushed update, new poller or shutdown
        self._poller: object | None = None  # token of the current long poll
        self._release = asyncio.Event()  # replaced on every release_hung()
        self._release_process = True
        self._closing = False
        self._flood = _FloodControl(time_scale)
        self._clock = clock
        self._users: set[int] = set()  # known to the bot (seen in an update, or added)
        self._blocked: set[int] = set()
        self._members: dict[tuple[int, int], str] = {}  # (chat, user) -> status
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._webhook: dict[str, Any] = {}
        self._allowed: set[str] | None = None  # getUpdates' allowed_updates, kept until changed
        self._sent_count, self._rate_limited = 0, 0
        self.conflicts = 0  # getUpdates of a connected poller ended by a second poller (409)
        self._rejected: Counter[str] = Counter()
        self._call_event = asyncio.Event()  # set on every request, for wait_for_calls()
        self._queries: dict[str, dict[str, Any]] = {}  # callback query id -> the update's query
        self.callback_answers: dict[str, dict[str, Any]] = {}  # query id -> answer params
        self._inline_queries: set[str] = set()
        self.inline_answers: dict[str, InlineAnswer] = {}  # inline query id -> its answer
        self._handlers: dict[str, tuple[str, Handler]] = {
            m.lower(): (m, getattr(self, "_" + re.sub("([A-Z])", r"_\1", m).lower()))
            for m in _METHODS
        }
        self._app = web.Application()
        self._app.router.add_route("*", "/{path:.*}", self._handle)
        self._server: TestServer | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._server = TestServer(self._app, host="127.0.0.1")
        await self._server.start_server()
        self.base_url = str(self._server.make_url("/bot"))

    async def close(self) -> None:
        self._closing = True
        self._wakeup.set()
        self._release.set()
        if self._server is not None:
            await self._server.close()
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ---- test-side API ---------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for_calls(self, method: str, count: int = 1, within: float = 2.0) -> list[Call]:
        """Wait (event-driven) until ``count`` calls to ``method`` arrived, else TimeoutError."""
        async with asyncio.timeout(within):
            while len(self.calls_to(method)) < count:
                self._call_event.clear()
                await self._call_event.wait()
        return self.calls_to(method)

    def add_chat(
        self,
        chat_id: int,
        type: str = "private",
        *,
        is_forum: bool = False,
        topics: Iterable[int] = (),
        title: str | None = None,
        username: str | None = None,
    ) -> None:
        if type not in ("private", "group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {type!r}")
        if (type == "private") != (chat_id > 0) or (is_forum and type != "supergroup"):
            raise ValueError("private chats have positive ids; forums are supergroups")
        self._chats[chat_id] = _Chat(chat_id, type, is_forum, set(topics), title, username)

    def add_user(self, user_id: int) -> None:
        """A user the bot knows (e.g. seen in a group) who has not started a private chat."""
        self._users.add(user_id)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """`user_id`'s status in `chat_id`: creator, administrator, member, left, kicked."""
        if status not in _MEMBER_FIELDS:
            raise ValueError(f"unknown member status {status!r}")
        self._users.add(user_id)
        self._members[(chat_id, user_id)] = status

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every send to their private chat is 403 until unblocked."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (copied; update_id assigned when missing).

        The chat and message_id of a contained message are registered, so the bot may reply to it.
        """
        update = dict(update)
        if "update_id" in update:
            self._update_ids = itertools.count(max(update["update_id"] + 1, next(self._update_ids)))
        else:
            update["update_id"] = next(self._update_ids)
        for key in ("message", "edited_message", "channel_post", "edited_channel_post",
                    "my_chat_member"):  # fmt: skip
            msg = update.get(key)
            if isinstance(msg, dict) and isinstance(msg.get("from"), dict):
                self._users.add(msg["from"]["id"])
            if isinstance(msg, dict) and isinstance(msg.get("chat"), dict):
                c = msg["chat"]
                if c["id"] not in self._chats:
                    title = c.get("title") or c.get("first_name")
                    self._chats[c["id"]] = _Chat(
                        c["id"], c["type"], bool(c.get("is_forum")), set(), title, c.get("username")
                    )
                chat = self._chats[c["id"]]
                thread = msg.get("message_thread_id") if msg.get("is_topic_message") else None
                if chat.is_forum and thread is not None:
                    chat.topics.add(thread)
                if "message_id" in msg:
                    chat.note_message(msg["message_id"], thread)
        self._updates.append(update)
        self._wakeup.set()

    def press(
        self, message: SentMessage, data: str, *, user: int | None = None, language: str = ""
    ) -> str:
        """A reader presses a button of `message` (or sends forged `data`), their app in
        `language` (a `language_code`, none if ""): queue the `callback_query` update as
        Telegram sends it; return the query id."""
        query_id = f"Q{next(self._update_ids)}"
        chat = self._chats[message.chat_id]
        person = user if user is not None else message.chat_id
        spoken = {"language_code": language} if language else {}
        query = {
            "id": query_id,
            "from": {"id": person, "is_bot": False, "first_name": "Ada", **spoken},
            "message": {
                "message_id": message.message_id,
                "date": int(message.at),
                "chat": chat.as_json(),
                "text": message.plain_text,
                "from": self._bot_user(),
            },
            "chat_instance": f"ci{chat.id}",
            "data": data,
        }
        self._queries[query_id] = query
        self.push_update({"callback_query": query})
        return query_id

    def inline_query(
        self, text: str, *, offset: str = "", user: int = 5550002, language: str = "ko"
    ) -> str:
        """A reader whose app is in `language` types `@bot <text>` in some chat: queue the
        `inline_query` update; return its id (answers land in `inline_answers[id]`)."""
        query_id = f"I{next(self._update_ids)}"
        person = {"id": user, "is_bot": False, "first_name": "Ada", "language_code": language}
        query = {"id": query_id, "from": person, "query": text, "offset": offset}
        self._inline_queries.add(query_id)
        self.push_update({"inline_query": query | {"chat_type": "sender"}})
        return query_id

    def react(
        self, message: SentMessage, user: int, old: Iterable[str], new: Iterable[str]
    ) -> bool:
        """`user` changes their reactions on `message` from the emoji `old` to `new`: queue the
        `message_reaction` update as Telegram sends it (the whole lists, not a delta); in a
        group or channel only where the bot is an administrator (the Bot API's rule). True if
        queued."""
        chat = self._chats[message.chat_id]
        if not self._sees_reactions(chat):
            return False
        person = {"id": user, "is_bot": False, "first_name": "Ada"}
        self.push_update({"message_reaction": {
            "chat": chat.as_json(), "message_id": message.message_id, "user": person,
            "date": int(time.time()), "old_reaction": [_emoji(e) for e in old],
            "new_reaction": [_emoji(e) for e in new],
        }})  # fmt: skip
        return True

    def reaction_counts(self, message: SentMessage, counts: dict[str, int]) -> bool:
        """The anonymous totals on `message` (a channel's post) now: queue the
        `message_reaction_count` update as Telegram sends it, where the bot is an
        administrator. True if queued."""
        chat = self._chats[message.chat_id]
        if not self._sees_reactions(chat):
            return False
        reactions = [{"type": _emoji(e), "total_count": n} for e, n in counts.items()]
        self.push_update({"message_reaction_count": {
            "chat": chat.as_json(), "message_id": message.message_id,
            "date": int(time.time()), "reactions": reactions,
        }})  # fmt: skip
        return True

    def _sees_reactions(self, chat: _Chat) -> bool:
        status = self._members.get((chat.id, self.bot_id), "member")
        return chat.type == "private" or status in ("administrator", "creator")

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates with a later offset."""
        return len(self._updates)

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """The message as it is now (after any edits)."""
        return next(m for m in self._sent.get(chat_id, []) if m.message_id == message_id)

    def messages(self, chat_id: int) -> list[SentMessage]:
        return list(self._sent.get(chat_id, []))

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[Any]:
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    def fail_next(
        self,
        chat_id: int | None,
        kind: str,
        *,
        count: int = 1,
        retry_after: int = 1,
        method: str | None = None,
    ) -> None:
        """Make the next ``count`` matching requests fail with ``kind`` (see FAULT_KINDS).

        A fault matches requests for ``chat_id`` (None: any request that has a chat_id) and, if
        given, only ``method`` (with chat_id=None and a method, requests without chat_id match too,
        e.g. ``fail_next(None, "500", method="getUpdates")``). Faults are consumed in order.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        self._faults.append(_Fault(chat_id, method, kind, count, retry_after))

    def release_hung(self, *, process: bool = True) -> None:
        """Let requests held by a "timeout" fault go on (process=False: drop their connection)."""
        self._release_process = process
        self._release.set()
        self._release = asyncio.Event()

    def stats(self) -> dict[str, Any]:
        return {
            "calls": len(self.calls),
            "sent": self._sent_count,
            "rejected": dict(self._rejected),
            "rate_limited": self._rate_limited,  # 429s returned (injected or enforce_limits)
            "flood": dict(self._flood.refused),  # enforce_limits' 429s: "overall" or "chat"
        }

    # ---- HTTP plumbing ---------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        prefix, _, raw_method = request.match_info["path"].partition("/")
        name, handler = self._handlers.get(raw_method.lower(), (raw_method, None))
        try:
            params = await self._read_params(request)
        except ApiError as err:
            self.calls.append(Call(name, {}, time.monotonic(), request.content_type))
            return self._reject(err)
        self.calls.append(Call(name, params, time.monotonic(), request.content_type))
        self._call_event.set()
        try:
            if not prefix.startswith("bot") or not raw_method or "/" in raw_method:
                raise ApiError(404, "Not Found")
            if prefix[3:] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            fault = self._take_fault(name, params)
            if fault is not None:
                early = await self._apply_fault(request, fault)
                if early is not None:
                    return early
            result = await handler(params)
        except ApiError as err:
            if err.description.startswith(CONFLICT) and _connected(request):
                self.conflicts += 1  # a live bot was polling when another poller came
            return self._reject(err)
        return web.json_response({"ok": True, "result": result})

    def _reject(self, err: ApiError) -> web.Response:
        self._rejected["Too Many Requests" if err.code == 429 else err.description] += 1
        self._rate_limited += err.code == 429
        return err.response()

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    raise bad_request("can't parse JSON object")
                return raw | body
            raw |= dict(await request.post())
        params: dict[str, Any] = {}
        for key, value in raw.items():
            params[key] = value
            if isinstance(value, str) and key not in _STRING_PARAMS:
                try:
                    decoded = json.loads(value)
                except ValueError:
                    continue
                if not isinstance(decoded, str):
                    params[key] = decoded
        return params

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        chat_id = params.get("chat_id")
        for fault in self._faults:
            if fault.method is not None and fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.chat_id is None and fault.method is None and chat_id is None:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    async def _apply_fault(self, request: web.Request, fault: _Fault) -> web.StreamResponse | None:
        if fault.kind == "429":
            n = fault.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        if fault.kind in _FORBIDDEN:
            raise ApiError(403, _FORBIDDEN[fault.kind])
        if fault.kind == "500":
            raise ApiError(500, "Internal Server Error")
        if fault.kind == "malformed":
            return web.Response(status=200, text="not json", content_type="text/html")
        if fault.kind == "timeout":
            await self._release.wait()
            if self._release_process and not self._closing:
                return None
        if request.transport is not None:  # "reset", or a hung request being dropped
            request.transport.abort()
        return web.Response(status=500)  # never reaches the client: the connection is gone

    # ---- chats, threads, replies ----------------------------------------------------------
    def _chat(self, params: dict[str, Any]) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
        elif isinstance(chat_id, str) and chat_id.removeprefix("-").isdigit():
            chat_id = int(chat_id)
        if isinstance(chat_id, int) and not isinstance(chat_id, bool) and chat_id in self._chats:
            return self._chats[chat_id]
        if chat_id in self._users:
            raise ApiError(403, NOT_STARTED)
        raise bad_request("chat not found")

    @staticmethod
    def _thread(chat: _Chat, params: dict[str, Any]) -> int | None:
        thread = params.get("message_thread_id")
        if thread is None:
            return None
        if not chat.is_forum or not isinstance(thread, int) or thread not in chat.topics:
            # no topics here, or not one of them (General, 1, is rejected too)
            raise bad_request("message thread not found")
        return thread

    def _reply(self, chat: _Chat, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": params["reply_to_message_id"]}
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        target = chat
        if reply.get("chat_id") not in (None, chat.id):
            target = self._chat({"chat_id": reply["chat_id"]})
        if reply["message_id"] in target.known:
            return int(reply["message_id"])
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    # ---- methods ---------------------------------------------------------------------------
    def _bot_user(self) -> dict[str, Any]:
        name = self.bot_username.removesuffix("bot").removesuffix("_").title() or "Bot"
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": name,
            "username": self.bot_username,
        }

    async def _get_me(self, params: dict[str, Any]) -> Any:
        flags = "can_read_all_group_messages supports_inline_queries can_connect_to_business"
        return self._bot_user() | {"can_join_groups": True} | dict.fromkeys(flags.split(), False)

    async def _send_message(self, p: dict[str, Any]) -> Any:
        text, plain, entities = self._parse_text(p)
        parse_mode = p.get("parse_mode") or None
        chat = self._chat(p)
        if chat.id in self._blocked:
            raise ApiError(403, BLOCKED)
        thread = self._thread(chat, p)
        reply_to = self._reply(chat, p)
        if thread is None and chat.is_forum and reply_to is not None:
            thread = chat.known.get(reply_to)
        paid = bool(p.get("allow_paid_broadcast"))
        if self.enforce_limits:
            wait = self._flood.check(chat, self._clock(), paid=paid)
            if wait > 0:
                n = max(1, math.ceil(wait))
                raise ApiError(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        markup = self._markup(p.get("reply_markup"))
        preview = p.get("link_preview_options")
        no_preview = bool(
            (isinstance(preview, dict) and preview.get("is_disabled"))
            or p.get("disable_web_page_preview")
        )
        message_id = chat.next_message_id
        chat.note_message(message_id, thread)
        self._sent_count += 1
        sent = SentMessage(
            chat.id,
            message_id,
            text,
            plain,
            parse_mode,
            reply_to,
            thread,
            no_preview,
            entities,
            reply_markup=markup,
            paid_broadcast=paid,
        )
        self._sent.setdefault(chat.id, []).append(sent)
        msg: dict[str, Any] = {"message_id": message_id, "date": int(time.time())}
        if chat.type == "channel":
            msg["sender_chat"] = chat.as_json()
        else:
            msg["from"] = self._bot_user()
        msg |= {"chat": chat.as_json(), "text": plain}
        if entities:
            msg["entities"] = entities
        if thread is not None:
            msg |= {"message_thread_id": thread, "is_topic_message": True}
        if reply_to is not None:
            msg["reply_to_message"] = {"message_id": reply_to, "date": 0, "chat": chat.as_json()}
        if no_preview:
            msg["link_preview_options"] = {"is_disabled": True}
        if markup is not None:
            msg["reply_markup"] = markup
        return msg

    def _parse_text(self, p: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        """(raw text, text after entity parsing, entities) of a text and parse_mode."""
        text = p.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        text = str(text)
        if len(text.encode("utf-8")) > 32768:
            raise bad_request("text is too long")
        parse_mode = p.get("parse_mode") or None
        plain, entities = text, []
        if parse_mode is not None and str(parse_mode).lower() == "html":
            try:
                parsed = parse_html(text, strict=self.strict_html)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
            plain, entities = parsed.text, parsed.entities
        elif parse_mode is not None and str(parse_mode).lower() in ("markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode (FakeTelegramAPI implements only HTML)")
        elif parse_mode is not None:
            raise bad_request("unsupported parse_mode")
        if not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > 4096:
            raise bad_request("message is too long")
        return text, plain, entities

    @staticmethod
    def _markup(markup: Any) -> dict[str, Any] | None:
        """An inline keyboard as Telegram checks it; other keyboards are not faked."""
        if markup is None:
            return None
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: field \"inline_keyboard\" "
                              "must be an Array of Arrays")  # fmt: skip
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = _BUTTON_ACTIONS & button.keys()
            if len(actions) != 1:
                raise bad_request("can't parse inline keyboard button: exactly one action")
            data = button.get("callback_data")
            if "callback_data" in button and (
                not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
            ):
                raise bad_request("BUTTON_DATA_INVALID")
        return markup

    async def _edit_message_text(self, p: dict[str, Any]) -> Any:
        if p.get("inline_message_id"):
            raise bad_request("inline messages are not faked")
        chat = self._chat(p)
        message_id = p.get("message_id")
        old = next((m for m in self._sent.get(chat.id, []) if m.message_id == message_id), None)
        if old is None:
            raise bad_request("message to edit not found")
        text, plain, entities = self._parse_text(p)
        markup = self._markup(p.get("reply_markup"))
        if (text, p.get("parse_mode") or None, markup) == (
            old.text,
            old.parse_mode,
            old.reply_markup,
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        preview = p.get("link_preview_options")
        no_preview = bool(isinstance(preview, dict) and preview.get("is_disabled"))
        new = dataclasses.replace(
            old, text=text, plain_text=plain, parse_mode=p.get("parse_mode") or None,
            entities=entities, reply_markup=markup, link_preview_disabled=no_preview,
            edits=old.edits + 1,
        )  # fmt: skip
        sent = self._sent[chat.id]
        sent[sent.index(old)] = new
        msg: dict[str, Any] = {"message_id": old.message_id, "date": int(old.at)}
        msg |= {"from": self._bot_user(), "chat": chat.as_json(), "text": plain}
        msg["edit_date"] = int(time.time())
        if entities:
            msg["entities"] = entities
        if markup is not None:
            msg["reply_markup"] = markup
        return msg

    async def _answer_inline_query(self, p: dict[str, Any]) -> Any:
        query_id = str(p.get("inline_query_id") or "")
        if query_id not in self._inline_queries or query_id in self.inline_answers:
            raise bad_request(QUERY_TOO_OLD)
        results = p.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        ids: set[str] = set()
        plain_texts = []
        for result in results:
            if not isinstance(result, dict) or result.get("type") != "article":
                raise bad_request("result type is not faked (only article)")
            rid = result.get("id")
            if not isinstance(rid, str) or not 1 <= len(rid.encode()) <= MAX_RESULT_ID:
                raise bad_request("RESULT_ID_INVALID")
            if rid in ids:
                raise bad_request("RESULT_ID_DUPLICATE")
            ids.add(rid)
            if not str(result.get("title") or "").strip():
                raise bad_request("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if not isinstance(content, dict) or "message_text" not in content:
                raise bad_request("can't parse InputMessageContent: message_text not found")
            text = {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
            plain_texts.append(self._parse_text(text)[1])
            self._markup(result.get("reply_markup"))
        offset = str(p.get("next_offset") or "")
        if len(offset.encode()) > MAX_NEXT_OFFSET:
            raise bad_request("NEXT_OFFSET_INVALID")
        cache = p.get("cache_time")
        if cache is not None and (not isinstance(cache, int) or cache < 0):
            raise bad_request("wrong parameter cache_time")
        personal = bool(p.get("is_personal"))
        self.inline_answers[query_id] = InlineAnswer(results, plain_texts, offset, cache, personal)
        return True

    async def _answer_callback_query(self, p: dict[str, Any]) -> Any:
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._queries or query_id in self.callback_answers:
            raise bad_request(QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(p)
        return True

    async def _get_chat(self, p: dict[str, Any]) -> Any:
        gifts = (
            "unlimited_gifts limited_gifts unique_gifts premium_subscription gifts_from_channels"
        )
        return self._chat(p).as_json() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts.split(), False),
        }

    async def _get_chat_member(self, p: dict[str, Any]) -> Any:
        chat = self._chat(p)
        user = p.get("user_id")
        if not isinstance(user, int):
            raise bad_request("invalid user_id specified")
        status = self._members.get((chat.id, user))
        if status is None and user not in self._users:
            raise bad_request("user not found")
        status = status or "member"
        member = {"status": status, "user": {"id": user, "is_bot": False, "first_name": f"U{user}"}}
        return member | _MEMBER_FIELDS[status]

    async def _get_updates(self, p: dict[str, Any]) -> Any:
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        try:
            offset, limit, timeout = (int(p.get(k) or 0) for k in ("offset", "limit", "timeout"))
        except (TypeError, ValueError):
            raise bad_request("wrong parameter type in getUpdates") from None
        limit = min(max(limit or 100, 1), 100)
        self._keep_allowed(p.get("allowed_updates"))
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        me = object()
        self._poller = me
        self._wakeup.set()  # terminates an older long poll with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(timeout, 0), self.max_poll_wait)
        try:
            while not self._updates and not self._closing and loop.time() < deadline:
                self._wakeup.clear()
                try:
                    async with asyncio.timeout_at(deadline):
                        await self._wakeup.wait()
                except TimeoutError:
                    break
                if self._poller is not me:
                    raise ApiError(
                        409, f"{CONFLICT}; make sure that only one bot instance is running"
                    )
        finally:
            if self._poller is me:
                self._poller = None
        return [u for u in self._updates if self._wanted(u)][:limit]

    def _keep_allowed(self, given: Any) -> None:
        """allowed_updates: "If not specified, the previous setting will be used"; an empty
        list is the default (all but chat_member and the reactions)."""
        if given is None:
            return
        kinds = json.loads(given) if isinstance(given, str) else given
        self._allowed = set(kinds) if kinds else None

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed is None:
            return kind not in ("chat_member", "message_reaction", "message_reaction_count")
        return kind in self._allowed

    async def _set_webhook(self, p: dict[str, Any]) -> Any:
        url, secret = str(p.get("url") or ""), str(p.get("secret_token") or "")
        if url and not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        port = re.match(r"https://[^/:?#]*(?::(\d+))?", url, re.I) if url else None
        if port and port.group(1) and port.group(1) not in ("80", "88", "443", "8443"):
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        if len(secret) > 256:
            raise bad_request("secret token is too long")
        if not _SECRET_RE.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret or None,
            "allowed_updates": p.get("allowed_updates"),
        }
        self._wakeup.set()
        return True

    async def _delete_webhook(self, p: dict[str, Any]) -> Any:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {}
        return True

    async def _get_webhook_info(self, p: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("url"):
            info["max_connections"] = 40
            if self._webhook.get("allowed_updates") is not None:
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        if scope is not None and not (
            isinstance(scope, dict) and isinstance(scope.get("type"), str)
        ):
            raise bad_request("can't parse BotCommandScope JSON object")
        if language_code and not re.fullmatch(r"[a-z]{2}", str(language_code)):
            raise bad_request("invalid language code specified")
        return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")

    async def _set_my_commands(self, p: dict[str, Any]) -> Any:
        key = self._commands_key(p.get("scope"), p.get("language_code"))
        commands = p.get("commands", [])
        if not isinstance(commands, list):
            raise bad_request('field "commands" must be an Array')
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            for fld in ("command", "description"):
                if not isinstance(cmd, dict) or not isinstance(cmd.get(fld), str):
                    raise bad_request(f"can't parse BotCommand: Can't find field \"{fld}\"")
            if not _COMMAND_RE.fullmatch(cmd["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not cmd["description"].strip():
                raise bad_request("command description must be non-empty")
            if len(cmd["description"]) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, p: dict[str, Any]) -> Any:
        return self._commands.get(self._commands_key(p.get("scope"), p.get("language_code")), [])

    async def _delete_my_commands(self, p: dict[str, Any]) -> Any:
        self._commands.pop(self._commands_key(p.get("scope"), p.get("language_code")), None)
        return True
