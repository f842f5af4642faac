"""The neutral message model: what the core says, before any platform's markup.

A `Message` is a title plus blocks; a `Block` is lines (one item with its notes, say); a `Line`
is spans at an indent, optionally a bullet. Renderers escape every span's text; nothing here
is markup. A `Thread` is a parent message and its ordered replies. A message may carry
`Button`s (◀ ▶ to the neighbouring issues, ...), which each platform renders as its own buttons
under the message's first part; a press comes back as the button's `data`
(`bot/core/conversation/buttons.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Style(StrEnum):
    TEXT = "text"
    BOLD = "bold"
    ITALIC = "italic"
    CODE = "code"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style = Style.TEXT
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    spans: tuple[Span, ...]
    indent: int = 0
    bullet: bool = False

    @property
    def plain(self) -> str:
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True, slots=True)
class Block:
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Button:
    """One button under a message: its label, and the data a press sends back: `<prefix>:<payload>`,
    ASCII, at most 64 bytes (Telegram's `callback_data`). Buttons of one prefix share a row."""

    label: str
    data: str

    @property
    def prefix(self) -> str:
        return self.data.partition(":")[0]


@dataclass(frozen=True, slots=True)
class Message:
    blocks: tuple[Block, ...]
    title: str | None = None
    link_previews: bool = False
    buttons: tuple[Button, ...] = ()
    sections: tuple[str, ...] = ()  # the sections it carries (reactions count for them)
    _hash: int = field(init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        """Worked out once: renderers cache by message, and hashing a message's spans again
        on every send was a tenth of a delivery's CPU (docs/benchmarks.md)."""
        try:
            return self._hash
        except AttributeError:
            value = hash((self.blocks, self.title, self.link_previews, self.buttons, self.sections))
            object.__setattr__(self, "_hash", value)
            return value

    @property
    def plain(self) -> str:
        parts = [self.title] if self.title else []
        parts += ["\n".join(line.plain for line in block.lines) for block in self.blocks]
        return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class Thread:
    parent: Message
    replies: tuple[Message, ...] = ()

    @property
    def messages(self) -> tuple[Message, ...]:
        return (self.parent, *self.replies)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """An opaque handle to a posted message: Slack `ts`, Telegram `message_id`, ...; `more`
    holds the ids of the continuation messages when the platform split one message in several
    (a correction edits or deletes each of them)."""

    platform: str
    chat: str
    id: str
    thread: str | None = field(default=None)
    more: tuple[str, ...] = field(default=())

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.more)


def text(value: str) -> Span:
    return Span(value)


def bold(value: str) -> Span:
    return Span(value, Style.BOLD)


def link(value: str, url: str) -> Span:
    return Span(value, Style.LINK, url)


def simple(*lines: str | Line, title: str | None = None) -> Message:
    """A one-block message from strings (plain lines) or ready `Line`s."""
    built = tuple(line if isinstance(line, Line) else Line((Span(line),)) for line in lines)
    return Message((Block(built),), title=title)
