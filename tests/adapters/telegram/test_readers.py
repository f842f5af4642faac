"""Deep links and the glossary links of threads, through the real PTB against the fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import PACE_SCALE_ENV
from tests.support.telegram import PRIVATE_CHAT, USER, Harness, command, open_harness

DEEP = "https://t.me/newsbot?start="


async def test_a_term_deep_link_answers_that_term(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/start term-np-hard"))
    [sent] = await harness.answers(USER)
    assert sent.plain_text.startswith("NP-hard\n")


async def test_an_unknown_slug_and_a_64_character_payload_get_did_you_mean(
    harness: Harness,
) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/start term-np-hadr"))
    harness.fake.push_update(command(PRIVATE_CHAT, 12, "/start term-" + "q" * 59))
    miss, long = await harness.answers(USER, 2)
    assert "혹시 이 용어인가요?" in miss.plain_text and "NP-hard" in miss.plain_text
    assert "용어집에 없습니다" in long.plain_text


async def test_an_issue_deep_link_sends_the_issue_as_a_thread(harness: Harness) -> None:
    harness.fake.push_update(command(PRIVATE_CHAT, 11, "/start issue-1"))
    sent = await harness.answers(USER, 2)
    assert "0001" in sent[0].plain_text.split("\n")[0]
    assert sent[1].reply_to == sent[0].message_id


async def test_a_delivered_thread_links_each_trivia_to_a_working_deep_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PACE_SCALE_ENV, "1000")
    async with open_harness(tmp_path, monkeypatch) as h:
        h.fake.add_chat(USER, "private")
        await h.app.store.subscriptions.subscribe("telegram", str(USER), str(USER))
        report = await h.app.engine.deliver(1)
        assert report.failed == 0 and report.sent > 1
        links = [
            e["url"]
            for sent in h.fake.messages(USER)
            for e in sent.entities
            if e["type"] == "text_link" and e["url"].startswith(DEEP)
        ]
        assert len(links) == 4 and f"{DEEP}term-np-hard" in links
        before = len(h.fake.messages(USER))
        for n, url in enumerate(links):
            h.fake.push_update(command(PRIVATE_CHAT, 100 + n, "/start " + url.removeprefix(DEEP)))
        answers = (await h.answers(USER, before + 4))[before:]
        assert all("용어집에 없습니다" not in a.plain_text for a in answers)
        assert "NP-hard" in [a.plain_text.split("\n")[0] for a in answers]
