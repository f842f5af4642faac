"""What `validate` checks across the issues and the glossary (not at load time: that would parse
every issue at every start-up): a 토막상식 that no glossary entry explains, and a keyword the
glossary does not know. Both are warnings with `path:line` — the bot still serves the issue, but
`/term` and the thread's glossary links will miss them."""

from __future__ import annotations

from collections.abc import Iterator

from bot.content.errors import Problem
from bot.content.loader import Content
from bot.content.models import Issue, Note, NoteKind
from bot.content.slugs import TriviaIndex


def glossary_gaps(content: Content) -> list[Problem]:
    trivia = TriviaIndex(content.glossary.entries)
    found: list[Problem] = []
    for number in content.archive.numbers:
        issue = content.archive.get(number)
        if issue is None:
            continue
        for note in _notes(issue):
            if note.kind is NoteKind.TRIVIA and trivia.entry_for(note) is None:
                text = note.plain[:40]
                found.append(_warn(issue, note.line, f"토막상식 with no glossary entry: {text!r}"))
        for keyword in issue.keywords:
            if content.glossary.lookup(keyword).entry is None:
                found.append(_warn(issue, 0, f"keyword {keyword!r} has no glossary entry"))
    return found


def _warn(issue: Issue, line: int, message: str) -> Problem:
    return Problem(issue.path, line, message, warning=True)


def _notes(issue: Issue) -> Iterator[Note]:
    stack = [note for section in issue.sections for item in section.items for note in item.notes]
    while stack:
        note = stack.pop()
        yield note
        stack.extend(note.children)
