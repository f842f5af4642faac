"""Telegram HTML rendering: exact outputs, escaping of hostile text, and the 4096 limit."""

from __future__ import annotations

import re

import pytest

from bot.adapters.telegram.render import (
    LIMIT,
    RAW_LIMIT,
    preview_lines,
    render,
    split,
    to_html,
    to_plain,
)
from bot.content.loader import Content
from bot.core.model.messages import (
    Block,
    Line,
    Message,
    Span,
    Style,
    Thread,
    bold,
    link,
    simple,
    text,
)
from bot.core.model.render import issue_thread
from tests.fakes.telegram_html import parse_html

NB = "\u00a0\u00a0\u00a0"
FAMILY = "👩\u200d👩\u200d👧\u200d👦"  # one emoji, seven code points
FLAG = "🇰🇷"


def one_line(*spans: Span, indent: int = 0, bullet: bool = False) -> Message:
    return Message((Block((Line(spans, indent, bullet),)),))


CASES = [
    ("plain", simple("hello"), ["hello"]),
    ("title", simple("body", title="Title"), ["<b>Title</b>\n\nbody"]),
    (
        "styles",
        one_line(bold("b"), Span("i", Style.ITALIC), Span("c", Style.CODE), text(" t")),
        ["<b>b</b><i>i</i><code>c</code> t"],
    ),
    (
        "link",
        one_line(link("site", "https://ex.com/a?b=1&c=2")),
        ['<a href="https://ex.com/a?b=1&amp;c=2">site</a>'],
    ),
    ("bullet", one_line(text("item"), bullet=True), ["• item"]),
    ("indented bullet", one_line(text("note"), indent=2, bullet=True), [NB * 2 + "• note"]),
    (
        "lines and blocks",
        Message((Block((Line((text("a"),)), Line((text("b"),)))), Block((Line((text("c"),)),)))),
        ["a\nb\n\nc"],
    ),
    ("empty message", Message(()), []),
    ("empty spans are dropped", one_line(bold(""), text("x")), ["x"]),
    ("script", simple("<script>alert(1)</script>"), ["&lt;script&gt;alert(1)&lt;/script&gt;"]),
    ("ampersand", simple("a & b"), ["a &amp; b"]),
    ("closing tag in bold", one_line(bold("</b>")), ["<b>&lt;/b&gt;</b>"]),
    ("entity literal", simple("&amp; &lt; &#60;"), ["&amp;amp; &amp;lt; &amp;#60;"]),
    (
        "anchor as text",
        simple('<a href="javascript:alert(1)">x</a>'),
        ['&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;'],
    ),
    (
        "javascript link is text",
        one_line(link("click <me>", "javascript:alert(1)")),
        ["click &lt;me&gt;"],
    ),
    ("link without url is text", one_line(Span("t", Style.LINK)), ["t"]),
    (
        "quotes in href",
        one_line(link('"q"', 'https://ex.com/?a="b"&c=<d>')),
        ['<a href="https://ex.com/?a=&quot;b&quot;&amp;c=&lt;d&gt;">"q"</a>'],
    ),
    ("hostile title", simple("x", title="<i>&</i>"), ["<b>&lt;i&gt;&amp;&lt;/i&gt;</b>\n\nx"]),
]


