"""Generate a large archive from the seed's structure: N daily issues and a big glossary.

Every generated issue has the seed's nine sections with the same number of items and notes,
with words shuffled from the seed's own text, so parsing, search and rendering see realistic
Korean/English mixtures and sizes.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

SEED_ISSUE = Path(__file__).resolve().parent.parent / "content" / "issues" / "0001.md"
_WORDS = re.compile(r"\w[\w\-]*")


def _vocabulary() -> list[str]:
    body = SEED_ISSUE.read_text(encoding="utf-8").split("+++", 2)[2]
    return _WORDS.findall(body)


def _sentence(rng: random.Random, words: list[str], low: int, high: int) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))


def issue_text(number: int, rng: random.Random, words: list[str]) -> str:
    date = dt.date(2019, 5, 30) + dt.timedelta(days=number - 1)
    lines = [
        "+++",
        f"number = {number}",
        f"date = {date.isoformat()}",
        'title = "뉴랄브리핑"',
        f'keywords = ["{rng.choice(words)}", "{rng.choice(words)}"]',
        "+++",
        "",
    ]
    sections = [
        "구글블로그",
        "AWS Machine Learning Blog",
        "Facebook Research Blog",
        "Machine teaching",
        "arXiv",
        "레딧",
        "트위터",
        "파비",
        "기타소식",
    ]
    for section in sections:
        lines += [f"## {section}", ""]
        for _ in range(rng.randint(1, 3)):
            title = _sentence(rng, words, 4, 10)
            lines.append(f"- [{title}](https://example.com/{number}/{rng.randrange(10**6)})")
            for tag in rng.sample(
                ["[요약] ", "[의의] ", "**[토막상식]** ", "", ""], rng.randint(1, 3)
            ):
                lines.append(f"  - {tag}{_sentence(rng, words, 15, 60)}")
        lines.append("")
    lines += ["## Useful links", "", "- [Microsoft Research](https://example.com/msr)", ""]
    return "\n".join(lines)


def glossary_text(terms: int, rng: random.Random, words: list[str], issues: int) -> str:
    out = []
    seen: set[str] = set()
    n = 0
    while n < terms:
        term = f"{rng.choice(words)} {rng.choice(words)} {n}"
        alias = f"{rng.choice(words)}-{n}-별칭"
        if term.casefold() in seen:
            continue
        seen.add(term.casefold())
        out += [
            "[[terms]]",
            f'term = "{term}"',
            f'aliases = ["{alias}", "alias {n}"]',
            f'definition = "{_sentence(rng, words, 10, 30)}"',
            f"first_issue = {rng.randint(1, issues)}",
            'first_section = "arXiv"',
            "",
        ]
        n += 1
    return "\n".join(out)


def generate(target: Path, *, issues: int = 1100, terms: int = 10_000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    words = _vocabulary()
    (target / "issues").mkdir(parents=True, exist_ok=True)
    for number in range(1, issues + 1):
        (target / "issues" / f"{number:04d}.md").write_text(
            issue_text(number, rng, words), encoding="utf-8"
        )
    (target / "glossary.toml").write_text(
        glossary_text(terms, rng, words, issues), encoding="utf-8"
    )
    return target
