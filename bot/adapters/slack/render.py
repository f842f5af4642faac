"""Neutral messages to Slack `chat.postMessage` payloads: Block Kit with mrkdwn. Pure, no I/O.

Every leaf is escaped here and only here: `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;` (the
only entities Slack decodes), so no content or user text can become `<!channel>`, `<@U…>` or a
link. mrkdwn sections are `verbatim`, so Slack does not auto-parse bare `@here` or `#channel`
either. Our own links are `<url|title>` with an http(s) URL whose delimiters are percent-encoded.
mrkdwn markers (`*`, `_`, `` ` ``) inside text may still format; they can never mention or link.

Limits (docs/platforms.md §1.5): a `header` holds ≤150 characters of plain text, a `section`
≤3000 of mrkdwn, a message ≤50 blocks. Slack also refuses messages whose blocks add up to about 13k
characters (`msg_blocks_too_long`, undocumented), so a payload carries at most
`MAX_PAYLOAD_CHARS` of block text. A message that does not fit becomes several payloads; the
adapter posts the later ones as replies in the same thread.

A message's `Button`s become `actions` blocks (one per kind of button: ◀ ▶ in one, 👍 👎 in
another) at the end of its first payload (`action_id` `press_<n>`, `value` the button's data).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.core.model.messages import Block, Button, Line, Message, Span, Style, Thread
from bot.core.model.split import cut_point, fit_block

Payload = dict[str, Any]
SlackBlock = dict[str, Any]

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
MAX_PAYLOAD_CHARS = 12_000
FALLBACK_LIMIT = 3000
PARENT_TS = "<parent ts>"
CHANNEL = "<channel>"
ELLIPSIS = "…"
INDENT = "    "
BULLETS = ("•", "◦", "▪")
_MARKERS = {Style.BOLD: "*", Style.ITALIC: "_", Style.CODE: "`"}
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_URL_QUOTES = {"|": "%7C", "<": "%3C", ">": "%3E", " ": "%20"}
BUTTON_ACTION = "press_"  # the prefix of the message buttons' action_id
BUTTON_LIMIT = 75  # characters of a button's text


def escape(text: str) -> str:
    """Slack's three control characters as entities; nothing else is touched."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_url(url: str | None) -> str | None:
    """The URL as it may appear inside `<…|…>`, or None if it is not a plain http(s) URL."""
    if not url or any(ord(ch) < 32 or ch.isspace() for ch in url):
        return None
    if not _URL.fullmatch(url):
        return None
    for char, quoted in _URL_QUOTES.items():
        url = url.replace(char, quoted)
    return url.replace("&", "&amp;")


def render_span(span: Span) -> str:
    if span.style is Style.LINK:
        url = safe_url(span.url)
        if url is None:
            return escape(span.text)
        title = escape(span.text.strip()).replace("|", "｜")
        return f"<{url}|{title}>" if title else f"<{url}>"
    marker = _MARKERS.get(span.style)
    core = span.text.strip()
    if marker is None or not core:
        return escape(span.text)
    lead = span.text[: len(span.text) - len(span.text.lstrip())]
    trail = span.text[len(span.text.rstrip()) :]
    return f"{lead}{marker}{escape(core)}{marker}{trail}"


def render_line(line: Line) -> str:
    bullet = f"{BULLETS[line.indent % len(BULLETS)]} " if line.bullet else ""
    return INDENT * line.indent + bullet + "".join(render_span(span) for span in line.spans)


def line_size(line: Line) -> int:
    """What a line costs in a section: its rendered mrkdwn, escapes included."""
    return len(render_line(line))


