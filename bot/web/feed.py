"""The Atom feed: the newest `[web] feed_issues` issues (20 unless set), newest first, each with
the whole issue as its content (every issue of a 1,100-issue archive made a 22 MB feed).

Built with feedgen. Entry ids are URNs of the issue number, so they stay the same wherever the
archive is hosted; links use `[web] base_url` when it is set, else paths relative to the feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator

from bot.content.models import Issue
from bot.web.pages import SITE_DESCRIPTION, SITE_NAME, Pages
from bot.web.urls import Urls

SEOUL = ZoneInfo("Asia/Seoul")
FEED_ISSUES = 20  # `[web] feed_issues`' default
FEED_ID = "urn:neural-briefing:archive"


def _published(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(8, 30), SEOUL)


def newest(numbers: Sequence[int], count: int) -> Sequence[int]:
    """The last `count` (at least 1) of these issue numbers, in their order."""
    return numbers[-max(count, 1) :]


def atom_feed(pages: Pages, links: Urls, count: int = FEED_ISSUES) -> bytes:
    """The feed of the newest `count` issues; `links` for its links and those inside its entries."""
    issues = (pages.archive.get(number) for number in newest(pages.archive.numbers, count))
    return atom_of(((i, pages.issue_body(i, links)) for i in issues if i is not None), links)


def atom_of(issues: Iterable[tuple[Issue, str]], links: Urls) -> bytes:
    """The feed of these issues (oldest first), each with its body already rendered."""
    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title(SITE_NAME)
    feed.subtitle(SITE_DESCRIPTION)
    feed.language("ko")
    feed.link(href=links.feed(), rel="self", type="application/atom+xml")
    feed.link(href=links.home(), rel="alternate", type="text/html")
    newest = dt.datetime(2019, 1, 1, tzinfo=SEOUL)
    for issue, body in issues:  # oldest first: feedgen prepends, so the newest ends up first
        newest = max(newest, _published(issue.date))
        item = feed.add_entry()
        item.id(f"urn:neural-briefing:issue:{issue.number}")
        item.title(issue.heading)
        item.link(href=links.issue(issue.number), rel="alternate", type="text/html")
        item.published(_published(issue.date))
        item.updated(_published(issue.date))
        item.content(body, type="html")
    feed.updated(newest)
    data: bytes = feed.atom_str(pretty=False)
    return data
