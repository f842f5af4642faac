"""The App Home tab: the latest issue (title, table of contents) with a button that sends it to
the reader's DM, the last ten issues (each a button that does the same), a Subscribe or
Unsubscribe button for the daily DM, and the reader's settings: their delivery time (a
`timepicker`), its zone (a `static_select` of a short list of zones, theirs and Slack's `tz` for
them first) and the language of the bot's words (a `static_select`), all in their language;
and the sections they get, as `checkboxes` (checked: in their thread; unchecked: muted).
Pure: builds the `views.publish` view, and reads a change back as the command it stands for
(`setting`), no I/O.

A change is the reader's own command: the time or zone is `/subscribe HH:MM Zone` (`/briefing
time HH:MM Zone` in their DM when they are subscribed already), the language `/lang xx`, so
what is accepted, stored and answered is the commands' (a forged value gets their short answer);
a section unchecked is `/mute <section>`, checked again `/unmute <section>`.
The answer is shown on the republished view, under the settings.

Block Kit's limits hold whatever the archive's size: the latest issue's parent is a handful of
blocks, the recent issues are one `actions` block (≤25 buttons, each text ≤75 characters), the
zones ≤100 options, and the whole view is cut to `MAX_HOME_BLOCKS`, keeping the controls.
"""

from __future__ import annotations

import re
from typing import Any

from bot.adapters.slack.render import BUTTON_LIMIT, escape, render_message, section, truncate
from bot.core.conversation.inbound import HomeState
from bot.core.conversation.parsing import known_zone
from bot.core.i18n import Language, t
from bot.core.model.messages import simple
from bot.core.model.render import issue_parent

SUBSCRIBE_ACTION = "home_subscribe"
UNSUBSCRIBE_ACTION = "home_unsubscribe"
SEND_ACTION = "home_send"  # the latest issue's button; `home_send_<i>` the recent ones
TIME_ACTION = "home_time"
ZONE_ACTION = "home_zone"
LANGUAGE_ACTION = "home_lang"
SECTIONS_ACTION = "home_sections"
SETTING_ACTIONS = (TIME_ACTION, ZONE_ACTION, LANGUAGE_ACTION, SECTIONS_ACTION)
MAX_CHECKBOXES = 10  # options of one `checkboxes` element
MAX_HOME_BLOCKS = 100
MAX_OPTIONS = 100  # of a static_select
CONTEXT_LIMIT = 3000
ZONES = (
    "Asia/Seoul", "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata", "Asia/Dubai",
    "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Moscow", "Africa/Lagos",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "Australia/Sydney", "Pacific/Auckland", "UTC",
)  # fmt: skip
LANGUAGES: tuple[Language, ...] = ("ko", "en")


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


def _plain(text: str, limit: int = BUTTON_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value[:150]}


def zone_choices(current: str, theirs: str | None = None) -> list[str]:
    """The zones offered: the reader's current one, the one Slack has for them (if it is a zone
    we know), then the usual ones; at most `MAX_OPTIONS`."""
    known = known_zone(theirs) if theirs else None
    first = [current, *([known] if known else [])]
    return list(dict.fromkeys([*first, *ZONES]))[:MAX_OPTIONS]


def _settings(state: HomeState, theirs: str | None) -> list[dict[str, Any]]:
    """The reader's delivery time, zone and language, each changed in place; the answer to
    the last change below them."""
    lang, timing = state.language, state.timing
    if timing is None:  # no per-reader times here
        return []
    picker: dict[str, Any] = {
        "type": "timepicker",
        "action_id": TIME_ACTION,
        "placeholder": _plain(t(lang, "home_pick_time")),
    }
    if re.fullmatch(r"[0-2]\d:[0-5]\d", timing.time):  # else the edition's cron line
        picker["initial_time"] = timing.time
    zones = [_option(zone, zone) for zone in zone_choices(timing.zone, theirs)]
    languages = [_option(t(lang, f"language_name_{code}"), code) for code in LANGUAGES]
    zone_select = {
        "type": "static_select",
        "action_id": ZONE_ACTION,
        "placeholder": _plain(t(lang, "home_pick_zone")),
        "options": zones,
        "initial_option": zones[0],
    }
    language_select = {
        "type": "static_select",
        "action_id": LANGUAGE_ACTION,
        "placeholder": _plain(t(lang, "home_pick_language")),
        "options": languages,
        "initial_option": languages[LANGUAGES.index(lang)],
    }
    name = t(lang, f"language_name_{lang}")
    now = t(lang, "home_timing", time=timing.time, zone=timing.zone, words=name)
    lines = [now, *([state.notice] if state.notice else [])]
    return [
        {"type": "divider"},
        section(f"*{escape(t(lang, 'home_settings'))}*"),
        {"type": "actions", "block_id": "settings",
         "elements": [picker, zone_select, language_select]},
        *({"type": "context", "block_id": f"settings_{i}", "elements": [
            {"type": "mrkdwn", "text": truncate(line, CONTEXT_LIMIT), "verbatim": True}]}
          for i, line in enumerate(lines)),
    ]  # fmt: skip


