"""Tokens and signing secrets never reach a log line or an error message: a full `briefing-bot
run` with Telegram (polling) and Slack (http), at debug level, with faults and a delivery, is
grepped, in either `[log] format`; as JSON every line is an object with the fields promised
(and the run, issue, destination and platform on the delivery's lines)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.conftest import CONTENT, ROOT
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.ports import free_port
from tests.support.processes import bot_process
from tests.support.telegram import command, private
from tests.support.wait import until

TG_TOKEN = "987654:SECRET-telegram-token-value"
SLACK_TOKEN = "xoxb-secret-slack-bot-token"
SIGNING = "secret-signing-secret-value"
SECRETS = [TG_TOKEN, TG_TOKEN.split(":")[1], SLACK_TOKEN, SIGNING]


async def slash(
    session: aiohttp.ClientSession, port: int, slack: FakeSlackAPI, text: str, secret: str
) -> int:
    body = urlencode({"command": "/term", "text": text, "user_id": "U1", "channel_id": "C1",
                      "team_id": slack.team_id, "response_url": slack.response_url(), "trigger_id": "1"})  # fmt: skip
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)}  # fmt: skip
    async with session.post(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    ) as response:
        return response.status


GROUP = -1001  # delivered to by the run the leader catches up at start


@pytest.mark.parametrize("form", ["text", "json"])
async def test_a_full_debug_run_never_logs_a_secret(tmp_path: Path, form: str) -> None:
    port = free_port()
    async with (
        FakeTelegramAPI(TG_TOKEN, "newsbot") as telegram,
        FakeSlackAPI(bot_token=SLACK_TOKEN) as slack,
    ):
        telegram.add_chat(5550001, "private")
        telegram.add_chat(GROUP, "supergroup")
        slack.add_channel("C1")
        config = tmp_path / "config.toml"
        config.write_text(
            f'[bot]\ncontent_dir = "{CONTENT}"\ndata_path = "{tmp_path / "d.json"}"\n[console]\nenabled = false\n'
            f'[log]\nformat = "{form}"\n[schedule]\ncron = "* * * * *"\n'
            f'[telegram]\nenabled = true\napi_url = "{telegram.base_url}"\nchats = [{GROUP}]\n'
            f'[slack]\nenabled = true\nmode = "http"\napi_url = "{slack.base_url}"\nhttp_port = {port}\n',
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PTB_TIMEDELTA": "true", "TELEGRAM_BOT_TOKEN": TG_TOKEN,
               "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SIGNING}  # fmt: skip
        async with bot_process(
            "-v", "--config", str(config), "run",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
        ) as proc:  # fmt: skip
            await until(lambda: telegram.calls_to("getUpdates"), within=20)
            telegram.fail_next(5550001, "500")
            telegram.push_update(command(private(5550001), 1, "/term NP-hard", user=5550001))
            telegram.push_update(command(private(5550001), 2, "/term " + TG_TOKEN, user=5550001))
            await until(lambda: len(telegram.messages(5550001)) >= 2, within=20)
            await until(lambda: telegram.messages(GROUP), "the delivery", within=20)
            async with aiohttp.ClientSession() as session:
                await until(lambda: slack.calls_to("auth.test"), within=20)
                assert await slash(session, port, slack, "NP-hard", "forged-secret") == 401
                assert await slash(session, port, slack, "NP-hard", SIGNING) == 200
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), 30)
    log = output.decode()
    assert "sendMessage" in log or "telegram" in log  # it really logged at debug level
    assert len(log.splitlines()) > 20
    for secret in SECRETS:
        assert secret not in log, f"a secret leaked: {secret[:6]}…"
    if form == "json":
        lines = [json.loads(line) for line in log.splitlines()]  # every line is one object
        assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
        sent = [line for line in lines if line.get("destination") == f"telegram:{GROUP}"]
        assert sent and all(line["platform"] == "telegram" for line in sent)
        assert any({"run", "issue"} <= line.keys() for line in sent)
        assert any(line.get("platform") == "telegram" and "command" in line["message"]
                   for line in lines)  # fmt: skip


def test_the_database_password_is_masked_alone_and_in_its_url() -> None:
    from bot.cli.logsafe import RedactSecrets, secret_values
    from bot.config import Secrets

    url = "postgresql://bot:p%40ss-word-1@db.internal:5432/briefing"
    redact = RedactSecrets(secret_values(Secrets(database_url=url)))
    line = f"connecting to {url}; password p@ss-word-1, raw p%40ss-word-1"
    assert redact.redact(line) == "connecting to ***; password ***, raw ***"


def test_slack_tokens_not_in_the_environment_are_masked_by_their_shape() -> None:
    from bot.cli.logsafe import RedactSecrets

    redact = RedactSecrets([])
    line = "saved T2: bot xoxb-2-abc-DEF, refresh xoxe-1-xyz, user xoxp-9-q, app xapp-1-A-2"
    assert redact.redact(line) == "saved T2: bot ***, refresh ***, user ***, app ***"
    assert redact.redact("the xoxb- prefix and box-office") == "the xoxb- prefix and box-office"
