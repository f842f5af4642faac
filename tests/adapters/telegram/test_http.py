"""Webhook mode: setWebhook with the secret, POST /telegram guarded by it, GET /healthz."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import ConfigError
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.telegram import (
    SECRET,
    TOKEN,
    USER,
    WEBHOOK_URL,
    Harness,
    command,
    make_app,
    open_harness,
    private,
    telegram_for,
    webhook_settings,
)

HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with open_harness(tmp_path, monkeypatch, webhook=True) as started:
        started.fake.add_chat(USER, "private")
        yield started


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def url(harness: Harness, path: str) -> str:
    return f"http://127.0.0.1:{harness.app.settings.telegram.webhook_port}{path}"


def update(message_id: int, text: str) -> dict[str, Any]:
    return {"update_id": 500 + message_id, **command(private(), message_id, text)}


async def post(
    http: aiohttp.ClientSession, harness: Harness, body: str, headers: dict[str, str]
) -> int:
    headers = {"Content-Type": "application/json", **headers}
    async with http.post(url(harness, "/telegram"), data=body, headers=headers) as response:
        return response.status


async def test_start_registers_the_webhook_with_the_secret_and_never_polls(
    harness: Harness,
) -> None:
    [call] = harness.fake.calls_to("setWebhook")
    assert call.params["url"] == WEBHOOK_URL and call.params["secret_token"] == SECRET
    assert call.params["drop_pending_updates"] is False
    assert call.params["allowed_updates"] == [
        "message",
        "channel_post",
        "my_chat_member",
        "callback_query",
        "inline_query",
        "message_reaction",
        "message_reaction_count",
    ]
    assert harness.fake.calls_to("getUpdates") == [] == harness.fake.calls_to("deleteWebhook")


async def test_only_the_right_secret_gets_an_update_handled(
    harness: Harness, http: aiohttp.ClientSession
) -> None:
    body = json.dumps(update(1, "/term NP-hard"))
    assert await post(http, harness, body, {}) == 403
    assert await post(http, harness, body, {HEADER: SECRET + "x"}) == 403
    assert await post(http, harness, body, {HEADER: ""}) == 403
    assert await post(http, harness, "not json", {HEADER: SECRET}) == 400
    assert await post(http, harness, "[1, 2]", {HEADER: SECRET}) == 400
    assert harness.fake.calls_to("sendMessage") == []  # nothing was handled
    assert await post(http, harness, body, {HEADER: SECRET}) == 200
    [answer] = await harness.answers(USER)
    assert answer.plain_text.startswith("NP-hard")


async def test_healthz(harness: Harness, http: aiohttp.ClientSession) -> None:
    async with http.get(url(harness, "/healthz")) as response:
        assert (response.status, await response.text()) == (200, "ok")


async def test_the_bot_keeps_answering_after_bad_requests_and_faults(
    harness: Harness, http: aiohttp.ClientSession
) -> None:
    assert await post(http, harness, '{"update_id": "x"}', {HEADER: SECRET}) == 400
    harness.fake.fail_next(USER, "500", count=3)  # this answer is lost for good
    assert await post(http, harness, json.dumps(update(1, "/help")), {HEADER: SECRET}) == 200
    await harness.fake.wait_for_calls("sendMessage", 3)
    assert await post(http, harness, json.dumps(update(2, "/help")), {HEADER: SECRET}) == 200
    [answer] = await harness.answers(USER)
    assert answer.plain_text.startswith("뉴랄브리핑 봇 명령")


async def test_a_refused_webhook_url_is_a_clear_error_and_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    async with FakeTelegramAPI(TOKEN, "newsbot") as fake:
        section = {**webhook_settings(), "webhook_url": "http://insecure.example.com/telegram"}
        app = make_app(tmp_path, {"api_url": fake.base_url, **section})
        platform = await telegram_for(app, listen="127.0.0.1")
        with pytest.raises(ConfigError, match=r"setWebhook refused .*https url must be provided"):
            await platform.start()
        assert not platform.application.running
    await asyncio.sleep(0)
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_a_huge_body_is_refused_before_anything_runs(
    harness: Harness, http: aiohttp.ClientSession
) -> None:
    body = json.dumps(update(1, "/term " + "x" * 2_000_000)).encode()
    headers = {"Content-Type": "application/json", HEADER: SECRET}
    async with http.post(
        url(harness, "/telegram"), data=io.BytesIO(body), headers=headers
    ) as response:
        assert response.status == 413
    assert await post(http, harness, json.dumps(update(2, "/help")), {HEADER: SECRET}) == 200
    [answer] = await harness.answers(USER)  # only the second one was handled
    assert answer.plain_text.startswith("뉴랄브리핑 봇 명령")
