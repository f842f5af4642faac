"""Telegram inline mode through the real PTB against the fake: `@newsbot <query>` in any chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.content.issue_files import content_copy, second_issue
from tests.fakes.telegram_api import InlineAnswer
from tests.support.telegram import Harness, open_harness


async def ask(h: Harness, text: str, offset: str = "") -> InlineAnswer:
    query = h.fake.inline_query(text, offset=offset)
    await h.fake.wait_for_calls("answerInlineQuery", len(h.fake.inline_answers) + 1, 10)
    return h.fake.inline_answers[query]


def ids(answer: InlineAnswer) -> list[str]:
    return [str(result["id"]) for result in answer.results]


def well_formed(answer: InlineAnswer) -> None:
    """What every answer keeps to (the fake parsed each message_text as Telegram HTML)."""
    assert len(answer.results) <= 20 and answer.cache_time == 300 and answer.is_personal
    for result in answer.results:
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML" and result["title"] and result["description"]
    assert all(0 < len(text) <= 4096 for text in answer.plain_texts)


async def test_a_term_is_the_first_result_and_posts_its_entry(harness: Harness) -> None:
    answer = await ask(harness, "NP-hard")
    well_formed(answer)
    assert ids(answer)[0] == "term:np-hard"
    first = answer.results[0]
    assert first["title"] == "NP-hard" and "NP-complete" in first["description"]
    assert answer.plain_texts[0].startswith("NP-hard\n")
    assert "at least as difficult as NP-complete" in answer.plain_texts[0]
    assert any(i.startswith("item:1:") for i in ids(answer))  # the item it appeared in
    assert answer.next_offset == ""


async def test_a_korean_alias_finds_its_term(harness: Harness) -> None:
    answer = await ask(harness, "프리트레이닝")
    well_formed(answer)
    assert ids(answer)[0] == "term:pre-training"
    assert answer.results[0]["title"] == "pre-training"


async def test_a_typo_offers_the_did_you_mean_terms(harness: Harness) -> None:
    answer = await ask(harness, "NP-hadr")
    well_formed(answer)
    assert ids(answer) == ["term:np-hard"]


async def test_an_empty_query_offers_the_latest_issue_and_a_few_terms(harness: Harness) -> None:
    answer = await ask(harness, "")
    well_formed(answer)
    assert ids(answer)[0] == "issue:1"
    assert answer.plain_texts[0].startswith("제 0001호 뉴랄브리핑")
    assert 1 <= sum(i.startswith("term:") for i in ids(answer)) <= 5


@pytest.mark.parametrize(
    "markup",
    [
        ('<b>EfficientNet</b> <a href="javascript:x">&amp;</i><tg-spoiler>' * 8)[:256],
        ("<" * 128 + "&" * 64 + ">" * 64),
        ("<i>e</i>\u202e\x00" * 40)[:256],
    ],
)
async def test_256_characters_of_markup_are_answered_as_escaped_html(
    harness: Harness, markup: str
) -> None:
    assert len(markup) == 256
    answer = await ask(harness, markup)
    well_formed(answer)  # every message_text parsed as Telegram HTML within 4,096


@pytest.fixture
async def three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    folder = content_copy(tmp_path)
    for number in (2, 3):
        issue = second_issue(number=number)
        (folder / "issues" / f"{number:04d}.md").write_text(issue, encoding="utf-8")
    async with open_harness(tmp_path, monkeypatch, content=folder) as h:
        yield h


async def test_results_come_a_page_at_a_time(three: Harness) -> None:
    pages = [await ask(three, "e")]
    while pages[-1].next_offset:
        pages.append(await ask(three, "e", pages[-1].next_offset))
    for page in pages:
        well_formed(page)
    seen = [i for page in pages for i in ids(page)]
    assert len(pages) >= 2 and len(pages[0].results) == 20
    assert len(seen) == len(set(seen)) == 36  # 12 items in each of three issues, each once
    assert seen[0].startswith("item:3:")  # newest first
    assert (await ask(three, "e", "forged")).results == pages[0].results


async def test_an_english_reader_gets_english_answers(harness: Harness) -> None:
    """Inline answers are in the typing reader's language (their app's `language_code` here)."""
    query = harness.fake.inline_query("NP-hadr", language="en")
    await harness.fake.wait_for_calls("answerInlineQuery", len(harness.fake.inline_answers) + 1)
    answer = harness.fake.inline_answers[query]
    well_formed(answer)
    assert [r["title"] for r in answer.results] == ["Did you mean: NP-hard"]
    assert "First appeared: issue 1" in answer.plain_texts[0]
    korean = await ask(harness, "NP-hadr")
    assert [r["title"] for r in korean.results] == ["혹시 이 용어인가요? NP-hard"]
