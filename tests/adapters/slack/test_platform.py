"""The Slack platform's set-up: its configuration (missing or refused tokens, OAuth variables
where they do not belong), a send-only start, and Socket Mode (envelopes pushed over the fake's
websocket, acked at once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.adapters.slack.platform import SlackConfigError
from bot.config import ConfigError
from bot.core.model.messages import simple
from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import (
    Harness,
    dm,
    event_body,
    make_app,
    slack_for,
)
from tests.support.wait import until

# configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "unset", "named"),
    [
        ("socket", "SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        ("http", "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        ("http", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        ("socket", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
    ],
)
async def test_a_missing_token_names_its_variable(
    tmp_path: Path,
    fake: FakeSlackAPI,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    unset: str,
    named: str,
) -> None:
    monkeypatch.delenv(unset)

    with pytest.raises(SlackConfigError, match=named) as error:
        await slack_for(make_app(tmp_path, fake, mode))

    assert isinstance(error.value, ValueError)
    assert "\n" not in str(error.value) and "xoxb-test" not in str(error.value)


async def test_a_refused_bot_token_stops_the_start_with_a_clear_error(
    tmp_path: Path, fake: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    platform = await slack_for(make_app(tmp_path, fake, "http"), host="127.0.0.1", port=0)

    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"):
        await platform.start()
    await platform.stop()


async def test_a_refused_app_token_stops_the_start_with_a_clear_error(
    tmp_path: Path, fake: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-revoked")
    platform = await slack_for(make_app(tmp_path, fake, "socket"))

    with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)"):
        await platform.start()


async def test_oauth_client_variables_are_refused(
    tmp_path: Path, fake: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "s")

    with pytest.raises(SlackConfigError, match="SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"):
        await slack_for(make_app(tmp_path, fake, "socket"))


# Socket Mode -------------------------------------------------------------------------------


async def test_send_only_start_opens_no_socket(tmp_path: Path, fake: FakeSlackAPI) -> None:
    platform = await slack_for(make_app(tmp_path, fake, "socket"))

    await platform.start(receive=False)
    try:
        await platform.send("C1", simple("briefing"))
    finally:
        await platform.stop()

    assert fake.calls_to("apps.connections.open") == []
    assert [m.text for m in fake.messages("C1")] == ["briefing"]


async def test_socket_mode_slash_command_is_acked_and_answered(socket: Harness) -> None:
    url = socket.fake.response_url()
    command = {
        "command": "/term",
        "text": "NP-hard",
        "channel_id": "C1",
        "user_id": "U1",
        "team_id": "T0001",
        "response_url": url,
    }

    ack = await socket.fake.push_envelope("slash_commands", command)

    assert ack == {"envelope_id": socket.fake.envelopes[-1]["envelope_id"]}  # empty ack
    await until(lambda: socket.fake.responses(url))
    assert "NP-Hard 문제란" in socket.fake.responses(url)[0]["text"]


async def test_socket_mode_retried_event_is_acked_without_an_answer(socket: Harness) -> None:
    await socket.platform.open_dm("U1")

    retried = await socket.fake.push_envelope(
        "events_api", event_body(dm("term NP-hard"), "Ev1"), retry_attempt=1
    )
    fresh = await socket.fake.push_envelope(
        "events_api", event_body(dm("term BERT", ts="1700000200.000200"), "Ev2")
    )

    assert retried is not None and fresh is not None
    await until(lambda: socket.fake.messages("DU1"))
    (answer,) = socket.fake.messages("DU1")
    assert answer.text is not None and "BERT" in answer.text


async def test_a_lost_socket_makes_the_replica_unready_until_it_reconnects(socket: Harness) -> None:
    """`/readyz`'s check (bot/app/ops.py): the socket up is ready; dropped, with Slack refusing
    a new one for a while, it is not, and names Slack; reconnected, it is ready again."""
    readiness = socket.app.ops.readiness
    assert await readiness.problems() == []
    socket.fake.fail_next(None, "internal_error", count=1, method="apps.connections.open")
    await socket.fake.drop_sockets()

    async def problems() -> list[str]:
        return await readiness.problems()

    await until(lambda: _named(problems, "slack: not connected"), "unready", within=20)
    await until(lambda: _named(problems, None), "ready again", within=40)


async def _named(problems: Callable[[], Awaitable[list[str]]], expected: str | None) -> bool:
    found = await problems()
    return found == ([expected] if expected else [])
