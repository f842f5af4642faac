"""Command text to frozen command objects: parse once, at the edge, then trust.

`term("NP-hard")` is `TermQuery("NP-hard")`; a bad argument is a `BadInput` that carries the
message key to answer with, so the handlers never see a malformed command. Every command object
is a `Parsed`; the table in `commands.py` says which parser each command name uses and which
handler answers each kind of object.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.core.destination import WEEKDAYS

MAX_ARGUMENT = 200
_SPACE = re.compile(r"\s+")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Parsed:
    """What a command asks for, parsed: the base of every command object."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class TermQuery(Parsed):
    term: str


@dataclass(frozen=True, slots=True)
class IssueQuery(Parsed):
    number: int
    public: bool = False


@dataclass(frozen=True, slots=True)
class LatestQuery(Parsed):
    public: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery(Parsed):
    words: str


@dataclass(frozen=True, slots=True)
class Cadence(Parsed):
    """`weekly [day] [HH:MM] [Area/City]`: one digest a week on `day` instead of the daily
    thread; `daily` (day None): back to the daily thread. `channel`: `/briefing weekly …`."""

    day: str | None = None  # "mon" … "sun"
    time: str | None = None
    zone: str | None = None
    channel: bool = False


@dataclass(frozen=True, slots=True)
class Subscribe(Parsed):
    time: str | None = None  # "07:30": the reader's own delivery time
    zone: str | None = None  # "Europe/Berlin"
    cadence: Cadence | None = None  # `/subscribe weekly …`, `/subscribe daily`


@dataclass(frozen=True, slots=True)
class Mute(Parsed):
    """`/mute <section>`; `/mute` alone (section "") lists them. `channel`: `/briefing mute …`,
    the channel's."""

    section: str = ""
    channel: bool = False


@dataclass(frozen=True, slots=True)
class Unmute(Parsed):
    """`/unmute <section>`; `channel`: `/briefing unmute …`."""

    section: str
    channel: bool = False


@dataclass(frozen=True, slots=True)
class Unsubscribe(Parsed):
    pass


@dataclass(frozen=True, slots=True)
class Help(Parsed):
    pass


@dataclass(frozen=True, slots=True)
class Start(Parsed):
    payload: str = ""


@dataclass(frozen=True, slots=True)
class TermBySlug(Parsed):
    """A deep link's `term-<slug>`: the glossary entry of that stable name."""

    slug: str


@dataclass(frozen=True, slots=True)
class PostNow(Parsed):
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Reload(Parsed):
    pass


@dataclass(frozen=True, slots=True)
class Stats(Parsed):
    """`/stats` (the bot's figures, the newest issues' feedback) or `/stats N` (one issue's)."""

    number: int | None = None
    who: ClassVar[Literal["admins"]] = "admins"  # also as `/briefing stats` (Slack's /stats)


@dataclass(frozen=True, slots=True)
class IssueStats(Parsed):
    """`/briefing stats N`: one issue's feedback totals, for editors (and admins)."""

    number: int
    who: ClassVar[Literal["editors"]] = "editors"


@dataclass(frozen=True, slots=True)
class ChannelAction(Parsed):
    """`/briefing here`, `/briefing stop`, `/briefing status` in a channel."""

    action: Literal["here", "stop", "status"]


@dataclass(frozen=True, slots=True)
class SetTime(Parsed):
    """`/briefing time 07:30 Europe/Berlin`: this destination's delivery time (zone optional)."""

    time: str
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class SetLanguage(Parsed):
    """`/lang en` (the reader's) or `/briefing lang en` (the channel's; in a DM, the reader's)."""

    language: Literal["ko", "en"]
    channel: bool = False


@dataclass(frozen=True, slots=True)
class ReportsChoice(Parsed):
    """`/briefing reports on|off`: the asker's run reports (editors and admins)."""

    who: ClassVar[Literal["editors"]] = "editors"
    on: bool


@dataclass(frozen=True, slots=True)
class WhyQuery(Parsed):
    """`/briefing why <reader or channel>`: a reader (`kind` "reader": a Telegram user id, a
    Slack `<@U1>`), a channel ("channel": `<#C1>`, "-100123", "-100123:7"), or a `@name` for the
    platform to resolve ("name"). `platform` None: the asker's."""

    who: ClassVar[Literal["editors"]] = "editors"
    kind: Literal["reader", "channel", "name"]
    target: str
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery(Parsed):
    """`/briefing audit [N]`: the newest N entries of the audit log (admins)."""

    who: ClassVar[Literal["admins"]] = "admins"
    count: int = 10


@dataclass(frozen=True, slots=True)
class Unknown(Parsed):
    name: str


