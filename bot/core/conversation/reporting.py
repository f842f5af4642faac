"""A run's report, in words: what the editors and admins get by DM after every delivery run (and
correction run), and the same lines in the log (in English). It takes a `RunSummary`, which a
delivery run (`DeliveryReport.run_summary`) and a correction run both fill.

    Delivery report · issue 3
    destinations: 12 · messages: 36 of 36 · 14.2 s · 2.5 messages/s
    429s waited out: 2 (3.0 s)
    • readers who blocked the bot or left: 3 (telegram:dm:42, …): unsubscribed; nothing to do
    • channels the bot was removed from: 1 (#ml-news (slack:C1)): their opt-in ended; …

Failures are grouped by kind (`FailureKind`), each group with what to do about it; a group
names at most `NAMED` destinations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from bot.core.i18n import Language, t
from bot.core.model.messages import Line, Message, simple, text
from bot.core.runs import FAILURE_KINDS, Failure, FailureKind, RunSummary

NAMED = 3  # destinations named per group of failures


def report_lines(
    summary: RunSummary, lang: Language, names: Mapping[str, str] | None = None
) -> list[str]:
    """The report's lines, its title first; `names`: channels' names by destination key."""
    head = "report_title_" + summary.what
    lines = [t(lang, head, issue=summary.issue if summary.issue is not None else "-")]
    lines.append(
        t(lang, "report_counts", destinations=summary.destinations, messages=summary.messages,
          planned=summary.planned, seconds=f"{summary.seconds:.1f}", rate=f"{summary.rate:.1f}")
    )  # fmt: skip
    if summary.rate_limited:
        waited = f"{summary.waited:.1f}"
        lines.append(t(lang, "report_429", count=summary.rate_limited, seconds=waited))
    else:
        lines.append(t(lang, "report_no_429"))
    if summary.stopped:
        lines.append(t(lang, "report_stopped"))
    groups = grouped(summary.failures)
    for kind in FAILURE_KINDS:
        if kind in groups:
            lines.append("• " + failure_line(kind, groups[kind], lang, names or {}))
    if not groups:
        lines.append(t(lang, "report_no_failures"))
    return lines


def report_message(
    summary: RunSummary, lang: Language, names: Mapping[str, str] | None = None
) -> Message:
    title, *lines = report_lines(summary, lang, names)
    return simple(*(Line((text(line.removeprefix("• ")),), bullet=line.startswith("• "))
                    for line in lines), title=title)  # fmt: skip


def grouped(failures: tuple[Failure, ...]) -> dict[FailureKind, list[Failure]]:
    groups: defaultdict[FailureKind, list[Failure]] = defaultdict(list)
    for failure in failures:
        groups[failure.kind].append(failure)
    return dict(groups)


def failure_line(
    kind: FailureKind, failures: list[Failure], lang: Language, names: Mapping[str, str]
) -> str:
    """One group: how many, which (the first `NAMED`, by name where known), why, and what to
    do."""
    where = sorted({failure.destination for failure in failures})
    shown = [f"{names[key]} ({key})" if key in names else key for key in where[:NAMED]]
    named = ", ".join(shown) + (f", +{len(where) - NAMED}" if len(where) > NAMED else "")
    detail = failures[0].detail[:120]
    return t(lang, f"report_{kind}", count=len(where), where=named, detail=detail)
