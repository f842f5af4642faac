"""The console's plain-text rendering: a table of lines and the exact text printed."""

from __future__ import annotations

import pytest

from bot.adapters.console.platform import render_line
from bot.core.model.messages import Line, Span, Style

URL = "https://www.facebook.com/bntejn"


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ((Span("친구 "), Span(URL, Style.LINK, URL)), f"친구 {URL}"),
        ((Span(f" {URL} ", Style.LINK, URL),), f" {URL} "),
        ((Span("EfficientNet", Style.LINK, URL),), f"EfficientNet <{URL}>"),
        ((Span("x", Style.CODE),), "`x`"),
    ],
)
def test_a_link_is_printed_with_its_url_once(spans: tuple[Span, ...], expected: str) -> None:
    assert render_line(Line(spans)) == expected