@dataclass(frozen=True, slots=True)
class TestSend(Parsed):
    """`/briefing test [N]`: issue N (None: the next to be released) to the asker's DM."""

    __test__: ClassVar[bool] = False  # not a pytest class
    who: ClassVar[str] = "editors"
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Approve(Parsed):
    """`/briefing approve N`, or the approve button of a test send (`digest`: the first
    characters of the content's digest it was sent with; "" from the command)."""

    who: ClassVar[str] = "editors"
    number: int
    digest: str = ""


@dataclass(frozen=True, slots=True)
class IssueStatus(Parsed):
    """`/briefing status N`: issue N's release time and approval."""

    who: ClassVar[str] = "editors"
    number: int


@dataclass(frozen=True, slots=True)
class BadInput(Parsed):
    key: str
    values: tuple[tuple[str, object], ...] = ()


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


# `/briefing <action>`
BRIEFING_ACTIONS = ("here", "stop", "status", "time", "lang", "stats", "why", "reports", "audit",
                    "mute", "unmute", "weekly", "daily", "test", "approve")  # fmt: skip
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def briefing(arg: str) -> Parsed:
    """`/briefing` alone is help; `here`, `stop`, `status [N]`, `time HH:MM [Area/City]`, `lang`,
    `mute [section]`, `unmute <section>`, `weekly [day] [HH:MM] [Area/City]`, `daily`; the
    editors' `test [N]` and `approve N`."""
    action, _, rest = arg.partition(" ")
    action = action.casefold()
    if not action:
        return Help()
    if action in ("here", "stop", "status") and not rest.strip():
        return ChannelAction(action)  # type: ignore[arg-type]
    if action == "status":
        number = _number(rest.strip())
        return IssueStatus(number) if number else BadInput("status_usage")
    if action == "test":
        return test_send(rest.strip())
    if action == "approve":
        return approve(rest.strip())
    if action == "time":
        parsed = time_and_zone(rest)
        return parsed if isinstance(parsed, BadInput) else SetTime(*parsed)
    if action == "lang":
        return language(rest, channel=True)
    if action in ("mute", "unmute"):
        return mute_section(rest, on=action == "mute", channel=True)
    if action in ("weekly", "daily"):
        return cadence(action, rest, channel=True)
    if action == "stats":  # alone: the admins' /stats (Slack has no /stats of its own)
        number = _number(rest.strip()) if rest.strip() else None
        return (
            Stats()
            if not rest.strip()
            else IssueStats(number)
            if number
            else BadInput("stats_usage")
        )
    if action == "why":
        return why(rest)
    if action == "reports":
        return reports(rest)
    if action == "audit":
        return audit(rest)
    return BadInput("briefing_usage")


def reports(arg: str) -> Parsed:
    """`reports on|off` (`/briefing reports off`, Telegram `/reports off`)."""
    word = arg.strip().casefold()
    return ReportsChoice(word == "on") if word in ("on", "off") else BadInput("reports_usage")


_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]{1,20})(?:\|[^>]{0,80})?>")
_SLACK_CHANNEL = re.compile(r"<#([CG][A-Z0-9]{1,20})(?:\|[^>]{0,80})?>")
_SLACK_ID = re.compile(r"([UWCG])[A-Z0-9]{1,20}")
_NAME = re.compile(r"@([A-Za-z0-9_]{3,32})")
_CHAT_ID = re.compile(r"-\d{1,20}(?::\d{1,10})?")
_USER_ID = re.compile(r"\d{1,20}")
_KEY = re.compile(r"([a-z]{2,20}):(.+)")


def why(arg: str) -> Parsed:
    """`<@U1>`, `<#C1|news>`, `U1`, `C1`, `42`, `-100123`, `-100123:7`, `@name`, or a
    destination's key (`telegram:dm:42`, `slack:C1`) for another platform than the asker's."""
    words = arg.split()
    if len(words) != 1:
        return BadInput("why_usage")
    word = words[0]
    platform: str | None = None
    key = _KEY.fullmatch(word)
    if key is not None and not word.startswith("<"):
        platform, word = key[1], key[2]
        if word.startswith("dm:") and _reader_id(word[3:]):
            return WhyQuery("reader", word[3:], platform)
    if found := _SLACK_USER.fullmatch(word):
        return WhyQuery("reader", found[1], platform or "slack")
    if found := _SLACK_CHANNEL.fullmatch(word):
        return WhyQuery("channel", found[1], platform or "slack")
    if _SLACK_ID.fullmatch(word):
        kind: Literal["reader", "channel"] = "reader" if word[0] in "UW" else "channel"
        return WhyQuery(kind, word, platform or "slack")
    if _USER_ID.fullmatch(word):
        return WhyQuery("reader", word, platform)
    if _CHAT_ID.fullmatch(word):
        return WhyQuery("channel", word, platform)
    if (found := _NAME.fullmatch(word)) and platform is None:
        return WhyQuery("name", found[1])
    return BadInput("why_usage")


