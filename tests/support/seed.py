"""The seed issue's text as its author wrote it (tests/fixtures/seed_0001.txt), in fragments
to find in what the bot renders."""

from __future__ import annotations

import re

from bot.content.latex import INLINE_MATH, tex_to_text
from tests.conftest import SEED

TAGS = re.compile(r"\[(?:본문 중|토막상식|요약|의의)\]")
HEADINGS_SHOWN_ELSEWHERE = {"키워드", "Useful links"}


def seed_fragments() -> list[str]:
    """Every piece of the author's text, with the conversion artifacts undone."""
    fragments = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.strip().removeprefix("- ").strip()
        if not line or line == "-" or line in HEADINGS_SHOWN_ELSEWHERE:
            continue
        line = line.replace("[\\[Link\\]](#)", "[Link]").replace("[\\[의의\\]](#)", "[의의]")
        line = re.sub(r"\[([^\]]+)\]\(#\)", r"\1", line).replace("\\(", "(").replace("\\)", ")")
        line = re.sub(r"<(https?://[^>]+)>", r"\1", line).replace("**", "")
        line = INLINE_MATH.sub(lambda m: tex_to_text(m.group(1)), line)
        fragments += [part.strip() for part in TAGS.split(line) if part.strip()]
    return fragments


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