def _sections(state: HomeState) -> list[dict[str, Any]]:
    """The sections as checkboxes (checked: they get it), in elements of ten."""
    lang, names = state.language, state.sections
    if not names:
        return []
    muted = {name.casefold() for name in state.muted}
    elements = []
    for start in range(0, len(names), MAX_CHECKBOXES):
        options = [_option(name, name) for name in names[start : start + MAX_CHECKBOXES]]
        box: dict[str, Any] = {
            "type": "checkboxes", "action_id": f"{SECTIONS_ACTION}_{start // MAX_CHECKBOXES}",
            "options": options,
        }  # fmt: skip
        kept = [o for o in options if o["value"].casefold() not in muted]
        if kept:
            box["initial_options"] = kept
        elements.append(box)
    return [
        section(f"*{escape(t(lang, 'home_sections'))}*"),
        {"type": "actions", "block_id": "sections", "elements": elements[:25]},
    ]


def section_change(action: dict[str, Any], state: HomeState) -> tuple[str, str] | None:
    """A click on the sections' checkboxes: `/mute` the one unchecked, `/unmute` the one
    checked (its name is the option's value, untrusted: /mute's matching judges it)."""
    chosen = action.get("selected_options")
    if not isinstance(chosen, list):
        return None
    number = str(action.get("action_id", "")).rpartition("_")[2]
    start = int(number) * MAX_CHECKBOXES if number.isdigit() and len(number) < 3 else 0
    shown = state.sections[start : start + MAX_CHECKBOXES]
    checked = {str(o.get("value", ""))[:150] for o in chosen if isinstance(o, dict)}
    muted = {name.casefold() for name in state.muted}
    for name in shown:
        if name not in checked and name.casefold() not in muted:
            return "mute", name
    for value in sorted(checked):
        if value.casefold() in muted or value not in shown:
            return "unmute", value or "-"
    return None


def setting(action: dict[str, Any], state: HomeState) -> tuple[str, str] | None:
    """The command (name, argument) a change of the Home tab's settings stands for, or None
    if it is not one. The values are untrusted: the command's parsing judges them."""
    if str(action.get("action_id", "")).startswith(SECTIONS_ACTION):
        return section_change(action, state)
    kind, timing = action.get("action_id"), state.timing
    chosen = action.get("selected_option")
    value = str(chosen.get("value", "")) if isinstance(chosen, dict) else ""
    if kind == LANGUAGE_ACTION:
        return "lang", value or "-"
    if timing is None or kind not in (TIME_ACTION, ZONE_ACTION):
        return None
    if kind == TIME_ACTION:
        when = f"{action.get('selected_time') or '-'} {timing.zone}"
    else:
        when = f"{timing.time} {value or '-'}"
    return ("briefing", f"time {when}") if state.subscribed else ("subscribe", when)


def home_view(state: HomeState, theirs: str | None = None) -> dict[str, Any]:
    """The Home tab for one user: the latest issue (or "nothing yet"), the recent issues,
    their subscription button and settings (`theirs`: the zone Slack has for them)."""
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
        *_settings(state, theirs),
        *_sections(state),
    ]
    room = MAX_HOME_BLOCKS - len(send) - len(tail)
    return {"type": "home", "blocks": head[:room] + send + tail}
