"""Command text to frozen command objects: parse once, at the edge, then trust.

`parse("term", "NP-hard")` is `TermQuery("NP-hard")`; a bad argument is a `BadInput` that
carries the message key to answer with, so the handlers never see a malformed command.

`COMMANDS` is the one table of every command: the core's dispatch and /help, Telegram's command
menu and handlers, and Slack's slash commands (and the manifest test) all derive from it. Adding
a command means a row here, its handler in `service.py`, and its strings in `i18n.py`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

MAX_ARGUMENT = 200
_SPACE = re.compile(r"\s+")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
    time: str | None = None  # "07:30": the reader's own delivery time
    zone: str | None = None  # "Europe/Berlin"


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
class TermBySlug:
    """A deep link's `term-<slug>`: the glossary entry of that stable name."""

    slug: str


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
class ChannelAction:
    """`/briefing here`, `/briefing stop`, `/briefing status` in a channel."""

    action: Literal["here", "stop", "status"]


@dataclass(frozen=True, slots=True)
class SetTime:
    """`/briefing time 07:30 Europe/Berlin`: this destination's delivery time (zone optional)."""

    time: str
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class SetLanguage:
    """`/lang en` (the reader's) or `/briefing lang en` (the channel's; in a DM, the reader's)."""

    language: Literal["ko", "en"]
    channel: bool = False


@dataclass(frozen=True, slots=True)
class Unknown:
    name: str


@dataclass(frozen=True, slots=True)
class BadInput:
    key: str
    values: tuple[tuple[str, object], ...] = ()


