"""The command table, row by row: what each command's argument parses to (good and bad), that
everything a row parses to has a handler, and that every row's words are in the catalogue in
both languages. A new command's row must add its cases here."""

from __future__ import annotations

import inspect

import pytest

from bot.core import i18n
from bot.core.conversation import commands
from bot.core.conversation import data_requests as d
from bot.core.conversation import parsing as p

# (command or alias, argument, what it parses to: a command object, or the BadInput key)
CASES: list[tuple[str, str, p.Parsed | str]] = [
    ("term", "NP-hard", p.TermQuery("NP-hard")),
    ("용어", "  NP   hard ", p.TermQuery("NP hard")),
    ("define", "AutoML", p.TermQuery("AutoML")),
    ("term", "", "term_missing_arg"),
    ("issue", "1", p.IssueQuery(1)),
    ("issue", "#12", p.IssueQuery(12)),
    ("호", "제3호 공개", p.IssueQuery(3, public=True)),
    ("issue", "2 public", p.IssueQuery(2, public=True)),
    ("issue", "", "issue_missing_arg"),
    ("issue", "abc", "issue_bad_number"),
    ("issue", "0", "issue_bad_number"),
    ("issue", "1 2 3", "issue_bad_number"),
    ("issue", "1234567", "issue_bad_number"),
    ("latest", "", p.LatestQuery()),
    ("최신", "공개", p.LatestQuery(public=True)),
    ("latest", "whatever", p.LatestQuery()),
    ("search", "EfficientNet", p.SearchQuery("EfficientNet")),
    ("s", "", "search_missing_arg"),
    ("subscribe", "", p.Subscribe()),
    ("구독", "7:30", p.Subscribe("07:30")),
    ("subscribe", "07:30 europe/berlin", p.Subscribe("07:30", "Europe/Berlin")),
    ("subscribe", "25:00", "bad_time"),
    ("subscribe", "07:30 Mars/Olympus", "bad_zone"),
    ("subscribe", "07:30 Europe/Berlin extra", "bad_time"),
    ("subscribe", "weekly", p.Subscribe(cadence=p.Cadence("mon"))),
    ("구독", "매주 금요일 7:30", p.Subscribe(cadence=p.Cadence("fri", "07:30"))),
    (
        "subscribe",
        "WEEKLY sun 06:00 asia/seoul",
        p.Subscribe(cadence=p.Cadence("sun", "06:00", "Asia/Seoul")),
    ),
    ("subscribe", "weekly 09:00", p.Subscribe(cadence=p.Cadence("mon", "09:00"))),
    ("subscribe", "daily", p.Subscribe(cadence=p.Cadence())),
    ("subscribe", "weekly someday", "bad_day"),
    ("subscribe", "weekly tue 31:00", "bad_time"),
    ("subscribe", "daily 07:00", "cadence_usage"),
    ("mute", "", p.Mute()),
    ("mute", "레딧", p.Mute("레딧")),
    ("음소거", "  reddit ", p.Mute("reddit")),
    ("unmute", "Reddit", p.Unmute("Reddit")),
    ("unmute", "", "unmute_missing_arg"),
    ("unsubscribe", "", p.Unsubscribe()),
    ("stats", "", p.Stats()),
    ("stats", "3", p.Stats(3)),
    ("stats", "제2호", p.Stats(2)),
    ("stats", "many", "issue_bad_number"),
    ("구독취소", "ignored", p.Unsubscribe()),
    ("help", "", p.Help()),
    ("도움말", "term", p.Help()),
    ("lang", "en", p.SetLanguage("en")),
    ("언어", "KO", p.SetLanguage("ko")),
    ("lang", "fr", "bad_language"),
    ("lang", "", "bad_language"),
    ("briefing", "", p.Help()),
    ("briefing", "here", p.ChannelAction("here")),
    ("briefing", "STOP", p.ChannelAction("stop")),
    ("briefing", "status", p.ChannelAction("status")),
    ("briefing", "time 8:05", p.SetTime("08:05")),
    ("briefing", "time 08:05 asia/seoul", p.SetTime("08:05", "Asia/Seoul")),
    ("briefing", "time", "bad_time"),
    ("briefing", "lang en", p.SetLanguage("en", channel=True)),
    ("briefing", "lang", "bad_language"),
    ("briefing", "mute 레딧", p.Mute("레딧", channel=True)),
    ("briefing", "mute", p.Mute(channel=True)),
    ("briefing", "unmute arXiv", p.Unmute("arXiv", channel=True)),
    ("briefing", "unmute", "unmute_missing_arg"),
    ("briefing", "weekly wed 07:00", p.Cadence("wed", "07:00", channel=True)),
    ("briefing", "daily", p.Cadence(channel=True)),
    ("briefing", "here now", "briefing_usage"),
    ("briefing", "stats 3", p.IssueStats(3)),
    ("briefing", "STATS 제2호", p.IssueStats(2)),
    ("briefing", "stats", p.Stats()),
    ("briefing", "stats all", "stats_usage"),
    ("briefing", "reports OFF", p.ReportsChoice(on=False)),
    ("briefing", "reports on", p.ReportsChoice(on=True)),
    ("briefing", "reports", "reports_usage"),
    ("briefing", "why <@U0A1|ada>", p.WhyQuery("reader", "U0A1", "slack")),
    ("briefing", "why <#C0B2|ml-news>", p.WhyQuery("channel", "C0B2", "slack")),
    ("briefing", "why U0A1", p.WhyQuery("reader", "U0A1", "slack")),
    ("briefing", "why 42", p.WhyQuery("reader", "42")),
    ("briefing", "why -100123:7", p.WhyQuery("channel", "-100123:7")),
    ("briefing", "why @ml_news", p.WhyQuery("name", "ml_news")),
    ("briefing", "why telegram:dm:42", p.WhyQuery("reader", "42", "telegram")),
    ("briefing", "why slack:C1", p.WhyQuery("channel", "C1", "slack")),
    ("briefing", "why", "why_usage"),
    ("briefing", "why 42 43", "why_usage"),
    ("briefing", "why <b>x</b>", "why_usage"),
    ("briefing", "why <!channel>", "why_usage"),
    ("briefing", "why @x", "why_usage"),
    ("why", "<@U0A1>", p.WhyQuery("reader", "U0A1", "slack")),
    ("why", "", "why_usage"),
    ("reports", "off", p.ReportsChoice(on=False)),
    ("reports", "later", "reports_usage"),
    ("briefing", "dance", "briefing_usage"),
    ("briefing", "audit", p.AuditQuery()),
    ("briefing", "audit 25", p.AuditQuery(25)),
    ("briefing", "audit 51", "audit_usage"),
    ("briefing", "audit many", "audit_usage"),
    ("mydata", "", d.MyData()),
    ("내정보", "whatever", d.MyData()),
    ("forget", "", d.Forget()),
    ("forget", "CONFIRM", d.Forget(confirm=True)),
    ("삭제", "확인", d.Forget(confirm=True)),
    ("forget", "slack:U123 confirm", d.Forget(confirm=True, reader="slack:U123")),
    ("forget", "telegram:42", d.Forget(reader="telegram:42")),
    ("forget", "everyone now", "forget_usage"),
    ("forget", "<b>x</b>", "forget_usage"),
    ("briefing", "test", p.TestSend()),
    ("briefing", "test 3", p.TestSend(3)),
    ("briefing", "test three", "test_usage"),
    ("briefing", "approve 3", p.Approve(3)),
    ("briefing", "approve", "approve_usage"),
    ("briefing", "approve x", "approve_usage"),
    ("briefing", "status 2", p.IssueStatus(2)),
    ("briefing", "status two", "status_usage"),
    ("test", "", p.TestSend()),
    ("시험", "제2호", p.TestSend(2)),
    ("test", "0", "test_usage"),
    ("start", "", p.Start("")),
    ("start", "term-np-hard", p.TermBySlug("np-hard")),
    ("start", "issue-1", p.IssueQuery(1)),
    ("start", "subscribe", p.Subscribe()),
    ("start", "issue-x", p.Start("issue-x")),
    ("start", "t<b>", p.Start("t<b>")),
    ("post", "", p.PostNow()),
    ("발송", "3", p.PostNow(3)),
    ("post", "three", "issue_bad_number"),
    ("reload", "", p.Reload()),
    ("frobnicate", "", p.Unknown("frobnicate")),
    ("term", "가" * (p.MAX_ARGUMENT + 1), "too_long"),
]


