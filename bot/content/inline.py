"""Inline Markdown (one paragraph) to `Inline` runs, with TeX shown readably."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.content.latex import INLINE_MATH, tex_to_text, unrenderable
from bot.content.models import Inline, InlineKind

PLACEHOLDER_URLS = frozenset({"", "#"})
_SAFE_SCHEMES = re.compile(r"^(https?://|mailto:|tg://)", re.IGNORECASE)


class InlineProblem(ValueError):
    """A paragraph that cannot be shown safely (an unsafe link, for example)."""


@cache
def inline_markdown() -> MarkdownIt:
    """The parser for one paragraph's inline Markdown (built once, on first use)."""
    return MarkdownIt("commonmark", {"html": False})


@cache
def block_markdown() -> MarkdownIt:
    """The parser for a file's block structure; inline content is parsed per paragraph later."""
    return MarkdownIt("commonmark", {"html": False}).disable("inline")


def parse_inline(md: MarkdownIt, source: str) -> tuple[tuple[Inline, ...], list[str]]:
    """Return the runs of one paragraph and the warnings it raised (placeholder links)."""
    warnings: list[str] = []
    runs: list[Inline] = []
    for token in md.parseInline(source):
        runs.extend(_runs(token.children or [], warnings))
    return _merge(runs), warnings


def _runs(tokens: Iterable[Token], warnings: list[str]) -> Iterable[Inline]:
    strong = em = 0
    url: str | None = None
    for tok in tokens:
        match tok.type:
            case "strong_open":
                strong += 1
            case "strong_close":
                strong -= 1
            case "em_open":
                em += 1
            case "em_close":
                em -= 1
            case "link_open":
                url = _link_target(str(tok.attrGet("href") or ""), warnings)
            case "link_close":
                url = None
            case "softbreak" | "hardbreak":
                yield Inline(text=" ")
            case "code_inline":
                yield Inline(kind="code", text=tok.content)
            case "image":
                yield Inline(text=tok.content or str(tok.attrGet("alt") or ""))
            case _:
                if url is not None:
                    yield Inline(kind="link", text=tok.content, url=url)
                else:
                    kind: InlineKind = "strong" if strong else "em" if em else "text"
                    yield from _with_math(tok.content, kind, warnings)


def _link_target(href: str, warnings: list[str]) -> str | None:
    if href in PLACEHOLDER_URLS:
        warnings.append("placeholder link (#): shown unlinked until the real URL is known")
        return None
    if not _SAFE_SCHEMES.match(href):
        raise InlineProblem(f"link target {href!r} is not an http(s), mailto or tg link")
    return href


def _with_math(text: str, kind: InlineKind, warnings: list[str]) -> Iterable[Inline]:
    pos = 0
    for m in INLINE_MATH.finditer(text):
        if m.start() > pos:
            yield Inline(kind=kind, text=text[pos : m.start()])
        unknown = unrenderable(m.group(1))
        if unknown:
            warnings.append(f"TeX {m.group(0)} kept as written (no rendering for \\{unknown[0]})")
            yield Inline(kind=kind, text=m.group(0))
        else:
            yield Inline(kind="math", text=tex_to_text(m.group(1)), source=m.group(0))
        pos = m.end()
    if pos < len(text):
        yield Inline(kind=kind, text=text[pos:])


def _merge(runs: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for run in runs:
        if not run.text:
            continue
        last = merged[-1] if merged else None
        if (last and last.kind == run.kind == "text") or (
            last and last.kind == run.kind and last.url == run.url and run.kind != "math"
        ):
            merged[-1] = last.model_copy(update={"text": last.text + run.text})
        else:
            merged.append(run)
    return tuple(merged)
