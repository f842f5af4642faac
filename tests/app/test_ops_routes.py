"""The operators' routes on every HTTP server the bot runs, in one process built by the real
root: Telegram's webhook server, the web archive's own server (and the two on one port) and
`[metrics] port`. `/metrics` counts the commands answered (by command and outcome) and exports
the content's version; `/readyz` names a platform that is not started."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Bot, Settings, build
from bot.app.run import ops_server, started, web_archive
from tests.conftest import CONTENT
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.ports import free_port
from tests.support.telegram import SECRET, TOKEN, USER, WEBHOOK_URL, command, private

HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramAPI]:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    async with FakeTelegramAPI(TOKEN, "newsbot") as started_fake:
        started_fake.add_chat(USER, "private")
        yield started_fake


def bot_of(tmp_path: Path, fake: FakeTelegramAPI, *, web_port: int, hook_port: int) -> Bot:
    settings = Settings(
        bot={"content_dir": str(CONTENT), "data_path": str(tmp_path / "d.json")},
        telegram={"enabled": True, "api_url": fake.base_url, "mode": "webhook",
                  "webhook_url": WEBHOOK_URL, "webhook_port": hook_port},
        console={"enabled": False},
        web={"enabled": True, "port": web_port},
        metrics={"port": free_port(), "host": "127.0.0.1"},
    )  # fmt: skip
    return build(settings)


async def get(http: aiohttp.ClientSession, port: int, path: str) -> tuple[int, str]:
    async with http.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_every_server_answers_metrics_livez_and_readyz(
    tmp_path: Path, fake: FakeTelegramAPI
) -> None:
    bot = bot_of(tmp_path, fake, web_port=free_port(), hook_port=free_port())
    ports = [bot.settings.web.port, bot.settings.telegram.webhook_port, bot.settings.metrics.port]
    async with AsyncExitStack() as stack, aiohttp.ClientSession() as http:
        await stack.enter_async_context(web_archive(bot))
        await stack.enter_async_context(ops_server(bot))
        status, body = await get(http, bot.settings.metrics.port, "/readyz")
        assert status == 503 and "telegram: not started" in body  # not yet
        await stack.enter_async_context(started(bot, receive=True))
        update = {"update_id": 1, **command(private(), 1, "/help")}
        async with http.post(f"http://127.0.0.1:{ports[1]}/telegram", json=update,
                             headers={HEADER: SECRET}) as response:  # fmt: skip
            assert response.status == 200
        await fake.wait_for_calls("sendMessage", 1, within=10)
        for port in ports:
            assert (await get(http, port, "/livez"))[0] == 200
            status, body = await get(http, port, "/readyz")
            assert status == 200, body
            status, text = await get(http, port, "/metrics")
            assert status == 200
            found = samples(text)
            assert found[("briefing_commands_total",
                          frozenset({("command", "help"), ("outcome", "answered")}))] == 1  # fmt: skip
            assert found[("briefing_content_issues", frozenset())] == len(bot.content.archive)
            assert found[("briefing_is_leader", frozenset())] == 0  # no lock taken here
        assert (await get(http, ports[0], "/issues/1"))[0] == 200  # the archive is still there
        assert (await get(http, ports[1], "/healthz"))[0] == 200


async def test_one_port_serves_the_archive_and_the_operators_routes(
    tmp_path: Path, fake: FakeTelegramAPI
) -> None:
    port = free_port()
    bot = bot_of(tmp_path, fake, web_port=port, hook_port=port)
    async with web_archive(bot), started(bot, receive=True), aiohttp.ClientSession() as http:
        for path, expected in (("/metrics", "briefing_content_terms"), ("/readyz", '"ready"'),
                               ("/", "<html"), ("/nowhere", "<html")):  # fmt: skip
            status, body = await get(http, port, path)
            assert expected in body, path
            assert status == (404 if path == "/nowhere" else 200), path
