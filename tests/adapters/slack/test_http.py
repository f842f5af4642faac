"""Slack's HTTP endpoint: request verification (signatures, timestamps, replays, body limits,
malformed payloads) before anything runs, Slack's documented signature example, /healthz."""

from __future__ import annotations

import io
import time

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from tests.fakes.slack_api import FakeSlackAPI
from tests.support.slack import (
    SECRET,
    Harness,
    slash_body,
)
from tests.support.wait import until

# request verification ----------------------------------------------------------------------


async def test_a_forged_signature_gets_401_and_does_nothing(slack: Harness) -> None:
    calls = len(slack.fake.calls)
    body, url = slash_body(slack.fake, "/term", "NP-hard")

    status, _ = await slack.post(body, secret="not-the-secret")

    assert status == 401
    assert len(slack.fake.calls) == calls
    assert slack.fake.responses(url) == []


async def test_a_stale_timestamp_gets_401(slack: Harness) -> None:
    body, url = slash_body(slack.fake, "/term", "NP-hard")

    status, _ = await slack.post(body, timestamp=int(time.time()) - 301)

    assert status == 401
    assert slack.fake.responses(url) == []


async def test_no_signature_gets_401_and_does_nothing(slack: Harness) -> None:
    calls = api_calls(slack.fake)
    body, url = slash_body(slack.fake, "/term", "NP-hard")
    async with slack.session.post(
        slack.url, data=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    ) as response:
        assert response.status == 401
    assert api_calls(slack.fake) == calls and slack.fake.responses(url) == []


async def test_a_replayed_request_is_refused_and_answered_once(slack: Harness) -> None:
    body, url = slash_body(slack.fake, "/term", "NP-hard")
    stamp = int(time.time())
    assert (await slack.post(body, timestamp=stamp))[0] == 200
    assert (await slack.post(body, timestamp=stamp))[0] == 401
    await until(lambda: slack.fake.responses(url))
    assert len(slack.fake.responses(url)) == 1


def api_calls(fake: FakeSlackAPI) -> list[str]:
    """What the bot asked of Slack, less bolt's lazy auth.test on the first request."""
    return [call.method for call in fake.calls if call.method != "auth.test"]


async def test_a_huge_body_is_refused_before_anything_runs(slack: Harness) -> None:
    calls = api_calls(slack.fake)
    body, url = slash_body(slack.fake, "/term", "x" * 2_000_000)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
    }
    async with slack.session.post(
        slack.url, data=io.BytesIO(body.encode()), headers=headers
    ) as response:
        assert response.status == 413
    assert api_calls(slack.fake) == calls and slack.fake.responses(url) == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ("payload=%7Bnot%20json", "application/x-www-form-urlencoded"),
     ("\x00\xff", "application/octet-stream"), ("", "application/json")],
)  # fmt: skip
async def test_malformed_signed_payloads_get_an_error_and_no_side_effect(
    slack: Harness, body: str, content_type: str
) -> None:
    calls = api_calls(slack.fake)
    status, _ = await slack.post(body, content_type=content_type)
    assert status in {400, 401, 404}
    assert api_calls(slack.fake) == calls
    assert (await slack.command("/term", "NP-hard")) is not None  # and the bot keeps serving


DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = 1531420618
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmib"
    "IGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class PinnedClock(Clock):
    def now(self) -> float:
        return float(DOC_TIMESTAMP)


def test_slacks_documented_example_signature_verifies() -> None:
    verifier = SignatureVerifier(DOC_SECRET, clock=PinnedClock())
    headers = {"x-slack-request-timestamp": str(DOC_TIMESTAMP), "x-slack-signature": DOC_SIGNATURE}

    assert verifier.generate_signature(timestamp=str(DOC_TIMESTAMP), body=DOC_BODY) == DOC_SIGNATURE
    assert verifier.is_valid_request(DOC_BODY, headers)
    assert not verifier.is_valid_request(DOC_BODY.replace("text=", "text=x"), headers)


async def test_healthz(slack: Harness) -> None:
    async with slack.session.get(slack.url.replace("/slack/events", "/healthz")) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True, "platform": "slack", "mode": "http"}
