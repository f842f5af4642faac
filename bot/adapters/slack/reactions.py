"""Slack `reaction_added` / `reaction_removed` → the core's `Reaction` (one reader, one emoji,
on or off). bolt acknowledges the event itself; a redelivered event was skipped before it got
here (`redelivery.py`: the inbound claims), so the same event never counts twice. The emoji's
skin tone is dropped (`thumbsup::skin-tone-2` counts as `thumbsup`)."""

from __future__ import annotations

from typing import Any

from slack_bolt.app.async_app import AsyncApp

from bot.adapters.slack.send import PLATFORM
from bot.core.conversation.inbound import Conversation, Reaction


def reaction(event: dict[str, Any]) -> Reaction | None:
    """The core's word for one reaction event; None for anything not a reader's reaction on
    a message."""
    item = event.get("item") or {}
    user, emoji = str(event.get("user", "")), str(event.get("reaction", "")).split("::")[0]
    channel, ts = str(item.get("channel", "")), str(item.get("ts", ""))
    if item.get("type") != "message" or not (user and emoji and channel and ts):
        return None
    on = 1 if event.get("type") == "reaction_added" else 0
    return Reaction(PLATFORM, channel, ts, f"{PLATFORM}:{user}", {emoji: on})


def register(bolt: AsyncApp, service: Conversation) -> None:
    async def on_reaction(event: dict[str, Any]) -> None:
        found = reaction(event)
        if found is not None:
            await service.react(found)  # nothing to answer; a failure is logged there

    bolt.event("reaction_added")(on_reaction)
    bolt.event("reaction_removed")(on_reaction)