def _reader_id(word: str) -> bool:
    return bool(_USER_ID.fullmatch(word) or _SLACK_ID.fullmatch(word))


def audit(arg: str) -> Parsed:
    """`[N]`: how many of the newest entries (1 to 50; 10 when not said)."""
    if not arg.strip():
        return AuditQuery()
    number = _number(arg.strip())
    if number is None or number > 50:
        return BadInput("audit_usage", (("arg", arg[:40]),))
    return AuditQuery(number)


def language(arg: str, *, channel: bool) -> Parsed:
    word = arg.strip().casefold()
    if word in ("ko", "en"):
        return SetLanguage(word, channel)  # type: ignore[arg-type]
    return BadInput("bad_language")


def subscribe(arg: str) -> Parsed:
    """`/subscribe [HH:MM] [Area/City]`, `/subscribe weekly [day] [HH:MM] [Area/City]`,
    `/subscribe daily`."""
    if not arg.strip():
        return Subscribe()
    head, _, rest = arg.partition(" ")
    how = _CADENCES.get(head.casefold())
    if how is not None:
        chosen = cadence(how, rest, channel=False)
        return Subscribe(cadence=chosen) if isinstance(chosen, Cadence) else chosen
    parsed = time_and_zone(arg)
    return parsed if isinstance(parsed, BadInput) else Subscribe(*parsed)


_CADENCES = {"weekly": "weekly", "매주": "weekly", "주간": "weekly", "daily": "daily",
             "매일": "daily"}  # fmt: skip
_DAYS = {
    **{day: day for day in WEEKDAYS},
    **dict(zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
               WEEKDAYS, strict=True)),
    **dict(zip("월화수목금토일", WEEKDAYS, strict=True)),
    **{f"{ko}요일": day for ko, day in zip("월화수목금토일", WEEKDAYS, strict=True)},
}  # fmt: skip


def cadence(how: str, rest: str, *, channel: bool) -> Parsed:
    """`weekly [day] [HH:MM] [Area/City]` (Monday unless a day is given) or `daily`."""
    words = rest.split()
    if how == "daily":
        return Cadence(channel=channel) if not words else BadInput("cadence_usage")
    day = _DAYS.get(words[0].casefold()) if words else None
    if words and day is None and not _CLOCK.fullmatch(words[0]):
        return BadInput("bad_day", (("arg", words[0][:40]),))
    if day is not None:
        words = words[1:]
    if not words:
        return Cadence(day or "mon", channel=channel)
    parsed = time_and_zone(" ".join(words))
    return parsed if isinstance(parsed, BadInput) else Cadence(day or "mon", *parsed, channel)


def mute_section(arg: str, *, on: bool, channel: bool = False) -> Parsed:
    if on:
        return Mute(arg, channel)
    return Unmute(arg, channel) if arg else BadInput("unmute_missing_arg")


def mute(arg: str) -> Parsed:
    return mute_section(arg, on=True)


def unmute(arg: str) -> Parsed:
    return mute_section(arg, on=False)


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


def term(arg: str) -> Parsed:
    return TermQuery(arg) if arg else BadInput("term_missing_arg")


def latest(arg: str) -> Parsed:
    return LatestQuery(public=_is_public(arg))


def search(arg: str) -> Parsed:
    return SearchQuery(arg) if arg else BadInput("search_missing_arg")


def lang(arg: str) -> Parsed:
    """`/lang en`: the reader's own language."""
    return language(arg, channel=False)


def post(arg: str) -> Parsed:
    if not arg:
        return PostNow()
    number = _number(arg)
    return PostNow(number) if number else BadInput("issue_bad_number", (("arg", arg),))


def test_send(arg: str) -> Parsed:
    """`/test [N]`, `/briefing test [N]`."""
    if not arg:
        return TestSend()
    number = _number(arg)
    return TestSend(number) if number else BadInput("test_usage")


def approve(arg: str) -> Parsed:
    number = _number(arg) if arg else None
    return Approve(number) if number else BadInput("approve_usage")


APPROVE = "approve"  # the approve button's prefix (bot/core/conversation/buttons.py)


def approve_data(number: int, digest: str) -> str:
    """What the approve button of issue `number` with content `digest` carries."""
    return f"{APPROVE}:{number}:{digest[:16]}"


def approve_press(payload: str) -> Approve | None:
    """The approve button's payload, "<N>:<digest prefix>"; None if it is not one."""
    number, _, digest = payload.partition(":")
    found = _number(number)
    if found is None or not re.fullmatch(r"[0-9a-f]{16}", digest):
        return None
    return Approve(found, digest)


def stats(arg: str) -> Parsed:
    if not arg:
        return Stats()
    number = _number(arg)
    return Stats(number) if number else BadInput("issue_bad_number", (("arg", arg[:40]),))


def start(payload: str) -> Parsed:
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


def issue(arg: str) -> Parsed:
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