Parsed = (
    TermQuery | IssueQuery | LatestQuery | SearchQuery | Subscribe | Unsubscribe | Help | Start
    | TermBySlug | PostNow | Reload | Stats | Unknown | BadInput | ChannelAction | SetTime
    | SetLanguage
)  # fmt: skip
Who = Literal["everyone", "admins"]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command, everything every platform needs to know of it.

    `parse` turns the (cleaned) argument into a frozen command object; `help` is the catalogue
    key of its line in /help (None: not listed), `menu` of its entry in Telegram's command menu
    (None: not advertised); `slash` says it is a Slack slash command of its own (the others are
    `/briefing <name>` there).
    """

    name: str
    parse: Callable[[str], Parsed]
    aliases: tuple[str, ...] = ()
    who: Who = "everyone"
    help: str | None = None
    menu: str | None = None
    slash: bool = False


def _no_argument(kind: Callable[[], Parsed]) -> Callable[[str], Parsed]:
    return lambda arg: kind()


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("term", lambda a: TermQuery(a) if a else BadInput("term_missing_arg"),
                ("용어", "t", "define"), help="help_term", menu="menu_term", slash=True),
    CommandSpec("issue", lambda a: _issue(a), ("호",), help="help_issue", menu="menu_issue",
                slash=True),
    CommandSpec("latest", lambda a: LatestQuery(public=_is_public(a)), ("최신",),
                help="help_latest", menu="menu_latest", slash=True),
    CommandSpec("search", lambda a: SearchQuery(a) if a else BadInput("search_missing_arg"),
                ("검색", "s"), help="help_search", menu="menu_search", slash=True),
    CommandSpec("subscribe", lambda a: _subscribe(a), ("구독",), help="help_subscribe",
                menu="menu_subscribe", slash=True),
    CommandSpec("unsubscribe", _no_argument(Unsubscribe), ("구독취소",),
                menu="menu_unsubscribe", slash=True),
    CommandSpec("help", _no_argument(Help), ("도움말",), help="help_help", menu="menu_help"),
    CommandSpec("lang", lambda a: _language(a, channel=False), ("언어", "language"),
                help="help_lang", menu="menu_lang"),
    CommandSpec("briefing", lambda a: _briefing(a), help="help_briefing", menu="menu_briefing"),
    CommandSpec("start", lambda a: _start(a)),
    CommandSpec("post", lambda a: _post(a), ("발송",), who="admins", help="help_post"),
    CommandSpec("reload", _no_argument(Reload), who="admins", help="help_reload"),
    CommandSpec("stats", _no_argument(Stats), who="admins", help="help_stats"),
)  # fmt: skip
BY_NAME = {spec.name: spec for spec in COMMANDS}
ALIASES = {alias: spec.name for spec in COMMANDS for alias in spec.aliases}


def spec(name: str) -> CommandSpec | None:
    """The command a name or alias stands for (case-insensitive)."""
    name = name.casefold()
    return BY_NAME.get(ALIASES.get(name, name))


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
    found = spec(name)
    raw_length = len(argument)
    arg = clean(argument)
    if raw_length > 10 * MAX_ARGUMENT or len(arg) > MAX_ARGUMENT:
        return BadInput("too_long", (("length", raw_length), ("limit", MAX_ARGUMENT)))
    if found is None:
        return Unknown(clean(name.casefold())[:32])
    return found.parse(arg)


BRIEFING_ACTIONS = ("here", "stop", "status", "time", "lang")  # `/briefing <action>`
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _briefing(arg: str) -> Parsed:
    """`/briefing` alone is help; `here`, `stop`, `status`, `time HH:MM [Area/City]`, `lang`."""
    action, _, rest = arg.partition(" ")
    action = action.casefold()
    if not action:
        return Help()
    if action in ("here", "stop", "status") and not rest.strip():
        return ChannelAction(action)  # type: ignore[arg-type]
    if action == "time":
        parsed = time_and_zone(rest)
        return parsed if isinstance(parsed, BadInput) else SetTime(*parsed)
    if action == "lang":
        return _language(rest, channel=True)
    return BadInput("briefing_usage")


def _language(arg: str, *, channel: bool) -> Parsed:
    word = arg.strip().casefold()
    if word in ("ko", "en"):
        return SetLanguage(word, channel)  # type: ignore[arg-type]
    return BadInput("bad_language")


def _subscribe(arg: str) -> Parsed:
    if not arg.strip():
        return Subscribe()
    parsed = time_and_zone(arg)
    return parsed if isinstance(parsed, BadInput) else Subscribe(*parsed)


def time_and_zone(arg: str) -> tuple[str, str | None] | BadInput:
    """`07:30 Europe/Berlin` → ("07:30", "Europe/Berlin"); `7:30` → ("07:30", None)."""
    words = arg.split()
    if not words or len(words) > 2:
        return BadInput("bad_time", (("arg", arg[:40] or "-"),))
    clock = _CLOCK.fullmatch(words[0])
    if clock is None:
        return BadInput("bad_time", (("arg", words[0][:40]),))
    hhmm = f"{int(clock[1]):02d}:{clock[2]}"
    if len(words) == 1:
        return hhmm, None
    zone = known_zone(words[1])
    return (hhmm, zone) if zone else BadInput("bad_zone", (("arg", words[1][:40]),))


def known_zone(name: str) -> str | None:
    """The IANA zone `name` as zoneinfo spells it (case-insensitive), or None."""
    return _zones().get(name.casefold())


@functools.cache
def _zones() -> dict[str, str]:
    return {zone.casefold(): zone for zone in zoneinfo.available_timezones()}


def _is_public(arg: str) -> bool:
    return arg.casefold() in {"public", "공개"}


def _post(arg: str) -> Parsed:
    if not arg:
        return PostNow()
    number = _number(arg)
    return PostNow(number) if number else BadInput("issue_bad_number", (("arg", arg),))


def _start(payload: str) -> Parsed:
    """Telegram's deep-link payloads (`t.me/<bot>?start=…`, at most 64 of `[A-Za-z0-9_-]`):
    `term-<slug>`, `issue-<n>`, `subscribe`; anything else is a plain greeting."""
    if not _PAYLOAD.fullmatch(payload):
        return Start(payload[:64])
    kind, _, rest = payload.partition("-")
    if kind == "term" and rest:
        return TermBySlug(rest.lower())
    number = _number(rest) if kind == "issue" else None
    if number is not None:
        return IssueQuery(number)
    return Subscribe() if payload.casefold() == "subscribe" else Start(payload)


def _issue(arg: str) -> Parsed:
    if not arg:
        return BadInput("issue_missing_arg")
    words = arg.split()
    public = len(words) == 2 and _is_public(words[1])
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
