"""Command text to frozen command objects: parse once, at the edge, then trust.

`parse("term", "NP-hard")` is `TermQuery("NP-hard")`; a bad argument is a `BadInput` that
carries the message key to answer with, so the handlers never see a malformed command.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_ARGUMENT = 200
_SPACE = re.compile(r"\s+")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


@dataclass(frozen=True, slots=True)
class TermQuery:
    term: str


@dataclass(frozen=True, slots=True)
class IssueQuery:
    number: int
    public: bool = False


@dataclass(frozen=True, slots=True)
class LatestQuery:
    public: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    words: str


@dataclass(frozen=True, slots=True)
class Subscribe:
    pass


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    pass


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Start:
    payload: str = ""


@dataclass(frozen=True, slots=True)
class PostNow:
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Reload:
    pass


@dataclass(frozen=True, slots=True)
class Stats:
    pass


@dataclass(frozen=True, slots=True)
class Unknown:
    name: str


@dataclass(frozen=True, slots=True)
class BadInput:
    key: str
    values: tuple[tuple[str, object], ...] = ()


Parsed = (
    TermQuery | IssueQuery | LatestQuery | SearchQuery | Subscribe | Unsubscribe | Help | Start
    | PostNow | Reload | Stats | Unknown | BadInput
)  # fmt: skip
ADMIN_COMMANDS = frozenset({"post", "reload", "stats"})
COMMANDS = ("term", "issue", "latest", "search", "subscribe", "unsubscribe", "help")
ALIASES = {
    "용어": "term", "호": "issue", "최신": "latest", "검색": "search", "구독": "subscribe",
    "구독취소": "unsubscribe", "도움말": "help", "briefing": "help", "발송": "post",
    "t": "term", "s": "search", "define": "term",
}  # fmt: skip


_NO_ARGUMENT: dict[str, type[Subscribe | Unsubscribe | Help | Reload | Stats]] = {
    "subscribe": Subscribe,
    "unsubscribe": Unsubscribe,
    "help": Help,
    "reload": Reload,
    "stats": Stats,
}


def clean(text: str) -> str:
    """Drop control and format characters (null bytes, RTL overrides), fold whitespace."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch) not in _CONTROL or ch.isspace()
    )
    return _SPACE.sub(" ", kept).strip()


def split_text(line: str) -> tuple[str, str]:
    """`/term@newsbot NP-hard` or `term NP-hard` → ("term", "NP-hard")."""
    head, _, rest = line.strip().partition(" ")
    name = head.lstrip("/").split("@", 1)[0].casefold()
    return name, rest


def parse(name: str, argument: str) -> Parsed:
    name = ALIASES.get(name.casefold(), name.casefold())
    raw_length = len(argument)
    arg = clean(argument)
    if raw_length > 10 * MAX_ARGUMENT or len(arg) > MAX_ARGUMENT:
        return BadInput("too_long", (("length", raw_length), ("limit", MAX_ARGUMENT)))
    match name:
        case "term":
            return TermQuery(arg) if arg else BadInput("term_missing_arg")
        case "issue":
            return _issue(arg)
        case "latest":
            return LatestQuery(public=arg.casefold() in {"public", "공개"})
        case "search":
            return SearchQuery(arg) if arg else BadInput("search_missing_arg")
        case "subscribe" | "unsubscribe" | "help" | "reload" | "stats":
            return _NO_ARGUMENT[name]()
        case "start":
            return Start(arg)
        case "post":
            if not arg:
                return PostNow()
            number = _number(arg)
            return PostNow(number) if number else BadInput("issue_bad_number", (("arg", arg),))
        case _:
            return Unknown(clean(name)[:32])


def _issue(arg: str) -> Parsed:
    if not arg:
        return BadInput("issue_missing_arg")
    words = arg.split()
    public = len(words) == 2 and words[1].casefold() in {"public", "공개"}
    number = _number(words[0]) if len(words) == 1 or public else None
    if number is None:
        return BadInput("issue_bad_number", (("arg", arg[:40]),))
    return IssueQuery(number, public)


def _number(word: str) -> int | None:
    word = word.removeprefix("#").removeprefix("제").removesuffix("호")
    if not word.isascii() or not word.isdigit() or len(word) > 6:
        return None
    number = int(word)
    return number if number > 0 else None
