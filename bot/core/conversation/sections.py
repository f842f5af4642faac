"""The sections a reader may mute, by name: every section name in the archive and the issues'
useful links, matched as the glossary matches terms (case, spaces, Unicode form; a miss gets
"did you mean", never a silent pick), with the Korean and English names of the usual sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.archive import Archive
from bot.content.names import NameIndex, normalise
from bot.core.model.render import LINKS

# A section's other names (Korean ↔ English), by the name the issues give it.
ALIASES: dict[str, tuple[str, ...]] = {
    "레딧": ("Reddit",),
    "구글블로그": ("Google Blog", "Google AI Blog", "구글"),
    "트위터 (Yann LeCun)": ("Twitter", "트위터", "Yann LeCun", "얀 르쿤"),
    "기타소식": ("Other news", "News", "기타"),
    "arXiv": ("아카이브", "아카이브 논문", "papers"),
    "Facebook Research Blog": ("페이스북", "Facebook", "Meta"),
    "AWS Machine Learning Blog": ("AWS", "아마존"),
    "Machine teaching with Dr. Patrice Simard": ("Machine teaching", "머신 티칭"),
    "파비": ("Fabi",),
    LINKS: ("유용한 링크", "링크", "Links"),
}
MAX_LISTED = 40  # section names `/mute` lists


@dataclass(frozen=True, slots=True)
class Found:
    """The section a query names (as the issues name it), or up to three close ones."""

    name: str | None
    suggestions: tuple[str, ...] = ()


def section_names(archive: Archive) -> tuple[str, ...]:
    """Every section a reader may mute: the archive's, newest issue's first, and the links."""
    return (*archive.section_names[:MAX_LISTED], LINKS)


def find(names: tuple[str, ...], query: str) -> Found:
    index = NameIndex((alias, name) for name in names for alias in (name, *ALIASES.get(name, ())))
    hit = index.get(query)
    return Found(hit[0]) if hit is not None else Found(None, index.suggest(query))


def is_muted(name: str, muted: tuple[str, ...]) -> bool:
    key = normalise(name)
    return any(normalise(m) == key for m in muted)
