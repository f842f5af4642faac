"""Neutral messages to Telegram HTML (`parse_mode=HTML`), split to Telegram's size limit. Pure.

Every leaf is escaped here and only here: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` in text
(always, even where Telegram would tolerate a bare one) and `"` also becomes `&quot;` inside an
`href`. Only tags Telegram accepts are produced: `<b>`, `<i>`, `<code>` and `<a href="...">` for
http(s)/tg/mailto URLs (any other link, e.g. `javascript:`, is rendered as its text alone).

Layout: the title is a bold first line, blocks are separated by a blank line, list items are
"• " text indented by non-breaking spaces (Telegram has no list markup).

Size: Telegram counts the *parsed* text in Unicode code points, at most `LIMIT` per message,
and refuses raw HTML over `RAW_LIMIT` bytes before parsing. A line's size is therefore its plain
text (indent and bullet included, tags excluded, `&amp;` counting 1), or an eighth of its HTML
bytes if that is larger: any part whose sizes add up to ≤ `LIMIT` satisfies both limits.
Splitting is `bot.core.model.split.split_message` on the neutral model, before any markup exists, so
no cut lands inside a tag, a link, an entity or an emoji sequence.

A message's `Button`s become an inline keyboard (`keyboard`; one row per kind of button), sent
with its first part.
"""

from __future__ import annotations

import html
import math
from dataclasses import replace
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.model.messages import Block, Button, Line, Message, Span, Style, Thread
from bot.core.model.packing import SizeBudget
from bot.core.model.split import split_message

LIMIT = 4096  # code points of text after entity parsing
RAW_LIMIT = 32768  # bytes of HTML before parsing
BULLET = "• "
INDENT = "\u00a0\u00a0\u00a0"  # per indent level; non-breaking, so clients keep it
LINE_SEP = "\n"
BLOCK_SEP = "\n\n"
SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_TAGS = {Style.BOLD: "b", Style.ITALIC: "i", Style.CODE: "code"}
_BYTES_PER_POINT = RAW_LIMIT // LIMIT


def escape(value: str) -> str:
    """Text content: `&`, `<`, `>` escaped (html.escape with quote=False)."""
    return html.escape(value, quote=False)


def escape_attr(value: str) -> str:
    """A double-quoted attribute value: text escaping plus `"` → `&quot;`."""
    return escape(value).replace('"', "&quot;")


def is_safe_url(url: str | None) -> bool:
    return bool(url) and str(url).strip().lower().startswith(SAFE_SCHEMES)


def render_span(span: Span) -> str:
    if not span.text:
        return ""
    body = escape(span.text)
    if span.style is Style.LINK:
        if span.url and is_safe_url(span.url):
            return f'<a href="{escape_attr(span.url.strip())}">{body}</a>'
        return body
    tag = _TAGS.get(span.style)
    return f"<{tag}>{body}</{tag}>" if tag else body


def prefix(line: Line) -> str:
    return INDENT * line.indent + (BULLET if line.bullet else "")


def render_line(line: Line) -> str:
    return prefix(line) + "".join(render_span(span) for span in line.spans)


def plain_line(line: Line) -> str:
    """The line as Telegram stores it after parsing the HTML."""
    return prefix(line) + line.plain


def line_size(line: Line) -> int:
    raw = len(render_line(line).encode("utf-8", "surrogatepass"))
    return max(len(plain_line(line)), math.ceil(raw / _BYTES_PER_POINT))


def render_title(title: str) -> str:
    return f"<b>{escape(title)}</b>"


BUDGET = SizeBudget(LIMIT, line_size, len(LINE_SEP), len(BLOCK_SEP))
"""What one Telegram message holds, for packing a thread's sections (`bot.core.model.packing`)."""


def title_size(title: str) -> int:
    raw = len(render_title(title).encode("utf-8", "surrogatepass"))
    return max(len(title), math.ceil(raw / _BYTES_PER_POINT))


def split(message: Message, *, limit: int = LIMIT) -> list[Message]:
    """The message as parts that each fit one Telegram message (the title stays on the first).

    A title too long to share a part with content becomes a bold first line, so it can be cut."""
    if message.title and title_size(message.title) > limit // 4:
        head = Block((Line((Span(message.title, Style.BOLD),)),))
        message = replace(message, title=None, blocks=(head, *message.blocks))
    return split_message(
        message,
        budget=limit,
        line_size=line_size,
        title_size=title_size(message.title) if message.title else 0,
        line_sep=len(LINE_SEP),
        block_sep=len(BLOCK_SEP),
    )


def to_html(part: Message) -> str:
    """One part (already within the limit) as the exact `text` of a sendMessage call."""
    chunks = [render_title(part.title)] if part.title else []
    chunks += [LINE_SEP.join(map(render_line, block.lines)) for block in part.blocks if block.lines]
    return BLOCK_SEP.join(chunks)


def to_plain(part: Message) -> str:
    """What Telegram makes of `to_html(part)`: the text after entity parsing."""
    chunks = [part.title] if part.title else []
    chunks += [LINE_SEP.join(map(plain_line, block.lines)) for block in part.blocks if block.lines]
    return BLOCK_SEP.join(chunks)


def render(message: Message, *, limit: int = LIMIT) -> list[str]:
    """The message as Telegram HTML texts, in order; [] when there is nothing to send."""
    return list(_render(message, limit))


@lru_cache(maxsize=256)
def _render(message: Message, limit: int) -> tuple[str, ...]:
    """Messages are immutable, and a fan-out sends the same thread to every subscriber."""
    return tuple(text for part in split(message, limit=limit) if (text := to_html(part)).strip())


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """The buttons as an inline keyboard, a row per kind (◀ ▶ in one, 👍 👎 in another); each
    button's `callback_data` is its data."""
    if not buttons:
        return None
    rows: dict[str, list[InlineKeyboardButton]] = {}
    for button in buttons:
        rows.setdefault(button.prefix, []).append(
            InlineKeyboardButton(button.label, callback_data=button.data)
        )
    return InlineKeyboardMarkup(list(rows.values()))


def preview_lines(thread: Thread) -> list[str]:
    """`briefing-bot preview N --platform telegram`: every message that would be sent, in order,
    as a header line (number, role, length in code points) and the exact HTML, then a blank."""
    plan: list[tuple[str, Message]] = []
    for index, message in enumerate(thread.messages):
        for n, part in enumerate(split(message)):
            if not to_html(part).strip():
                continue
            role = "reply to 1" if index else "parent" if n == 0 else "parent, continued"
            plan.append((role, part))
    lines: list[str] = []
    for number, (role, part) in enumerate(plan, 1):
        size = len(to_plain(part))
        lines += [
            f"--- message {number}/{len(plan)} ({role}) · {size} chars ---",
            to_html(part),
            "",
        ]
    return lines
