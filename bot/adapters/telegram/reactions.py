"""Telegram reactions → the core's `Reaction`: `message_reaction` (a reader's whole list of
emoji on a message, old and new: the new list replaces theirs) and `message_reaction_count`
(a channel's anonymous totals: they replace the channel's count on that message). Telegram
sends both only where the bot is an administrator and only when `allowed_updates` names them
(`platform.ALLOWED_UPDATES`). A custom or paid reaction counts under its kind's name. An
update seen before was stopped by the inbound claims (`inbound.claim`), so it counts once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import ReactionType, ReactionTypeCustomEmoji, ReactionTypeEmoji, Update
from telegram.ext import Application, ContextTypes, MessageReactionHandler

from bot.adapters.telegram.send import PLATFORM
from bot.core.conversation.inbound import Conversation, Reaction


def name(kind: ReactionType) -> str:
    if isinstance(kind, ReactionTypeEmoji):
        return kind.emoji
    if isinstance(kind, ReactionTypeCustomEmoji):
        return f"custom:{kind.custom_emoji_id}"
    return str(kind.type)


def reaction(update: Update) -> Reaction | None:
    """The core's word for a reaction update; None for one it cannot attribute."""
    if (changed := update.message_reaction) is not None:
        who = changed.user or changed.actor_chat
        if who is None:
            return None
        new = _counts(changed.new_reaction)
        chat, message = str(changed.chat.id), str(changed.message_id)
        return Reaction(PLATFORM, chat, message, f"{PLATFORM}:{who.id}", new, replace=True)
    if (counted := update.message_reaction_count) is not None:
        chat, message = str(counted.chat.id), str(counted.message_id)
        totals = {name(r.type): r.total_count for r in counted.reactions}
        return Reaction(PLATFORM, chat, message, f"count:{chat}:{message}", totals, replace=True)
    return None


def _counts(kinds: Sequence[ReactionType]) -> dict[str, int]:
    return {name(kind): 1 for kind in kinds}


def install(application: Application[Any, Any, Any, Any, Any, Any], service: Conversation) -> None:
    async def on_reaction(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        found = reaction(update)
        if found is not None:
            await service.react(found)  # nothing to answer; a failure is logged there

    application.add_handler(MessageReactionHandler(on_reaction))
