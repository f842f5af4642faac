"""The App Home tab: the latest issue (title, table of contents) with a button that sends it to
the reader's DM, the last ten issues (each a button that does the same), and a Subscribe or
Unsubscribe button for the daily DM. Pure: builds the `views.publish` view, no I/O.

Block Kit's limits hold whatever the archive's size: the latest issue's parent is a handful of
blocks, the recent issues are one `actions` block (≤25 buttons, each text ≤75 characters), and
the whole view is cut to `MAX_HOME_BLOCKS`, keeping the buttons.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.render import BUTTON_LIMIT, escape, render_message, section, truncate
from bot.core.i18n import Language, t
from bot.core.messages import simple
from bot.core.render import issue_parent
from bot.core.service import HomeState

SUBSCRIBE_ACTION = "home_subscribe"
UNSUBSCRIBE_ACTION = "home_unsubscribe"
SEND_ACTION = "home_send"  # the latest issue's button; `home_send_<i>` the recent ones
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


def send_button(number: int, label: str, action_id: str) -> dict[str, Any]:
    """A button that sends issue `number` to the presser's DM (its value is the number)."""
    text = {"type": "plain_text", "text": truncate(label, BUTTON_LIMIT), "emoji": True}
    return {"type": "button", "action_id": action_id, "text": text, "value": str(number)}


def _recent(state: HomeState) -> list[dict[str, Any]]:
    lang = state.language
    if not state.recent:
        return []
    buttons = [
        send_button(
            entry.number,
            t(lang, "home_issue", number=entry.number, date=entry.date.isoformat()),
            f"{SEND_ACTION}_{i}",
        )
        for i, entry in enumerate(state.recent[:25])
    ]
    return [
        {"type": "divider"},
        section(f"*{escape(t(lang, 'home_recent'))}*"),
        {"type": "actions", "block_id": "recent", "elements": buttons},
    ]


def home_view(state: HomeState) -> dict[str, Any]:
    """The Home tab for one user: the latest issue (or "nothing yet"), the recent issues and
    their subscription button."""
    latest, subscribed, lang = state.latest, state.subscribed, state.language
    message = issue_parent(latest, lang) if latest else simple(t(lang, "archive_empty"))
    head: list[dict[str, Any]] = list(render_message(message)[0].get("blocks", []))
    send: list[dict[str, Any]] = []
    if latest is not None:
        latest_button = {**send_button(latest.number, t(lang, "home_send"), SEND_ACTION)}
        latest_button["style"] = "primary"
        send = [{"type": "actions", "block_id": "latest", "elements": [latest_button]}]
    status = section(escape(t(lang, "home_is_subscribed" if subscribed else "home_not_subscribed")))
    tail = [
        *_recent(state),
        {"type": "divider"},
        status,
        {"type": "actions", "block_id": "subscription", "elements": [button(subscribed, lang)]},
    ]
    room = MAX_HOME_BLOCKS - len(send) - len(tail)
    return {"type": "home", "blocks": head[:room] + send + tail}