@pytest.mark.parametrize(("message", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_render_exact_html(message: Message, expected: list[str]) -> None:
    assert render(message) == expected


@pytest.mark.parametrize(
    "message", [c[1] for c in CASES if c[2]], ids=[c[0] for c in CASES if c[2]]
)
def test_rendered_html_parses_strictly_to_the_plain_text(message: Message) -> None:
    parts = split(message)
    for part in parts:
        parsed = parse_html(to_html(part), strict=True)  # the fake's tdlib-port parser
        assert parsed.text == to_plain(part)


def test_hostile_text_keeps_its_characters_and_gets_no_entities() -> None:
    hostile = '<script>x</script> a & b </b> &amp; <a href="javascript:alert(1)">y</a>'
    parsed = parse_html(render(simple(hostile))[0])
    assert parsed.text == hostile
    assert parsed.entities == []


def test_links_become_text_url_entities_and_bold_is_bold() -> None:
    [html] = render(one_line(bold("B"), link("L", 'https://ex.com/?q="x"')))
    parsed = parse_html(html)
    assert parsed.text == "BL"
    assert parsed.entities == [
        {"offset": 0, "length": 1, "type": "bold"},
        {"offset": 1, "length": 1, "type": "text_link", "url": 'https://ex.com/?q="x"'},
    ]


def huge_section() -> Message:
    notes = []
    for n in range(30):
        body = f"note {n} <&>"
        while len(body) < 500:  # whole words only: the data itself cuts no emoji
            body += f" w{len(body)}{FAMILY}{FLAG}"
        notes.append(Line((bold("[요약] "), text(body)), indent=1, bullet=True))
    long_word = FAMILY * 900  # no space for 6300 code points: cut between emoji only
    notes.append(Line((text(long_word),), indent=2, bullet=True))
    item = Line((link("A very long item", "https://example.com/item?x=1&y=2"),), bullet=True)
    header = Block((Line((bold("제 0001호 · arXiv"),)),))
    return Message((header, Block((item, *notes))), title="Huge")


def non_space(value: str) -> str:
    return re.sub(r"\s", "", value.replace("•", ""))


def test_a_huge_section_splits_into_parts_within_every_limit_losing_nothing() -> None:
    message = huge_section()
    texts = render(message)
    plains = [parse_html(html).text for html in texts]
    assert len(texts) > 3
    assert all(len(plain) <= LIMIT for plain in plains)
    assert all(len(html.encode()) <= RAW_LIMIT for html in texts)
    assert [to_plain(part) for part in split(message)] == plains
    whole = to_plain(split(message, limit=10**9)[0])
    assert non_space("".join(plains)) == non_space(whole)
    assert sum(plain.count(FAMILY) for plain in plains) == whole.count(FAMILY)
    assert sum(plain.count(FLAG) for plain in plains) == whole.count(FLAG)
    for plain in plains:  # no part starts or ends inside an emoji sequence
        assert not plain.startswith("\u200d") and not plain.rstrip().endswith("\u200d")


def test_raw_html_bytes_are_bounded_too() -> None:
    url = "https://example.com/" + "a&b" * 400  # ~1200 characters, each & escaped to 5 bytes
    lines = tuple(Line((link("x", url),), bullet=True) for _ in range(100))
    texts = render(Message((Block(lines),)))
    assert len(texts) > 1
    assert all(len(html.encode()) <= RAW_LIMIT for html in texts)
    assert sum(parse_html(html).text.count("x") for html in texts) == 100


def test_a_title_too_long_for_one_message_is_cut_like_any_line() -> None:
    title = "T" * 5000
    texts = render(simple("body", title=title))
    plains = [parse_html(html).text for html in texts]
    assert all(len(plain) <= LIMIT for plain in plains)
    assert "".join(plains).count("T") == 5000
    assert texts[0].startswith("<b>T")


def test_issue_one_renders_within_the_limit_and_parses(content: Content) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    thread = issue_thread(issue, "ko")
    texts = [html for message in thread.messages for html in render(message)]
    assert len(texts) == 11
    for html in texts:
        assert 0 < len(parse_html(html).text) <= LIMIT


def test_preview_lines_show_every_message_with_role_and_length(content: Content) -> None:
    issue = content.archive.get(1)
    assert issue is not None
    lines = preview_lines(issue_thread(issue, "ko"))
    headers = [line for line in lines if line.startswith("--- message ")]
    assert len(headers) == 11
    assert re.fullmatch(r"--- message 1/11 \(parent\) · \d+ chars ---", headers[0])
    assert all(
        re.fullmatch(r"--- message \d+/11 \(reply to 1\) · \d+ chars ---", h) for h in headers[1:]
    )
    first_html = lines[1]
    assert first_html.startswith("<b>제 0001호")
    assert headers[0] == f"--- message 1/11 (parent) · {len(parse_html(first_html).text)} chars ---"


def test_preview_marks_a_split_parent_as_continued() -> None:
    big = Message(tuple(Block((Line((text("x" * 3000),)),)) for _ in range(2)), title="P")
    lines = preview_lines(Thread(big, (simple("r"),)))
    headers = [line for line in lines if line.startswith("---")]
    assert [h.split("(")[1].split(")")[0] for h in headers] == [
        "parent",
        "parent, continued",
        "reply to 1",
    ]
