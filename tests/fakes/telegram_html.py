"""Telegram Bot API ``parse_mode=HTML`` parser for the fake Bot API.

A line-by-line port of tdlib's ``parse_html``/``decode_html_entity``
(``td/telegram/MessageEntity.cpp``, tdlib/td@1a901a0e), so offsets and error texts match what the
Bot API reports after ``"Bad Request: can't parse entities: "``. It works on UTF-8 bytes like
tdlib: ``byte offset N`` in errors is a UTF-8 byte offset into the raw text; entity offsets and
lengths are in UTF-16 code units.

One deliberate difference, on by default (``strict=True``): Telegram keeps a ``&`` that does not
start a recognised entity (``a & b``, ``&laquo;``, ``&nbsp;``) as a literal character; the strict
parser rejects it, because the Bot API documentation says such characters must be escaped and a
bot relying on the lenient behaviour has an escaping bug (``&lt`` inside a URL *is* decoded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_NAMED = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}
_SPACE = frozenset(b" \t\r\n\v\0")  # tdlib's is_space() counts the terminating NUL as space
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset(b"0123456789")
_LT, _GT, _AMP, _SLASH, _EQ, _SEMI = b"<>&/=;"


class HtmlParseError(ValueError):
    """Invalid Telegram HTML; ``str(exc)`` is the tdlib detail text (``Unclosed start tag...``)."""


@dataclass(frozen=True)
class ParsedText:
    text: str  # plain text after entity parsing
    entities: list[dict[str, Any]]  # Bot API MessageEntity JSON objects (UTF-16 offsets)


def _at(b: bytes, i: int) -> int:
    return b[i] if i < len(b) else 0


def _find(b: bytes, byte: int, start: int) -> int:
    found = b.find(byte, start)
    return len(b) if found < 0 else found


def decode_entity(b: bytes, pos: int) -> tuple[int, int]:
    """Decode the entity at ``b[pos] == '&'``: (code point, position after it) or (0, pos)."""
    end = pos + 1
    code = 0
    if _at(b, end) == ord("#"):
        end += 1
        if _at(b, end) == ord("x"):
            end += 1
            while _at(b, end) in _HEX:
                code = code * 16 + int(chr(b[end]), 16)
                end += 1
        else:
            while _at(b, end) in _DIGITS:
                code = code * 10 + b[end] - 0x30
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(_at(b, end)).isascii() and chr(_at(b, end)).isalpha():
            end += 1
        code = _NAMED.get(b[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    return code, (end + 1 if _at(b, end) == _SEMI else end)


def _checked_url(url: str) -> str:
    """Rough stand-in for tdlib's LinkManager::get_checked_link: '' drops the entity."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return ""
    return url if "://" in url or url.startswith(("tg:", "mailto:")) else "http://" + url


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Bot API HTML like Telegram; raises HtmlParseError with Telegram's message."""
    b = text.encode("utf-8")
    out = bytearray()
    utf16 = 0
    bad_surrogate = False
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, byte offset in out
    entities: list[dict[str, Any]] = []

    def entity_or_strict_error(i: int) -> tuple[int, int]:
        code, end = decode_entity(b, i)
        if code == 0 and strict:
            raise HtmlParseError(
                f'Unescaped "&" at byte offset {i}: use &amp; (strict FakeTelegramAPI; '
                "Telegram would keep it as a literal character)"
            )
        return code, end

    i = 0
    while i < len(b):
        c = b[i]
        if c == _AMP:
            code, end = entity_or_strict_error(i)
            if code:
                bad_surrogate |= 0xD800 <= code <= 0xDFFF
                out += chr(code).encode("utf-8", "surrogatepass")
                utf16 += 1 + (code > 0xFFFF)
                i = end
                continue
        if c != _LT:  # text up to the next tag or entity, copied as one run
            stop = min(_find(b, _LT, i + 1), _find(b, _AMP, i + 1))
            run = b[i:stop]
            utf16 += len(run.decode("utf-8").encode("utf-16-le")) // 2  # tdlib counts by byte
            out += run
            i = stop
            continue

        begin = i
        i += 1
        if _at(b, i) != _SLASH:  # start tag
            while _at(b, i) not in _SPACE and _at(b, i) != _GT:
                i += 1
            if _at(b, i) == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            tag = b[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while _at(b, i) != _GT:
                while _at(b, i) != 0 and _at(b, i) in _SPACE:
                    i += 1
                if _at(b, i) == _GT:
                    break
                name_begin = i
                while _at(b, i) not in _SPACE and _at(b, i) not in b"=>/\"'":
                    i += 1
                name = b[name_begin:i]
                if not name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while _at(b, i) != 0 and _at(b, i) in _SPACE:
                    i += 1
                if _at(b, i) != _EQ:
                    if _at(b, i) == 0:
                        raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and name == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while _at(b, i) != 0 and _at(b, i) in _SPACE:
                    i += 1
                if _at(b, i) == 0:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                value = bytearray()
                if _at(b, i) not in b"'\"":  # unquoted name token
                    token_begin = i
                    while _at(b, i) in _NAME_TOKEN:
                        i += 1
                    value += b[token_begin:i].lower()
                    if _at(b, i) not in _SPACE and _at(b, i) != _GT:
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = b[i]
                    i += 1
                    while _at(b, i) not in (quote, 0):
                        if b[i] == _AMP:
                            code, end = entity_or_strict_error(i)
                            if code:
                                value += chr(code).encode("utf-8", "surrogatepass")
                                i = end
                                continue
                        value.append(b[i])
                        i += 1
                    if _at(b, i) == quote:
                        i += 1
                if _at(b, i) == 0:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
                val = value.decode("utf-8", "replace")
                if (tag, name) in (("a", b"href"), ("tg-emoji", b"emoji-id")):
                    argument = val
                elif tag == "code" and name == b"class" and val.startswith("language-"):
                    argument = val[9:]
                elif tag == "span" and name == b"class" and val.startswith("tg-"):
                    argument = val[3:]
                elif tag == "blockquote" and name == b"expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append((tag, argument, utf16, len(out)))
            i += 1  # past '>'
            continue

        # end tag
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        while _at(b, i) not in _SPACE and _at(b, i) != _GT:
            i += 1
        end_name = b[begin + 2 : i].lower().decode("utf-8", "replace")
        while _at(b, i) in _SPACE and _at(b, i) != 0:
            i += 1
        if _at(b, i) != _GT:
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_pos = stack.pop()
        if end_name and end_name != tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        i += 1
        if utf16 > offset:
            _close_entity(entities, tag, argument, offset, utf16 - offset, bytes(out[out_pos:]))
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    if bad_surrogate:
        raise HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(out.decode("utf-8"), entities)


def _close_entity(
    entities: list[dict[str, Any]], tag: str, arg: str, offset: int, length: int, inner: bytes
) -> None:
    entity: dict[str, Any] = {"offset": offset, "length": length}
    last = entities[-1] if entities else None
    same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
    if tag in _SIMPLE:
        entity["type"] = _SIMPLE[tag]
    elif tag == "tg-emoji":
        if not arg.isdigit() or int(arg) == 0 or int(arg) >= 2**63:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=arg)
    elif tag == "a":
        url = _checked_url(arg or inner.decode("utf-8", "replace"))
        if not url:
            return
        entity.update(type="text_link", url=url)
    elif tag == "pre" and last is not None and same_span and last["type"] == "code":
        if last.get("language"):
            last["type"] = "pre"
            return
        entity["type"] = "pre"
    elif tag == "pre":
        entity["type"] = "pre"
    elif tag == "code" and last is not None and same_span and last["type"] == "pre" and arg:
        last["language"] = arg
        return
    elif tag == "code":
        entity.update(type="code", language=arg)
    else:  # blockquote
        entity["type"] = "expandable_blockquote" if arg else "blockquote"
    entities.append(entity)
