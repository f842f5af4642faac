"""The App Home tab: the latest issue's title and table of contents, and a Subscribe or
Unsubscribe button for the daily DM. Pure: builds the `views.publish` view, no I/O."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack_render import escape, render_message, section
from bot.content.models import Issue
from bot.core.i18n import Language, t
from bot.core.messages import simple
from bot.core.render import issue_parent

SUBSCRIBE_ACTION = "home_subscribe"
UNSUBSCRIBE_ACTION = "home_unsubscribe"
MAX_HOME_BLOCKS = 100
_STRINGS: dict[str, tuple[str, str]] = {  # key: (ko, en)
    "subscribe": ("DM으로 받기", "Subscribe"),
    "unsubscribe": ("DM 구독 취소", "Unsubscribe"),
    "is_subscribed": (
        "매일 아침 이 앱의 메시지 탭으로 뉴랄브리핑을 받고 있습니다.",
        "You get 뉴랄브리핑 in this app's Messages tab every morning.",
    ),
    "not_subscribed": (
        "구독하면 매일 아침 이 앱의 메시지 탭으로 뉴랄브리핑을 보내 드립니다.",
        "Subscribe to get 뉴랄브리핑 in this app's Messages tab every morning.",
    ),
}


def _say(lang: Language, key: str) -> str:
    ko, en = _STRINGS[key]
    return en if lang == "en" else ko


def button(subscribed: bool, lang: Language) -> dict[str, Any]:
    key = "unsubscribe" if subscribed else "subscribe"
    return {
        "type": "button",
        "action_id": UNSUBSCRIBE_ACTION if subscribed else SUBSCRIBE_ACTION,
        "text": {"type": "plain_text", "text": escape(_say(lang, key)), "emoji": True},
        "style": "danger" if subscribed else "primary",
        "value": key,
    }


def home_view(latest: Issue | None, subscribed: bool, lang: Language) -> dict[str, Any]:
    """The Home tab for one user: the latest issue (or "nothing yet") and their button."""
    message = issue_parent(latest, lang) if latest else simple(t(lang, "archive_empty"))
    blocks: list[dict[str, Any]] = list(render_message(message)[0].get("blocks", []))
    status = section(escape(_say(lang, "is_subscribed" if subscribed else "not_subscribed")))
    tail = [
        {"type": "divider"},
        status,
        {"type": "actions", "block_id": "subscription", "elements": [button(subscribed, lang)]},
    ]
    return {"type": "home", "blocks": blocks[: MAX_HOME_BLOCKS - len(tail)] + tail}
