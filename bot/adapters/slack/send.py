"""Posting to Slack: `chat.postMessage` and `conversations.open` on slack_sdk's `AsyncWebClient`,
and Slack's errors → the core's errors, once.

Nothing is retried here: a 429, a 5xx, a timeout are translated once and the core's retry layer
(`bot.core.delivery.retry`) decides. The one exception is slack_sdk's connection-error handler:
a request
that finds its pooled keep-alive connection already closed by the server fails before Slack saw
it, and the handler sends it again on a fresh connection, at once. That is a transport detail
below our error model, not a Slack failure, so it costs the core no attempt.

Slack answers HTTP 200 with `{"ok": false, "error": "<code>"}` for most failures; 429 carries
`Retry-After` (seconds). The codes that mean "stop sending there" are in `GONE`, those that mean
"this message is malformed" in `REJECTED` (https://api.slack.com/methods/chat.postMessage#errors).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import ClientError, ClientSession, ClientTimeout
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.infra.sending import continued
from bot.adapters.slack.render import render_message
from bot.core.errors import (
    MessageGone,
    MessageRejected,
    PlatformError,
    RateLimited,
    RecipientGone,
    TransientError,
)
from bot.core.model.messages import Message, MessageRef

if TYPE_CHECKING:
    from bot.adapters.slack.oauth.workspaces import Workspaces

log = logging.getLogger(__name__)
PLATFORM = "slack"
_INVITE = "invite the app there with /invite @<app name>, or remove it from [slack] channels"
_USER_GONE = "the user is deactivated or no longer in the workspace"
GONE = {
    "channel_not_found": _INVITE,  # also private channels and DMs the app is not in
    "not_in_channel": _INVITE,
    "is_archived": "the channel is archived; unarchive it or remove it from [slack] channels",
    "user_not_found": _USER_GONE,
    "account_inactive": _USER_GONE,
    "user_disabled": _USER_GONE,
}
REJECTED = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long",
     "no_text", "too_many_attachments", "invalid_arguments"}
)  # fmt: skip
FAILURES = (SlackClientError, ClientError, TimeoutError)
USERS_KEPT = 4096  # users.info answers remembered
LOST = frozenset({"invalid_auth", "account_inactive", "token_revoked"})  # the workspace left


def pooled_session() -> ClientSession:
    """The one aiohttp session (one connection pool) the platform gives its client, in both
    install modes: without it slack_sdk opens a session and a connection per call (#27: a third
    of a message's CPU). slack_sdk sends `chat.postMessage` as a JSON body through the session's
    serializer, which is orjson here (aiohttp's `json_serialize_bytes`): a call costs about a
    tenth less CPU than with the stdlib encoder (docs/benchmarks.md, "Third pass")."""
    return ClientSession(timeout=ClientTimeout(total=30), json_serialize_bytes=orjson.dumps)


def make_client(
    token: str | None, api_url: str, session: ClientSession | None = None
) -> AsyncWebClient:
    """The Web API client; only a stale connection is retried by the SDK (see above). Without
    a `session` slack_sdk opens one, and a connection, per call; the platform passes one in both
    install modes (`SlackPlatform.stop` closes it)."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        session=session,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
        logger=SDK_LOG,  # type: ignore[arg-type]  # debug, info and level: all it uses
    )


class SdkLog(logging.LoggerAdapter[logging.Logger]):
    """slack_sdk's client logger, whose `level` is the level in effect. slack_sdk builds a
    debug line of every request (its whole payload, as text) whenever `logger.level <= DEBUG`,
    and a logger's own level is NOTSET (0) unless set, whatever its parents say: a tenth of a
    Slack message's CPU went into lines no handler wanted (docs/benchmarks.md). With `-v`, or a
    DEBUG level set later, the lines come as before."""

    @property
    def level(self) -> int:
        return self.logger.getEffectiveLevel()


SDK_LOG = SdkLog(logging.getLogger("slack_sdk.web.async_base_client"))


def _retry_after(headers: Any) -> float:
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return 1.0


def error_code(exc: SlackApiError) -> str | None:
    data = getattr(exc.response, "data", None)
    return str(data.get("error")) if isinstance(data, dict) and data.get("error") else None


def translate(exc: Exception, chat: str, payload: dict[str, Any] | None = None) -> PlatformError:
    """One Slack failure as the core's error, logged once with what an operator needs."""
    if not isinstance(exc, SlackApiError):
        log.warning("slack: %s talking to %s: %s", type(exc).__name__, chat, exc)
        return TransientError(f"slack: {type(exc).__name__}", chat=chat)
    response = exc.response
    status = int(getattr(response, "status_code", None) or getattr(response, "status", 0) or 0)
    code = error_code(exc) or ""
    if status == 429 or code in ("ratelimited", "rate_limited"):
        wait = _retry_after(getattr(response, "headers", None))
        log.info("slack: rate limited in %s; retry after %ss", chat, wait)
        return RateLimited(f"slack: {code or 429}", retry_after=wait, chat=chat)
    if code in GONE:
        log.warning("slack: cannot reach %s (%s): %s", chat, code, GONE[code])
        return RecipientGone(f"slack: {code}", chat=chat)
    if code in REJECTED:
        size = len(json.dumps(payload, ensure_ascii=False)) if payload else 0
        blocks = len((payload or {}).get("blocks") or [])
        log.error(
            "slack: %s refused a message (%s): %d characters, %d blocks", chat, code, size, blocks
        )
        return MessageRejected(f"slack: {code}", chat=chat)
    if not code or status >= 500:
        log.warning("slack: transient failure in %s (HTTP %s)", chat, status)
        return TransientError(f"slack: HTTP {status}", chat=chat)
    log.error("slack: the Web API answered %s for %s", code, chat)
    return PlatformError(f"slack: {code}", chat=chat)


# chat.update / chat.delete: the message can no longer be changed (PLATFORMS.md §A2, §A4)
CANNOT_EDIT = frozenset(
    {"message_not_found", "cant_update_message", "edit_window_closed", "is_inactive",
     "cant_delete_message"}
)  # fmt: skip


def translate_edit(
    exc: Exception, chat: str, payload: dict[str, Any] | None = None
) -> PlatformError:
    if isinstance(exc, SlackApiError) and error_code(exc) in CANNOT_EDIT:
        log.info("slack: a message in %s can no longer be changed (%s)", chat, error_code(exc))
        return MessageGone(f"slack: {error_code(exc)}", chat=chat)
    return translate(exc, chat, payload)


class SlackSender:
    """The sending half of the `ChatPlatform` port for Slack. With `workspaces` (OAuth
    installs) every call carries the token of the chat's workspace; a token Slack calls
    expired is rotated and the call made again, one it refuses for good ends the workspace."""

    name = PLATFORM

    def __init__(self, client: AsyncWebClient, workspaces: Workspaces | None = None) -> None:
        self.client = client
        self._users: dict[str, dict[str, Any]] = {}
        self.workspaces = workspaces

    async def _call(
        self, chat: str, method: Callable[..., Awaitable[AsyncSlackResponse]], **kwargs: Any
    ) -> AsyncSlackResponse:
        if self.workspaces is None:
            return await method(**kwargs)
        token = await self.workspaces.token_for(chat)
        try:
            return await method(token=token, **kwargs)
        except SlackApiError as exc:
            code = error_code(exc)
            if code == "token_expired":
                fresh = await self.workspaces.refresh(chat, token)
                return await method(token=fresh, **kwargs)
            if code in LOST:
                log.warning("slack: %s answered %s: its workspace has left", chat, code)
                await self.workspaces.lost(chat, code)
                raise RecipientGone(f"slack: {code}", chat=chat) from exc
            raise

    async def send(
        self, chat: str, message: Message, *, reply_to: MessageRef | None = None
    ) -> MessageRef:
        """Post every payload of `message`; parts after the first go into the same thread."""
        thread = (reply_to.thread or reply_to.id) if reply_to else None
        first: MessageRef | None = None
        more: list[str] = []
        for payload in render_message(message, reply=reply_to is not None):
            if first is None:
                ts = await self._post(chat, payload, thread)
                first = MessageRef(self.name, chat, ts, thread)
                thread = thread or ts
            else:
                more.append(await continued(partial(self._post, chat, payload, thread), chat))
        assert first is not None  # render_message always returns at least one payload
        return replace(first, more=tuple(more))

    async def _post(self, chat: str, payload: dict[str, Any], thread: str | None) -> str:
        try:
            response = await self._call(
                chat, self.client.chat_postMessage, channel=chat, thread_ts=thread, **payload
            )
        except FAILURES as exc:
            raise translate(exc, chat, payload) from exc
        return str(response["ts"])

    async def revise(
        self, ref: MessageRef, message: Message, *, parent: MessageRef | None, pointer: Message
    ) -> MessageRef:
        """The `Revises` port: `chat.update` on each message of `ref` (text and blocks
        together), extra payloads as replies in the thread, surplus messages deleted."""
        ids = list(ref.ids)
        payloads = render_message(message, reply=ref.thread is not None)
        thread = ref.thread or (parent.id if parent else ref.id)
        kept: list[str] = []
        for index, payload in enumerate(payloads):
            if index < len(ids):
                await self._update(ref.chat, ids[index], payload)
                kept.append(ids[index])
            else:
                kept.append(await self._post(ref.chat, payload, thread))
        for surplus in ids[len(payloads) :]:
            await self._delete(ref.chat, surplus, pointer)
        return MessageRef(self.name, ref.chat, kept[0], ref.thread, tuple(kept[1:]))

    async def remove(self, ref: MessageRef, pointer: Message) -> None:
        """`chat.delete` on every message of `ref`; one Slack will not delete shows `pointer`."""
        for ts in ref.ids:
            await self._delete(ref.chat, ts, pointer)

    async def _update(self, chat: str, ts: str, payload: dict[str, Any]) -> None:
        shown = {k: v for k, v in payload.items() if k in ("text", "blocks")}
        shown.setdefault("blocks", [])  # none: the old blocks go (Slack keeps them otherwise)
        try:
            await self._call(chat, self.client.chat_update, channel=chat, ts=ts, **shown)
        except FAILURES as exc:
            raise translate_edit(exc, chat, payload) from exc

    async def _delete(self, chat: str, ts: str, pointer: Message) -> None:
        try:
            await self._call(chat, self.client.chat_delete, channel=chat, ts=ts)
        except SlackApiError as exc:
            if error_code(exc) != "cant_delete_message":
                raise translate_edit(exc, chat) from exc
            await self._update(chat, ts, render_message(pointer, reply=True)[0])
        except FAILURES as exc:
            raise translate(exc, chat) from exc

    async def user(self, user: str) -> dict[str, Any]:
        """`users.info` with the locale, remembered (a workspace's admins change rarely); {}
        when Slack does not say."""
        if user not in self._users:
            try:
                response = await self._call(
                    user, self.client.users_info, user=user, include_locale=True
                )
                found = response.get("user")
                self._users[user] = found if isinstance(found, dict) else {}
            except (*FAILURES, PlatformError) as exc:
                log.warning("slack: users.info %s failed: %s", user, exc)
                return {}
            if len(self._users) > USERS_KEPT:
                self._users.pop(next(iter(self._users)))
        return self._users[user]

    async def is_chat_admin(self, chat: str, user: str) -> bool:
        """A workspace admin or owner (`users.info`: `is_admin`, `is_owner`)."""
        info = await self.user(user)
        return bool(info.get("is_admin") or info.get("is_owner"))

    async def can_post(self, chat: str) -> bool:
        """`conversations.info`: is the app a member of the channel (a DM: yes)?"""
        if chat.startswith("D"):
            return True
        try:
            response = await self._call(chat, self.client.conversations_info, channel=chat)
        except (*FAILURES, PlatformError) as exc:
            log.info("slack: conversations.info %s: %s", chat, exc)
            return False
        return bool((response.get("channel") or {}).get("is_member"))

    async def chat_name(self, chat: str) -> str | None:
        """`conversations.info`: "#name" (a public channel's even without the app in it)."""
        try:
            response = await self._call(chat, self.client.conversations_info, channel=chat)
        except (*FAILURES, PlatformError) as exc:
            log.info("slack: conversations.info %s: %s", chat, exc)
            return None
        name = (response.get("channel") or {}).get("name")
        return f"#{name}" if isinstance(name, str) and name else None

    async def open_dm(self, user: str) -> str:
        try:
            response = await self._call(user, self.client.conversations_open, users=user)
        except FAILURES as exc:
            raise translate(exc, user) from exc
        dm = str(response["channel"]["id"])
        if self.workspaces is not None:
            await self.workspaces.remember_like(dm, user)
        return dm
