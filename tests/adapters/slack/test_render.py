"""Slack rendering: neutral messages to exact chat.postMessage payloads, hostile text included."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_PAYLOAD_CHARS,
    escape,
    preview_json,
    render_line,
    render_message,
    render_span,
    render_thread,
    safe_url,
)
from bot.content.loader import load_content
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
from tests.fakes.slack_blocks import block_errors

CONTENT = Path(__file__).resolve().parents[3] / "content"


def section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def header(plain: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def texts(payload: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in payload.get("blocks", [])]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("a & b", "a &amp; b"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("<http://x|y>", "&lt;http://x|y&gt;"),
        ("&lt; already", "&amp;lt; already"),
        ("=>", "=&gt;"),
    ],
)
def test_escape_replaces_exactly_the_three_control_characters(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


@pytest.mark.parametrize(
    ("span", "mrkdwn"),
    [
        (text("<!channel> hi"), "&lt;!channel&gt; hi"),
        (text("<@U123> & <#C1>"), "&lt;@U123&gt; &amp; &lt;#C1&gt;"),
        (bold("NP-hard"), "*NP-hard*"),
        (bold("[요약] "), "*[요약]* "),
        (bold("<!here>"), "*&lt;!here&gt;*"),
        (Span(" x ", Style.ITALIC), " _x_ "),
        (Span("a<b", Style.CODE), "`a&lt;b`"),
        (Span("  ", Style.BOLD), "  "),
        (link("EfficientNet", "https://ai.googleblog.com/p?a=1&b=2"),
         "<https://ai.googleblog.com/p?a=1&amp;b=2|EfficientNet>"),
        (link("a|b <c>", "https://e.com"), "<https://e.com|a｜b &lt;c&gt;>"),
        (link("x", "https://e.com/a|b>c<d"), "<https://e.com/a%7Cb%3Ec%3Cd|x>"),
        (link("<!here>", "https://e.com"), "<https://e.com|&lt;!here&gt;>"),
        (link("", "https://e.com"), "<https://e.com>"),
        (link("x", "javascript:alert(1)"), "x"),
        (link("<!here>", "#"), "&lt;!here&gt;"),
        (link("x", "https://e.com/a b"), "x"),
        (link("x", "@U123"), "x"),
        (Span("x", Style.LINK), "x"),
    ],
)  # fmt: skip
def test_spans(span: Span, mrkdwn: str) -> None:
    assert render_span(span) == mrkdwn


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://arxiv.org/abs/1905.11946", "https://arxiv.org/abs/1905.11946"),
        ("HTTP://E.COM/x", "HTTP://E.COM/x"),
        ("https://e.com/?q=a&b=<c>", "https://e.com/?q=a&amp;b=%3Cc%3E"),
        ("ftp://e.com", None),
        ("https://", None),
        ("https://e.com/\nx", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, safe: str | None) -> None:
    assert safe_url(url) == safe


@pytest.mark.parametrize(
    ("line", "mrkdwn"),
    [
        (Line((text("a"),)), "a"),
        (Line((text("a"),), bullet=True), "• a"),
        (Line((text("a"),), indent=1, bullet=True), "    ◦ a"),
        (Line((text("a"),), indent=2, bullet=True), "        ▪ a"),
        (Line((text("a"),), indent=3, bullet=True), "            • a"),
        (Line((text("a"),), indent=1), "    a"),
        (Line((bold("[요약] "), text("x <y>"))), "*[요약]* x &lt;y&gt;"),
    ],
)
def test_lines(line: Line, mrkdwn: str) -> None:
    assert render_line(line) == mrkdwn


@pytest.mark.parametrize(
    ("message", "payloads"),
    [
        (
            simple("hi"),
            [{"text": "hi", "blocks": [section("hi")], "unfurl_links": False,
              "unfurl_media": False}],
        ),
        (
            simple("<!channel> wake up", title="A & B"),
            [{"text": "A &amp; B\n\n&lt;!channel&gt; wake up",
              "blocks": [header("A &amp; B"), section("&lt;!channel&gt; wake up")],
              "unfurl_links": False, "unfurl_media": False}],
        ),
        (
            Message((Block((Line((text("a"),)), Line((text("b"),)))), Block((Line((text("c"),)),))),
                    link_previews=True),
            [{"text": "a\nb\n\nc", "blocks": [section("a\nb"), section("c")],
              "unfurl_links": True, "unfurl_media": True}],
        ),
        (
            Message(()),
            [{"text": "…", "unfurl_links": False, "unfurl_media": False}],
        ),
        (
            Message((Block((Line((text("   "),)),)),), title="  T  "),
            [{"text": "T", "blocks": [header("T")], "unfurl_links": False,
              "unfurl_media": False}],
        ),
    ],
)  # fmt: skip
def test_messages(message: Message, payloads: list[dict[str, Any]]) -> None:
    assert render_message(message) == payloads


def test_replies_never_unfurl() -> None:
    message = Message((Block((Line((link("x", "https://e.com"),)),)),), link_previews=True)

    (payload,) = render_message(message, reply=True)

    assert payload["unfurl_links"] is False
    assert payload["unfurl_media"] is False


def test_a_long_title_is_cut_in_the_header_and_given_in_full_below() -> None:
    title = "뉴랄 " * 60  # 180 characters

    (payload,) = render_message(simple("body", title=title))

    head, full, body = payload["blocks"]
    cut = head["text"]["text"]
    assert len(cut) <= 150 and len(cut) > 140
    assert cut.endswith("뉴랄…") and title.startswith(cut[:-1])  # cut between words
    assert full == section(f"*{title.strip()}*")
    assert body == section("body")


def test_header_length_counts_escapes() -> None:
    (payload,) = render_message(simple("x", title="&" * 40))  # 200 characters escaped

    head = payload["blocks"][0]["text"]["text"]
    assert head == "&amp;" * 29 + "…"
    assert payload["blocks"][1] == section("*" + "&amp;" * 40 + "*")


def test_a_long_line_is_split_into_sections_of_at_most_3000_characters() -> None:
    words = " ".join(f"w{i:04d}" for i in range(1500))  # 8999 characters

    (payload,) = render_message(simple(words))

    parts = texts(payload)
    assert len(parts) == 3 and all(2900 < len(part) <= 3000 for part in parts)
    assert "".join(parts) == words  # cut after a space: no word is broken
    assert [part.split()[-1] for part in parts] == ["w0499", "w0999", "w1499"]


def test_escapes_count_toward_the_section_limit_and_are_never_cut() -> None:
    (payload,) = render_message(simple("&" * 1000))  # 5000 characters once escaped

    parts = texts(payload)
    assert [len(part) for part in parts] == [3000, 2000]
    assert all(re.fullmatch(r"(&amp;)+", part) for part in parts)


def test_lines_stay_whole_when_they_fit() -> None:
    lines = [Line((text(str(n) * 1000),), bullet=True) for n in range(5)]

    (payload,) = render_message(Message((Block(tuple(lines)),)))

    assert [len(part) for part in texts(payload)] == [2005, 2005, 1002]
    assert texts(payload)[0] == f"• {'0' * 1000}\n• {'1' * 1000}"


def test_more_than_50_blocks_become_further_payloads() -> None:
    blocks = tuple(Block((Line((text(f"b{n}"),)),)) for n in range(60))

    first, second = render_message(Message(blocks, title="T"))

    assert len(first["blocks"]) == MAX_BLOCKS
    assert first["blocks"][0] == header("T")
    assert texts(second) == [f"b{n}" for n in range(49, 60)]
    assert second["text"] == "\n\n".join(f"b{n}" for n in range(49, 60))
    assert second["unfurl_links"] is False


def test_a_payload_holds_at_most_12000_characters_of_blocks() -> None:
    blocks = tuple(Block((Line((text("x" * 2000),)),)) for _ in range(10))

    payloads = render_message(Message(blocks))

    assert [len(p["blocks"]) for p in payloads] == [6, 4]
    assert all(sum(map(len, texts(p))) <= MAX_PAYLOAD_CHARS for p in payloads)


def test_the_fallback_text_is_escaped_and_truncated() -> None:
    (payload,) = render_message(simple("<" * 2000))

    assert payload["text"] == "&lt;" * 749 + "…"
    assert len(payload["text"]) <= 3000


def test_preview_json_shows_the_exact_payloads_with_placeholders() -> None:
    thread = Thread(simple("toc", title="제 1호"), (simple("<@U1> & co"),))

    assert json.loads(preview_json(thread)) == [
        {"channel": "<channel>", "text": "제 1호\n\ntoc", "blocks": [header("제 1호"), section("toc")],
         "unfurl_links": False, "unfurl_media": False},
        {"channel": "<channel>", "thread_ts": "<parent ts>", "text": "&lt;@U1&gt; &amp; co",
         "blocks": [section("&lt;@U1&gt; &amp; co")], "unfurl_links": False,
         "unfurl_media": False},
    ]  # fmt: skip
    assert "제 1호" in preview_json(thread)  # ensure_ascii=False


def test_a_split_parent_continues_in_its_own_thread() -> None:
    blocks = tuple(Block((Line((text(f"b{n}"),)),)) for n in range(55))

    payloads = render_thread(Thread(Message(blocks), (simple("reply"),)))

    assert [p.get("thread_ts") for p in payloads] == [None, "<parent ts>", "<parent ts>"]


def test_issue_1_renders_to_valid_blocks() -> None:
    content = load_content(CONTENT)
    issue = content.archive.get(1)
    assert issue is not None

    payloads = render_thread(issue_thread(issue, "ko"))

    assert len(payloads) == 1 + len(issue.sections) + 1  # parent, sections, useful links
    for payload in payloads:
        assert block_errors(payload["blocks"]) == []
        assert all(len(t) <= 3000 for t in texts(payload))
        assert all(p["unfurl_links"] is False for p in payloads)


_STYLES = st.sampled_from(list(Style))
_SPANS = st.builds(Span, st.text(), _STYLES, st.one_of(st.none(), st.text(), st.just("https://e")))


@given(st.lists(st.lists(_SPANS, min_size=1, max_size=4), min_size=1, max_size=5), st.text())
def test_no_text_can_open_a_slack_control_sequence(spans: list[list[Span]], title: str) -> None:
    lines = tuple(Line(tuple(line)) for line in spans)
    message = Message((Block(lines),), title=title or None)

    for payload in render_message(message):
        assert "<" not in payload["text"] and ">" not in payload["text"]
        for block in payload.get("blocks", []):
            leaf = block["text"]["text"]
            assert 0 < len(leaf) <= (150 if block["type"] == "header" else 3000)
            # the only "<" left open our own links: <https://…|…> or <https://…>
            assert re.sub(r"<https://e(\|[^<>]*)?>", "", leaf).count("<") == 0
            assert ">" not in re.sub(r"<https://e(\|[^<>]*)?>", "", leaf)
