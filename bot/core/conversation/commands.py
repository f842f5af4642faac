"""The one table of every command: its name and aliases, how its argument is parsed, who may use
it, how /help and the platforms' menus list it, and which handler answers what it parses to.

The core's dispatch and /help, Telegram's command menu and handlers, and Slack's slash commands
(and the manifest test) all derive from it. Adding a command means its row here (with its parser
in `parsing.py` and its handler in `handlers/`, beside the others of its concern), its strings
in `i18n.py`, and, for a Slack slash command of its own, the manifest.

`parse("term", "NP-hard")` is `TermQuery("NP-hard")`; `HANDLERS[TermQuery]` answers it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.core.conversation import data_requests as d
from bot.core.conversation import parsing as p
from bot.core.conversation.access import Who
from bot.core.conversation.context import Handler
from bot.core.conversation.handlers import (
    admin,
    channels,
    editors,
    guide,
    lookups,
    privacy,
    reports,
    shaping,
    subscribing,
    why,
)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command, everything every platform needs to know of it.

    `parse` turns the (cleaned) argument into a frozen command object; `handles` names the
    handler of each kind of object only this row parses to (`/start term-np-hard` is the start
    row's `TermBySlug`; `/start issue-1` an `IssueQuery`, answered as /issue answers it). `who`
    is the role the command needs (`access.py`); a parsed object may ask for more with a class
    attribute `who` (a `/briefing` subcommand for editors: `needs`). `help`
    is the catalogue key of its line in /help (None: not listed), `menu` of its entry in
    Telegram's command menu (None: not advertised); `slash` says it is a Slack slash command of
    its own (the others are `/briefing <name>` there).
    """

    name: str
    parse: Callable[[str], p.Parsed]
    handles: Mapping[type[p.Parsed], Handler] = field(hash=False)
    aliases: tuple[str, ...] = ()
    who: Who = "everyone"
    help: str | None = None
    menu: str | None = None
    slash: bool = False


def _no_argument(kind: Callable[[], p.Parsed]) -> Callable[[str], p.Parsed]:
    return lambda arg: kind()


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("term", p.term, {p.TermQuery: lookups.term}, ("용어", "t", "define"),
                help="help_term", menu="menu_term", slash=True),
    CommandSpec("issue", p.issue, {p.IssueQuery: lookups.issue}, ("호",),
                help="help_issue", menu="menu_issue", slash=True),
    CommandSpec("latest", p.latest, {p.LatestQuery: lookups.latest}, ("최신",),
                help="help_latest", menu="menu_latest", slash=True),
    CommandSpec("search", p.search, {p.SearchQuery: lookups.search}, ("검색", "s"),
                help="help_search", menu="menu_search", slash=True),
    CommandSpec("subscribe", p.subscribe, {p.Subscribe: subscribing.subscribe}, ("구독",),
                help="help_subscribe", menu="menu_subscribe", slash=True),
    CommandSpec("unsubscribe", _no_argument(p.Unsubscribe),
                {p.Unsubscribe: subscribing.unsubscribe}, ("구독취소",),
                menu="menu_unsubscribe", slash=True),
    CommandSpec("mute", p.mute, {p.Mute: shaping.mute}, ("음소거", "빼기"),
                help="help_mute", menu="menu_mute", slash=True),
    CommandSpec("unmute", p.unmute, {p.Unmute: shaping.unmute}, ("음소거해제", "되돌리기"),
                help="help_unmute", menu="menu_unmute", slash=True),
    CommandSpec("help", _no_argument(p.Help), {p.Help: guide.show_help}, ("도움말",),
                help="help_help", menu="menu_help"),
    CommandSpec("lang", p.lang, {p.SetLanguage: channels.set_language}, ("언어", "language"),
                help="help_lang", menu="menu_lang"),
    CommandSpec("briefing", p.briefing,
                {p.ChannelAction: channels.channel_action, p.SetTime: channels.set_time,
                 p.Cadence: subscribing.cadence, p.IssueStats: admin.briefing_stats,
                 p.AuditQuery: admin.audit_log, p.Approve: editors.approve,
                 p.IssueStatus: editors.issue_status},
                help="help_briefing", menu="menu_briefing"),  # why, reports: the rows below
    CommandSpec("mydata", _no_argument(d.MyData), {d.MyData: privacy.mydata}, ("내정보",),
                help="help_mydata", menu="menu_mydata"),
    CommandSpec("forget", d.forget, {d.Forget: privacy.forget}, ("삭제",),
                menu="menu_forget"),
    CommandSpec("start", p.start, {p.Start: guide.start, p.TermBySlug: lookups.term_by_slug}),
    CommandSpec("post", p.post, {p.PostNow: admin.post}, ("발송",), who="admins",
                help="help_post"),
    CommandSpec("reload", _no_argument(p.Reload), {p.Reload: admin.reload}, who="admins",
                help="help_reload"),
    CommandSpec("stats", p.stats, {p.Stats: admin.stats}, who="admins",
                help="help_stats"),
    CommandSpec("why", p.why, {p.WhyQuery: why.why}, who="editors", help="help_why"),
    CommandSpec("reports", p.reports, {p.ReportsChoice: reports.set_reports}, who="editors",
                help="help_reports"),
    CommandSpec("test", p.test_send, {p.TestSend: editors.test_send}, ("시험",), who="editors",
                help="help_test"),
)  # fmt: skip
BY_NAME = {spec.name: spec for spec in COMMANDS}
ALIASES = {alias: spec.name for spec in COMMANDS for alias in spec.aliases}

# Every kind of parsed command, and its handler: the rows', and what any command may parse to.
HANDLERS: Mapping[type[p.Parsed], Handler] = {
    p.BadInput: guide.bad_input,
    p.Unknown: guide.unknown,
    **{kind: handler for spec in COMMANDS for kind, handler in spec.handles.items()},
}


def needs(parsed: p.Parsed) -> Who:
    """The role what a command parsed to asks for itself (its class's `who`), else everyone's."""
    who: Who = getattr(parsed, "who", "everyone")
    return who


def spec(name: str) -> CommandSpec | None:
    """The command a name or alias stands for (case-insensitive)."""
    name = name.casefold()
    return BY_NAME.get(ALIASES.get(name, name))


def parse(name: str, argument: str) -> p.Parsed:
    found = spec(name)
    raw_length = len(argument)
    arg = p.clean(argument)
    if raw_length > 10 * p.MAX_ARGUMENT or len(arg) > p.MAX_ARGUMENT:
        return p.BadInput("too_long", (("length", raw_length), ("limit", p.MAX_ARGUMENT)))
    if found is None:
        return p.Unknown(p.clean(name.casefold())[:32])
    return found.parse(arg)