@pytest.mark.parametrize(("name", "argument", "expected"), CASES)
def test_each_row_parses_its_argument(name: str, argument: str, expected: p.Parsed | str) -> None:
    parsed = commands.parse(name, argument)
    if isinstance(expected, str):
        assert isinstance(parsed, p.BadInput) and parsed.key == expected
    else:
        assert parsed == expected


def test_every_row_has_good_and_bad_cases_or_takes_no_argument() -> None:
    named = {spec.name for spec in filter(None, (commands.spec(n) for n, _, _ in CASES))}
    assert named == set(commands.BY_NAME)
    bad = {commands.spec(n) for n, _, e in CASES if isinstance(e, str) and e != "too_long"}
    takes_argument = {
        "term",
        "issue",
        "search",
        "subscribe",
        "lang",
        "briefing",
        "post",
        "stats",
        "test",
        "why",
        "reports",
        "forget",
        "unmute",
    }
    assert {spec.name for spec in bad if spec} == takes_argument


def test_everything_a_command_parses_to_has_a_handler() -> None:
    produced = {type(commands.parse(n, a)) for n, a, _ in CASES}
    assert produced <= set(commands.HANDLERS)
    handled = {kind for spec in commands.COMMANDS for kind in spec.handles}
    assert handled | {p.BadInput, p.Unknown} == set(commands.HANDLERS)
    assert set(commands.HANDLERS) <= produced  # no handler for what nothing parses to


def test_every_row_has_a_handler_and_no_kind_is_claimed_twice() -> None:
    claimed = [kind for spec in commands.COMMANDS for kind in spec.handles]
    assert len(claimed) == len(set(claimed))
    for spec in commands.COMMANDS:
        assert spec.handles, spec.name
        assert all(inspect.iscoroutinefunction(h) for h in spec.handles.values()), spec.name


def test_every_rows_strings_are_in_the_catalogue_in_both_languages() -> None:
    keys = {key for spec in commands.COMMANDS for key in (spec.help, spec.menu) if key}
    keys |= {e for _, _, e in CASES if isinstance(e, str)} | {"unknown_command", "admin_only"}
    for key in sorted(keys):
        assert key in i18n.KEYS, key
        ko, en = i18n.translations(key)
        assert ko.strip() and en.strip(), key
    for spec in commands.COMMANDS:
        if spec.help is not None:  # /help's line names the command it describes
            assert f"/{spec.name}" in i18n.t("ko", spec.help), spec.name
            assert f"/{spec.name}" in i18n.t("en", spec.help), spec.name


def test_names_and_aliases_are_one_command_each() -> None:
    words = [w for spec in commands.COMMANDS for w in (spec.name, *spec.aliases)]
    assert len(words) == len(set(words))
    for spec in commands.COMMANDS:
        for word in (spec.name, spec.name.upper(), *spec.aliases):
            assert commands.spec(word) is spec
