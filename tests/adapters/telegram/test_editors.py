"""The editors on Telegram (issue 24): a test send of a draft reaches only the asker, marked, in
their DM, with nothing in the ledger; with approval on, an unapproved issue is held at its time
(the editors told once), the test send's approve button releases it, and a change to the file
after approval withdraws it (the editors told once). The real PTB against the fake Bot API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.ports import DestinationSettings
from bot.store.backend import open_tinydb
from bot.store.postgres.backend import open_postgres
from tests.content.issue_files import content_copy, second_issue
from tests.fakes.telegram_api import SentMessage
from tests.support.telegram import (
    ADMIN,
    GROUP,
    GROUP_CHAT,
    STRANGER,
    USER,
    Harness,
    command,
    open_harness,
    private,
)
from tests.support.wait import until

EDITOR = 5550009
MARK = "시험 발송 · 아직 독자에게 보내지 않았습니다"
PAST = "publish_at = 2024-01-01T08:30:00+09:00\n"  # due long ago (after approval was required)


def folder_with(tmp_path: Path, front: str) -> Path:
    folder = content_copy(tmp_path)
    (folder / "issues" / "0002.md").write_text(second_issue(front), encoding="utf-8")
    return folder


async def approval_required_since_2020(tmp_path: Path, database_url: str = "") -> None:
    """As if approval had been switched on in 2020: issue 1 (2019) is out, issue 2 (due 2024)
    needs it; in the tinydb file, or in PostgreSQL when `database_url` is given."""
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    backend = open_postgres(database_url) if database_url else open_tinydb(tmp_path / "d.json")
    await backend.approvals.require_since(since)
    await backend.close()


def editors(**extra: object) -> dict[str, object]:
    return {"bot": {"editors": [f"telegram:{EDITOR}"], **extra}}


async def with_reader(h: Harness) -> None:
    """USER subscribed; the group and the editor's private chat known to the fake."""
    h.fake.add_chat(EDITOR, "private")
    h.fake.add_chat(USER, "private")
    h.fake.add_chat(GROUP, "supergroup")
    await h.app.store.subscriptions.subscribe("telegram", str(USER), str(USER))


def thread_in(h: Harness, chat: int) -> list[SentMessage]:
    return [m for m in h.fake.messages(chat) if "0002" in m.plain_text or m.reply_to]


async def test_a_test_send_of_a_draft_reaches_only_the_asker_marked_in_their_dm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path, "draft = true\n")
    async with open_harness(tmp_path, monkeypatch, content=folder, **editors()) as h:
        await with_reader(h)
        h.fake.push_update(command(GROUP_CHAT, 21, "/test 2", user=EDITOR))  # asked in a group
        [said] = await h.answers(GROUP)
        sent = h.fake.messages(EDITOR)
        assert "제 2호 시험 발송을 DM으로 보냈습니다" in said.plain_text
        parent = sent[0]
        assert MARK in parent.plain_text and "제 0002호" in parent.plain_text.split("\n")[0]
        assert all(m.reply_to == parent.message_id for m in sent[1:]) and len(sent) >= 2
        assert len(sent) == int(said.plain_text.split("메시지 ")[1].split("개")[0])
        kinds = [str(b["callback_data"]).partition(":")[0] for b in parent.buttons()]
        assert kinds == ["vote", "vote"]  # a reader's 👍/👎; approval is off: no approve button
        assert h.fake.messages(USER) == [] and h.fake.messages(ADMIN) == []
        ledger = h.app.store.ledger
        key = f"telegram:dm:{EDITOR}"
        assert ledger.parts(2, key) == {} and not ledger.is_done(2, key)
        assert ledger.released_at(2) is None and ledger.started(key) == []
        assert 2 not in h.app.live.current.archive.numbers  # still a draft, still unreleased


