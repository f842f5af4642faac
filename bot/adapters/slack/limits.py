"""Slack's rate limits, as the pacer applies them: `chat.postMessage` is "special" tier, about one
message a second per channel after a short burst (https://api.slack.com/docs/rate-limits); there
is no overall limit in front, so each channel keeps its whole burst of 3.

Slack counts its limits per workspace ("per API method per workspace/team per app"). Every
bucket here is one channel's, and a channel is in one workspace, so with OAuth installs in many
workspaces nothing is shared between two of them: they are delivered concurrently, and a 429
(which the core's retry layer waits out for that chat only) never slows another workspace
(tests/adapters/slack/test_oauth.py). Slack's workspace-wide cap is not published; a 429 from
it pauses only the chat that got it, like any other."""

from __future__ import annotations

from bot.adapters.infra.pacing import Bucket, Limits

CHANNEL = Bucket(3, 1.0)
LIMITS = Limits(dm=CHANNEL, group=CHANNEL)
