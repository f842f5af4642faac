"""Lookups through the core: /term (hit, alias, typo) and /search, on the real content and on a
generated three-year archive (1,100 issues, 10,000 terms). Baseline: the first implementation
(WRatio over every key, a Python loop over every item), kept here to show the ratio."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rapidfuzz import fuzz, process

from bench.common import report, summary, time_async
from bench.generate import generate
from bot.content.archive import fold
from bot.content.loader import Content, load_content
from bot.content.names import _jamo, normalise
from bot.core.conversation.service import CommandService
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 300


class _NoSubscriptions:
    async def subscribe(self, platform: str, user: str, chat: str) -> bool:
        return True

    async def unsubscribe(self, platform: str, user: str) -> bool:
        return True

    async def is_subscribed(self, platform: str, user: str) -> bool:
        return False

    async def subscribers(self, platform: str | None = None) -> list[object]:
        return []

    async def count(self) -> int:
        return 0


def _queries(content: Content, rng: random.Random) -> dict[str, list[str]]:
    entries = content.glossary.entries
    picks = [rng.choice(entries) for _ in range(REPEAT)]
    hits = [e.term for e in picks]
    aliases = [rng.choice(e.aliases) if e.aliases else e.term for e in picks]
    typos = [_typo(e.term, rng) for e in picks]
    titles = [d.title for d in content.archive._docs]
    words = [
        w for t in rng.sample(titles, min(len(titles), REPEAT)) for w in t.split() if len(w) > 3
    ]
    searches = [" ".join(rng.sample(words, 1 + n % 2)) for n in range(REPEAT)]
    return {"term hit": hits, "term alias": aliases, "term typo": typos, "search": searches}


def _typo(term: str, rng: random.Random) -> str:
    if len(term) < 4:
        return term + "x"
    i = rng.randrange(1, len(term) - 1)
    return term[:i] + term[i + 1] + term[i] + term[i + 2 :]


def _old_search(content: Content, query: str) -> None:
    """The first version: a Python loop testing every item for every word."""
    words = fold(query).split()
    for doc in content.archive._docs:
        all(w in doc.title_folded or w in doc.body_folded for w in words)


def _old_typo(content: Content, query: str) -> None:
    """The first version: WRatio against every key."""
    keys = content.glossary._names._fuzzy_keys
    process.extract(_jamo(normalise(query)), keys, scorer=fuzz.WRatio, limit=12, score_cutoff=62)


def _sync_p99(fn: Callable[[str], object], queries: list[str]) -> float:
    samples = []
    for query in queries:
        start = time.perf_counter()
        fn(query)
        samples.append((time.perf_counter() - start) * 1e6)
    return summary(samples)[1]


async def _measure(label: str, content: Content) -> list[str]:
    service = CommandService(
        LiveContent(content),
        _NoSubscriptions(),  # type: ignore[arg-type]
        PlatformRegistry(),
        language="ko",
    )
    queries = _queries(content, random.Random(11))
    content.archive.prepare_search()
    lines = []
    for kind, batch in queries.items():
        name = "search" if kind == "search" else "term"
        it = iter(batch)

        async def once(name: str = name, it: Iterator[str] = it) -> None:
            await service.handle(Command("bench", "c", "u", name, next(it)))

        p50, p99, _ = summary(await time_async(once, len(batch)))
        goal = (
            ("p99 < 10,000 µs" if kind == "search" else "p99 < 1,000 µs")
            if "generated" in label
            else ""
        )
        lines.append(report(f"{label}: /{kind} through the core, p50", p50, "µs"))
        lines.append(report(f"{label}: /{kind} through the core, p99", p99, "µs", goal=goal))
    sample = queries["search"][:60]
    new = _sync_p99(content.archive.search, sample)
    old = _sync_p99(lambda q: _old_search(content, q), sample)
    lines.append(report(f"{label}: archive.search alone, p99", new, "µs", old))
    sample = queries["term typo"][:60]
    new = _sync_p99(content.glossary.lookup, sample)
    old = _sync_p99(lambda q: _old_typo(content, q), sample)
    lines.append(report(f"{label}: glossary typo lookup alone, p99", new, "µs", old))
    return lines


def main() -> list[str]:
    lines = asyncio.run(_measure("real content", load_content(ROOT / "content")))
    with tempfile.TemporaryDirectory() as tmp:
        content = load_content(generate(Path(tmp), issues=1100, terms=10_000))
        start = time.perf_counter()
        content.archive.prepare_search()
        built = (time.perf_counter() - start) * 1e3
        lines += asyncio.run(_measure("generated 1,100 issues/10,000 terms", content))
        lines.append(
            report("generated: search index build (once, on the first /search)", built, "ms")
        )
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
