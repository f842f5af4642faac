"""The link a thread's 토막상식 ends with when its term has a glossary entry, per platform.

Where a platform has a deep link into a private chat with the bot (Telegram's
`t.me/<bot>?start=term-<slug>`, known once the platform has started), the note links that;
otherwise the term's web page when `[web] base_url` is set; otherwise a `/term …` hint. The
core decides which; the platform only says what its deep links look like (the registry).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.glossary import Glossary
from bot.content.models import Note
from bot.core.i18n import Language, t
from bot.core.model.messages import Span, link, text
from bot.core.model.weblinks import WebLinks
from bot.core.platforms import PlatformRegistry

TERM_PAYLOAD = "term-{slug}"
ISSUE_PAYLOAD = "issue-{number}"


@dataclass(frozen=True, slots=True)
class TermLinker:
    """`after(note)`: the spans a note ends with on `platform` (none for notes without an
    entry)."""

    platform: str
    glossary: Glossary
    platforms: PlatformRegistry
    language: Language
    web: WebLinks | None = None

    def after(self, note: Note) -> tuple[Span, ...]:
        entry = self.glossary.trivia.entry_for(note)
        if entry is None:
            return ()
        slug = self.glossary.slugs.of(entry)
        label = t(self.language, "term_link", term=entry.term)
        deep = self.platforms.start_link(self.platform, TERM_PAYLOAD.format(slug=slug))
        if deep is not None:
            return (text(" "), link(label, deep))
        if self.web is not None:
            return (text(" "), link(label, self.web.term(slug)))
        return (text(" " + t(self.language, "term_hint", term=entry.term)),)
