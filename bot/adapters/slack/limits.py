"""Slack's rate limits, as the pacer applies them: `chat.postMessage` is "special" tier, about one
message a second per channel after a short burst (https://api.slack.com/docs/rate-limits); there
is no overall limit in front, so each channel keeps its whole burst of 3."""

from __future__ import annotations

from bot.adapters.pacing import Bucket, Limits

CHANNEL = Bucket(3, 1.0)
LIMITS = Limits(dm=CHANNEL, group=CHANNEL)