def truncate(text: str, limit: int) -> str:
    """`text` escaped, cut at a word or grapheme boundary with … so that it fits `limit`."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    keep = min(len(text), limit - len(ELLIPSIS))  # characters of `text`, before escaping
    while keep > 0:
        cut = cut_point(text, keep)
        out = escape(text[:cut].rstrip()) + ELLIPSIS
        if len(out) <= limit:
            return out
        keep = min(keep, cut) - max(1, (len(out) - limit) // len("&amp;"))
    return ELLIPSIS


def section(mrkdwn: str) -> SlackBlock:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def header(title: str) -> SlackBlock:
    text = truncate(title, HEADER_LIMIT)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


@dataclass(frozen=True, slots=True)
class _Unit:
    """One Slack block and the neutral block it came from (for the plain-text fallback)."""

    block: SlackBlock
    source: Block | None
    size: int


def _title_units(title: str) -> list[_Unit]:
    head = header(title)
    units = [_Unit(head, None, len(head["text"]["text"]))]
    if len(escape(title)) > HEADER_LIMIT:  # the header is cut: the full title opens the body
        full = f"*{truncate(title, SECTION_LIMIT - 2)}*"
        units.append(_Unit(section(full), None, len(full)))
    return units


def block_units(block: Block) -> list[_Unit]:
    """A neutral block as sections of ≤3000 characters, split between lines, then words."""
    units = []
    for part in fit_block(block, SECTION_LIMIT, line_size):
        text = "\n".join(render_line(line) for line in part.lines)
        if text.strip():
            units.append(_Unit(section(text), part, len(text)))
    return units


def _pack(units: list[_Unit]) -> list[list[_Unit]]:
    """Group blocks into payloads of ≤50 blocks and ≤MAX_PAYLOAD_CHARS characters."""
    groups: list[list[_Unit]] = []
    used = 0
    for unit in units:
        if groups and len(groups[-1]) < MAX_BLOCKS and used + unit.size <= MAX_PAYLOAD_CHARS:
            groups[-1].append(unit)
            used += unit.size
        else:
            groups.append([unit])
            used = unit.size
    return groups


def fallback(plain: str) -> str:
    """The notification text: the plain text, escaped, ≤ about 3000 characters."""
    return truncate(plain.strip(), FALLBACK_LIMIT) or ELLIPSIS


def _payload(units: list[_Unit], title: str | None, unfurl: bool) -> Payload:
    blocks = tuple(unit.source for unit in units if unit.source is not None)
    payload: Payload = {"text": fallback(Message(blocks, title).plain)}
    if units:
        payload["blocks"] = [unit.block for unit in units]
    payload["unfurl_links"] = payload["unfurl_media"] = unfurl
    return payload


def render_message(message: Message, *, reply: bool = False) -> list[Payload]:
    """`chat.postMessage` payloads (without `channel`/`thread_ts`) for one neutral message.

    The first payload carries the title; later ones are continuations, meant as thread replies.
    Link previews stay off in replies and unless the message asks for them. Each payload is a
    new dict; its blocks are shared with the other sends of the same message (never changed).
    """
    return [dict(payload) for payload in _rendered(message, reply)]


@lru_cache(maxsize=256)
def _rendered(message: Message, reply: bool) -> tuple[Payload, ...]:
    """Messages are immutable, and a fan-out sends the same thread to every channel."""
    title = (message.title or "").strip()
    units = _title_units(title) if title else []
    units += [unit for block in message.blocks for unit in block_units(block)]
    groups = _pack(units) or [[]]
    first_unfurl = message.link_previews and not reply
    payloads = [
        _payload(group, title if i == 0 and title else None, first_unfurl and i == 0)
        for i, group in enumerate(groups)
    ]
    return tuple(_with_buttons(payloads, message.buttons))


def button_blocks(buttons: tuple[Button, ...]) -> list[SlackBlock]:
    """The buttons as actions blocks, one per kind; each button's `value` is its data, its
    `action_id` unique in the message (`press_<n>`)."""
    rows: dict[str, list[SlackBlock]] = {}
    for index, button in enumerate(buttons):
        rows.setdefault(button.prefix, []).append(
            {
                "type": "button",
                "action_id": f"{BUTTON_ACTION}{index}",
                "text": {
                    "type": "plain_text",
                    "text": truncate(button.label, BUTTON_LIMIT),
                    "emoji": True,
                },
                "value": button.data,
            }
        )
    return [
        {"type": "actions", "block_id": f"buttons_{prefix}", "elements": elements}
        for prefix, elements in rows.items()
    ]


def _with_buttons(payloads: list[Payload], buttons: tuple[Button, ...]) -> list[Payload]:
    """The buttons' blocks at the end of the first payload (a full one gives up its last
    blocks to a payload of their own after it)."""
    if not buttons:
        return payloads
    added = button_blocks(buttons)
    first, rest = payloads[0], payloads[1:]
    blocks = list(first.get("blocks", []))
    room = MAX_BLOCKS - len(added)
    if len(blocks) > room:
        moved = {"text": first["text"], "blocks": blocks[room:], "unfurl_links": False}
        moved["unfurl_media"] = False
        blocks = blocks[:room]
        rest = [moved, *rest]
    return [{**first, "blocks": [*blocks, *added]}, *rest]


def render_thread(thread: Thread) -> list[Payload]:
    """Every payload of a thread in posting order, addressed with placeholders: the parent to
    `<channel>`, everything after it with `thread_ts` = `<parent ts>`."""
    out: list[Payload] = []
    for index, message in enumerate(thread.messages):
        for payload in render_message(message, reply=index > 0):
            where = (
                {"channel": CHANNEL} if not out else {"channel": CHANNEL, "thread_ts": PARENT_TS}
            )
            out.append({**where, **payload})
    return out


def preview_json(thread: Thread) -> str:
    """`briefing-bot preview N --platform slack`: the exact payloads as pretty JSON."""
    return json.dumps(render_thread(thread), ensure_ascii=False, indent=2)
