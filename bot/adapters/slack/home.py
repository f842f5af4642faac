"""The App Home tab: the latest issue's title and table of contents, and a Subscribe or
Unsubscribe button for the daily DM. Pure: builds the `views.publish` view, no I/O."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.render import escape, render_message, section
from bot.core.i18n import Language, t
from bot.core.messages import simple
from bot.core.render import issue_parent
from bot.core.service import HomeState

SUBSCRIBE_ACTION = "home_subscribe"
UNSUBSCRIBE_ACTION = "home_unsubscribe"
MAX_HOME_BLOCKS = 100


def button(subscribed: bool, lang: Language) -> dict[str, Any]:
    key = "unsubscribe" if subscribed else "subscribe"
    label = t(lang, f"home_{key}")
    return {
        "type": "button",
        "action_id": UNSUBSCRIBE_ACTION if subscribed else SUBSCRIBE_ACTION,
        "text": {"type": "plain_text", "text": escape(label), "emoji": True},
        "style": "danger" if subscribed else "primary",
        "value": key,
    }


def home_view(state: HomeState) -> dict[str, Any]:
    """The Home tab for one user: the latest issue (or "nothing yet") and their button."""
    latest, subscribed, lang = state.latest, state.subscribed, state.language
    message = issue_parent(latest, lang) if latest else simple(t(lang, "archive_empty"))
    blocks: list[dict[str, Any]] = list(render_message(message)[0].get("blocks", []))
    status = section(escape(t(lang, "home_is_subscribed" if subscribed else "home_not_subscribed")))
    tail = [
        {"type": "divider"},
        status,
        {"type": "actions", "block_id": "subscription", "elements": [button(subscribed, lang)]},
    ]
    return {"type": "home", "blocks": blocks[: MAX_HOME_BLOCKS - len(tail)] + tail}
