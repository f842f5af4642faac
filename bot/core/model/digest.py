"""The weekly digest: one message for a reader (or channel) who chose `weekly` instead of the
daily thread: each issue of the past week with its title, its items' titles per section (the
muted sections left out) and a link to the whole issue. The platform splits it at its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from bot.content.models import Issue, Item
from bot.core.i18n import Language, t
from bot.core.model.messages import Block, Line, Message, Span, Style, bold, text
from bot.core.model.render import item_block, shown

# The link to the whole issue `n`: the web page, else the platform's deep link ("https://…"),
# else the command that shows it ("/issue 3").
IssueLink = Callable[[int], str]


def weekly_digest(
    issues: Sequence[Issue], lang: Language, link: IssueLink, muted: Collection[str] = ()
) -> Message:
    """`issues` (oldest first) as one message; an issue with every section muted is named
    with its link alone."""
    blocks = []
    for issue in issues:
        where = link(issue.number)
        if where.startswith(("https://", "http://")):
            head = Line((Span(issue.heading, Style.LINK, where),))
        else:
            head = Line((bold(issue.heading), text(" · " + where)))
        lines = [head]
        sections, _ = shown(issue, muted)
        for section in sections:
            lines.append(Line((bold(section.name),), indent=1))
            lines.extend(_title(item) for item in section.items)
        blocks.append(Block(tuple(lines)))
    first, last = issues[0].date.isoformat(), issues[-1].date.isoformat()
    title = t(lang, "digest_title", count=len(issues), first=first, last=last)
    return Message(tuple(blocks), title=title)


def _title(item: Item) -> Line:
    return Line(item_block(item).lines[0].spans, indent=2, bullet=True)
