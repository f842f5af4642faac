"""Inline TeX as a reader sees it: real formulas through the paragraph parser, exact text out."""

from __future__ import annotations

import pytest

from bot.content.inline import inline_markdown, parse_inline
from bot.content.latex import tex_to_text


def shown(source: str) -> str:
    runs, _ = parse_inline(inline_markdown(), source)
    return "".join(run.text for run in runs)


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        # braces that group: kept as one piece, or as script characters when each has one
        ("$e^{i\\pi}$", "e^(iπ)"),
        ("$a_{ij}$", "aᵢⱼ"),
        ("$x^{2k}$", "x^(2k)"),
        ("$x^{2}$", "x²"),
        ("$x^{-1}$", "x⁻¹"),
        ("$x^{n+1}$", "xⁿ⁺¹"),
        ("$e^{\\pi}$", "e^π"),
        ("$e^{x_i}$", "e^(xᵢ)"),
        ("$\\sqrt{x^2+y^2}$", "√(x²+y²)"),
        ("$\\sqrt{2}$", "√2"),
        ("$\\sqrt{d_k}$", "√dₖ"),
        # braces that group nothing are dropped, as before
        ("${abc}$", "abc"),
        # what already worked (the seed issue's formulas)
        ("$\\text{depth} = \\alpha_\\phi$", "depth = α_φ"),
        ("$\\alpha \\cdot \\beta^2 \\cdot \\gamma^2 \\approx c$", "α · β² · γ² ≈ c"),
        ("$c = 2$", "c = 2"),
        # a command the table has no rendering for keeps the whole formula as written
        ("$\\frac{1}{2}$", "$\\frac{1}{2}$"),
    ],
)
def test_tex_is_shown_as_this_text(tex: str, text: str) -> None:
    assert shown(tex) == text


@pytest.mark.parametrize("tex", ["$x^$", "$x^{2$", "$a}b$", "$\\sqrt$", "$x\\\\$"])
def test_unbalanced_or_unfinished_tex_is_shown_without_crashing(tex: str) -> None:
    assert shown(tex)


def test_escaped_braces_are_shown_and_group_nothing() -> None:
    # in a Markdown file `\{` is Markdown's escape; TeX reaches tex_to_text as an author wrote `\\{`
    assert tex_to_text("\\{0, 1\\}^n") == "{0, 1}ⁿ"