async def test_the_default_is_the_next_issue_to_be_released_in_the_askers_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path, "publish_at = 2099-01-01T08:30:00+09:00\n")
    async with open_harness(tmp_path, monkeypatch, content=folder, **editors()) as h:
        await with_reader(h)
        update = command(private(EDITOR), 22, "/test", user=EDITOR)
        update["message"]["from"]["language_code"] = "en"
        h.fake.push_update(update)
        sent = await h.answers(EDITOR, 2)
        assert "Test send · not sent to readers yet" in sent[0].plain_text
        assert "0002" in sent[0].plain_text.split("\n")[0]
        await until(lambda: any("Test send of issue 2" in m.plain_text
                                for m in h.fake.messages(EDITOR)))  # fmt: skip
        assert h.fake.messages(USER) == []


async def test_a_reader_may_not_test_and_is_told_who_may(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_harness(tmp_path, monkeypatch, **editors()) as h:
        h.fake.add_chat(STRANGER, "private")
        h.fake.push_update(command(private(STRANGER), 23, "/test 1", user=STRANGER))
        [said] = await h.answers(STRANGER)
        assert "편집자와 관리자만" in said.plain_text and len(h.fake.messages(STRANGER)) == 1


async def test_content_with_problems_answers_with_its_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path, "draft = true\n")
    async with open_harness(tmp_path, monkeypatch, content=folder, **editors()) as h:
        await with_reader(h)
        (folder / "issues" / "0002.md").write_text("+++\nnumber = 2\n+++\n", encoding="utf-8")
        h.fake.push_update(command(private(EDITOR), 24, "/test 2", user=EDITOR))
        [said] = await h.answers(EDITOR)
        assert "콘텐츠에 문제가 있습니다" in said.plain_text and "0002.md:" in said.plain_text
        assert MARK not in said.plain_text


async def press(h: Harness, message: SentMessage, data: str, user: int) -> dict[str, object]:
    query = h.fake.press(message, data, user=user)
    await h.fake.wait_for_calls("answerCallbackQuery", len(h.fake.callback_answers) + 1, 10)
    return h.fake.callback_answers[query]


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_approval_holds_an_issue_at_its_time_until_the_test_sends_button_is_pressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("database_url") if backend == "postgres" else ""
    if url:
        monkeypatch.setenv("DATABASE_URL", url)
    await approval_required_since_2020(tmp_path, url)
    folder = folder_with(tmp_path, PAST)
    async with open_harness(
        tmp_path, monkeypatch, content=folder, **editors(require_approval=True)
    ) as h:
        await with_reader(h)
        assert h.app.live.current.archive.numbers == (1,)  # due, but held
        await h.app.engine.deliver()
        assert not any("0002" in m.plain_text for m in h.fake.messages(USER))
        held = [m for m in h.fake.messages(EDITOR) if "보류" in m.plain_text or "⏸" in m.plain_text]
        assert len(held) == 1 and "제 2호" in held[0].plain_text
        assert len([m for m in h.fake.messages(ADMIN) if "⏸" in m.plain_text]) == 1
        await h.app.engine.deliver()  # held still: told once
        assert len([m for m in h.fake.messages(EDITOR) if "⏸" in m.plain_text]) == 1

        before = len(h.fake.messages(EDITOR))
        h.fake.push_update(command(private(EDITOR), 31, "/briefing status 2", user=EDITOR))
        status = (await h.answers(EDITOR, before + 1))[-1]
        assert "승인 대기 중" in status.plain_text and "보류" in status.plain_text

        h.fake.push_update(command(private(EDITOR), 32, "/test 2", user=EDITOR))
        await until(lambda: any(MARK in m.plain_text for m in h.fake.messages(EDITOR)))
        parent = next(m for m in h.fake.messages(EDITOR) if MARK in m.plain_text)
        [button] = [b for b in parent.buttons() if str(b["callback_data"]).startswith("approve")]
        assert button["text"] == "✅ 승인" and str(button["callback_data"]).startswith("approve:2:")
        forged = await press(h, parent, "approve:2:" + "0" * 16, EDITOR)
        assert "바뀌었습니다" in str(forged["text"])  # another content's button approves nothing
        refused = await press(h, parent, str(button["callback_data"]), STRANGER)
        assert "편집자와 관리자만" in str(refused["text"])
        assert h.app.live.current.archive.numbers == (1,)

        before = len(h.fake.messages(EDITOR))
        await press(h, parent, str(button["callback_data"]), EDITOR)
        approved = (await h.answers(EDITOR, before + 1))[-1]
        assert "제 2호를 승인했습니다" in approved.plain_text and f"telegram:{EDITOR}" in (
            approved.plain_text
        )
        assert h.app.live.current.archive.numbers == (1, 2)
        await h.app.engine.deliver()
        assert any("0002" in m.plain_text for m in h.fake.messages(USER))
        entry = h.app.live.loaded.archive.entry(2)
        assert entry is not None and h.app.store.approvals.approvals()[2].by == f"telegram:{EDITOR}"
        await h.app.store.close()  # PostgreSQL's pool, before the harness checks for tasks left


