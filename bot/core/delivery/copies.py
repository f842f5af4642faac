"""What a correction compares: a digest of each sent part's text (the neutral message, before
any platform's markup), the variant it was rendered for, and the revision of an issue (its
source and the glossary its notes link). And what a correction reports."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

from bot.content.loader import Content
from bot.core.delivery.ports import Copy, KeepsCopies, Revision
from bot.core.destination import Destination
from bot.core.i18n import Language
from bot.core.model.messages import Block, Line, Message, Span, Style
from bot.core.ports import Revises
from bot.core.runs import Failure, FailureKind, RunSummary

POINTER = "pointer"  # the digest of a surplus part edited to a one-line pointer


def digest(message: Message) -> str:
    """A short, stable digest of what `message` says: every span's text, style and link, each
    line's indent and bullet, the title, the buttons (a dataclass `repr` would do, ten times
    slower: this runs once per message a delivery sends)."""
    found = hashlib.sha256(repr((message.title, message.link_previews, message.buttons)).encode())
    for block in message.blocks:
        found.update(b"\x1d")
        for line in block.lines:
            found.update(f"\x1e{line.indent}|{line.bullet}".encode())
            for span in line.spans:
                found.update(f"\x1f{span.style.value}|{span.url or ''}|{span.text}".encode())
    return found.hexdigest()[:16]


def revision_of(content: Content, number: int) -> str | None:
    """The revision of issue `number` in `content`: its source file and the glossary (a changed
    definition changes a linked 토막상식); None if the issue is not there."""
    entry = next((e for e in content.archive.entries if e.number == number), None)
    if entry is None:
        return None
    found = hashlib.sha256(entry.source)
    for e in content.glossary.entries:  # not `line`: moving an entry changes no text
        said = (e.term, e.aliases, e.definition, e.definition_en, e.first_issue, e.first_section)
        found.update(repr(said).encode("utf-8"))
    return found.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CopySet:
    """The copies of one issue at one destination (by part), the variant they were rendered
    for, and the destination's rank in the correction (the pacer's)."""

    dest: Destination
    parts: dict[int, Copy]
    variant: str
    rank: int


def copy_sets(copies: list[Copy], first_rank: int) -> list[CopySet]:
    """`copies` by destination, in a stable order, ranked from `first_rank`."""
    by_dest: dict[str, dict[int, Copy]] = {}
    for copy in copies:
        by_dest.setdefault(copy.destination, {})[copy.part] = copy
    sets: list[CopySet] = []
    for key, parts in sorted(by_dest.items()):
        first = parts.get(0) or next(iter(parts.values()))
        chat = next((c.ref.chat for c in parts.values() if c.ref is not None), "")
        dest = Destination.parse(key)
        dest = replace(dest, chat=chat or dest.chat)
        sets.append(CopySet(dest, parts, first.variant, first_rank + len(sets)))
    return sets


def with_mark(message: Message, mark: str) -> Message:
    """`message` ending with the correction's mark, in italics, a block of its own."""
    line = Line((Span(mark, Style.ITALIC),))
    return replace(message, blocks=(*message.blocks, Block((line,))))


def keep_sent(ledger: object, platform: object, copy: Copy) -> None:
    """A delivery keeps each sent part's copy, in the ledger's next commit, where the ledger
    keeps copies and the platform can edit what it sent (not the console)."""
    kinds = (type(ledger), type(platform))
    keeps = _KEEPS_COPIES.get(kinds)
    if keeps is None:  # `isinstance` against a runtime protocol looks up each of its methods,
        # a tenth of a millisecond on every part sent (docs/benchmarks.md): once per pair of types
        keeps = _KEEPS_COPIES[kinds] = isinstance(ledger, KeepsCopies) and isinstance(
            platform, Revises
        )
    if keeps:
        cast(KeepsCopies, ledger).keep_copy(copy)


_KEEPS_COPIES: dict[tuple[type, type], bool] = {}


def note_release(ledger: object, content: Content, number: int, at: datetime) -> None:
    """The revision the first delivery of `number` releases: what corrections compare with."""
    if isinstance(ledger, KeepsCopies) and ledger.revision(number) is None:
        found = revision_of(content, number)
        if found is not None:
            ledger.set_revision(number, Revision(found, at))


def variant(packed: bool, language: Language, muted: frozenset[str] = frozenset()) -> str:
    """ "packed|ko", or with the sections muted: "full|en|레딧,arxiv" (normalised names)."""
    named = f"|{','.join(sorted(muted))}" if muted else ""
    return f"{'packed' if packed else 'full'}|{language}{named}"


def parse_variant(value: str) -> tuple[bool, Language, frozenset[str]]:
    packed, _, rest = value.partition("|")
    language, _, muted = rest.partition("|")
    names = frozenset(name for name in muted.split(",") if name)
    return packed == "packed", "en" if language == "en" else "ko", names


@dataclass
class CorrectionReport:
    """One correction of one issue: copies edited, unchanged, added (extra parts sent as
    replies), deleted (surplus parts), failed by reason; and, dry, the parts that changed with
    how many copies each would edit ("full|ko part 3": 12)."""

    issue: int
    destinations: int = 0
    edited: int = 0
    unchanged: int = 0
    added: int = 0
    deleted: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    stopped: bool = False
    dry_run: bool = False
    failures: list[Failure] = field(default_factory=list)  # by destination, for the report

    def fail(self, destination: str, reason: str, kind: FailureKind = "uneditable") -> None:
        """A copy at `destination` not corrected, and why."""
        self.failed[reason] += 1
        self.failures.append(Failure(destination, kind, reason, self.issue))

    def run_summary(self) -> RunSummary:
        """The correction as its report says it (`bot/core/conversation/reporting.py`)."""
        changed = self.edited + self.added + self.deleted
        return RunSummary("correction", self.issue, self.destinations, changed,
                          planned=changed + len(self.failures), failures=tuple(self.failures),
                          stopped=self.stopped)  # fmt: skip

    @property
    def summary(self) -> str:
        failed = ", ".join(f"{reason} {n}" for reason, n in sorted(self.failed.items()))
        verb = "would edit" if self.dry_run else "edited"
        return (
            f"issue {self.issue}: {self.destinations} destinations, {verb} {self.edited}, "
            f"unchanged {self.unchanged}, added {self.added}, deleted {self.deleted}, "
            f"failed {sum(self.failed.values())}"
            + (f" ({failed})" if failed else "")
            + (", stopped early" if self.stopped else "")
        )