async def test_a_change_after_approval_withdraws_it_and_the_editors_are_told_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await approval_required_since_2020(tmp_path)
    folder = folder_with(tmp_path, "publish_at = 2099-01-01T08:30:00+09:00\n")
    async with open_harness(
        tmp_path, monkeypatch, content=folder, **editors(require_approval=True)
    ) as h:
        await with_reader(h)
        h.fake.push_update(command(private(EDITOR), 41, "/briefing approve 2", user=EDITOR))
        [approved] = await h.answers(EDITOR)
        assert "제 2호를 승인했습니다" in approved.plain_text
        entry = h.app.live.loaded.archive.entry(2)
        assert entry is not None and h.app.service.approvals is not None
        assert h.app.service.approvals.of(entry) is not None

        text = second_issue("publish_at = 2099-01-01T08:30:00+09:00\n").replace("첫 기사", "고침")
        (folder / "issues" / "0002.md").write_text(text, encoding="utf-8")
        assert await h.app.service.refresh_content()  # as the file watcher does
        assert await h.app.service.refresh_content()  # noticed again: told once all the same
        told = [m for m in h.fake.messages(EDITOR) if "철회" in m.plain_text]
        assert len(told) == 1 and "제 2호" in told[0].plain_text
        assert len([m for m in h.fake.messages(ADMIN) if "철회" in m.plain_text]) == 1
        h.fake.push_update(command(private(EDITOR), 42, "/briefing status 2", user=EDITOR))
        status = (await h.answers(EDITOR, len(h.fake.messages(EDITOR)) + 1))[-1]
        assert "승인 대기 중" in status.plain_text
        assert h.app.store.approvals.approvals() == {}


async def test_asked_in_a_korean_group_an_english_editor_gets_the_test_in_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_harness(tmp_path, monkeypatch, **editors()) as h:
        await with_reader(h)
        chosen = DestinationSettings(language="ko")
        await h.app.store.destinations.set_settings(f"telegram:{GROUP}", chosen)
        update = command(GROUP_CHAT, 51, "/test 1", user=EDITOR)
        update["message"]["from"]["language_code"] = "en"
        h.fake.push_update(update)
        [said] = await h.answers(GROUP)
        assert "제 1호 시험 발송을 DM으로 보냈습니다" in said.plain_text  # the group's language
        sent = h.fake.messages(EDITOR)
        assert "Test send · not sent to readers yet" in sent[0].plain_text  # the editor's own
        assert "Contents" in sent[0].plain_text


async def test_a_reload_after_a_change_withdraws_the_approval_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path, "publish_at = 2099-01-01T08:30:00+09:00\n")
    async with open_harness(
        tmp_path, monkeypatch, content=folder, **editors(require_approval=True)
    ) as h:
        await with_reader(h)
        h.fake.push_update(command(private(EDITOR), 61, "/briefing approve 2", user=EDITOR))
        await h.answers(EDITOR)
        text = second_issue("publish_at = 2099-01-01T08:30:00+09:00\n").replace("첫 기사", "고침")
        (folder / "issues" / "0002.md").write_text(text, encoding="utf-8")
        h.fake.push_update(command(private(ADMIN), 62, "/reload", user=ADMIN))
        await until(lambda: any("철회" in m.plain_text for m in h.fake.messages(EDITOR)))
        assert h.app.store.approvals.approvals() == {}
