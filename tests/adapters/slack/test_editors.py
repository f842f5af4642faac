"""The editors on Slack (issue 24): `/briefing test N` reaches only the asker's DM, marked, with
nothing in the ledger; with approval on, the issue is held from the channel until the test
send's approve button (an actions block) is pressed by an editor. slack-bolt and slack-sdk
against the fake Web API, signed requests in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.store.tinydb.approvals import Approvals as TinyApprovals
from bot.store.tinydb.snapshot import Store
from tests.content.issue_files import content_copy, second_issue
from tests.fakes.slack_api import FakeSlackAPI, Posted, block_actions
from tests.support.slack import Harness, buttons, make_app, open_slack
from tests.support.wait import until

MARK = "시험 발송 · 아직 독자에게 보내지 않았습니다"
PAST = "publish_at = 2024-01-01T08:30:00+09:00\n"


def folder_with(tmp_path: Path, front: str) -> Path:
    folder = content_copy(tmp_path)
    (folder / "issues" / "0002.md").write_text(second_issue(front), encoding="utf-8")
    return folder


@pytest.fixture
async def editors_fake(fake: FakeSlackAPI) -> FakeSlackAPI:
    fake.add_user("U3")  # the editor
    return fake


async def answer(h: Harness, text: str, user: str) -> str:
    url = await h.command("/briefing", text, user_id=user)
    await until(lambda: h.fake.responses(url))
    return str(h.fake.responses(url)[0].get("text"))


def shown(message: Posted) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + (message.text or "")


@pytest.fixture
async def draft(tmp_path: Path, editors_fake: FakeSlackAPI) -> AsyncIterator[Harness]:
    folder = folder_with(tmp_path, "draft = true\n")
    app = make_app(tmp_path, editors_fake, "http", content=folder, editors=["slack:U3"])
    async with open_slack(app, editors_fake) as h:
        yield h


async def test_a_test_send_of_a_draft_reaches_only_the_askers_dm_marked(draft: Harness) -> None:
    said = await answer(draft, "test 2", "U3")
    assert "제 2호 시험 발송을 DM으로 보냈습니다" in said
    dm = draft.fake.dm_channel("U3")
    assert dm is not None
    sent = draft.fake.messages(dm)
    parent = sent[0]
    assert MARK in shown(parent) and "제 0002호" in shown(parent)
    assert len(sent) >= 2 and all(m.thread_ts == parent.ts for m in sent[1:])
    assert buttons({"blocks": parent.blocks}, "approve") == []  # approval is off
    assert len(buttons({"blocks": parent.blocks}, "vote")) == 2  # as a reader gets it: 👍/👎
    assert draft.fake.messages("C1") == [] and draft.fake.dm_channel("U1") is None
    ledger = draft.app.store.ledger
    assert ledger.parts(2, "slack:dm:U3") == {} and ledger.released_at(2) is None
    assert ledger.started("slack:dm:U3") == [] and not ledger.is_done(2, "slack:dm:U3")


async def test_a_reader_is_told_who_may_test(draft: Harness) -> None:
    said = await answer(draft, "test 2", "U1")
    assert "편집자와 관리자만" in said and draft.fake.dm_channel("U1") is None


async def test_approval_on_holds_the_issue_until_the_approve_button_is_pressed(
    tmp_path: Path, editors_fake: FakeSlackAPI
) -> None:
    store = Store.open(tmp_path / "d.json")  # approval switched on in 2020: issue 2 needs it
    await TinyApprovals(store).require_since(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    await store.close()
    folder = folder_with(tmp_path, PAST)
    app = make_app(
        tmp_path, editors_fake, "http", content=folder, editors=["slack:U3"],
        require_approval=True,
    )  # fmt: skip
    async with open_slack(app, editors_fake) as h:
        await h.app.engine.deliver()
        assert h.app.live.current.archive.numbers == (1,)
        assert not any("0002" in shown(m) for m in h.fake.messages("C1"))
        assert "승인 대기 중" in await answer(h, "status 2", "U3")

        assert "시험 발송" in await answer(h, "test 2", "U3")
        dm = h.fake.dm_channel("U3")
        assert dm is not None
        parent = next(m for m in h.fake.messages(dm) if MARK in shown(m))
        [button] = buttons({"blocks": parent.blocks}, "approve")
        assert str(button["value"]).startswith("approve:2:")
        before = len(h.fake.messages(dm))
        url = h.fake.response_url()
        pressed = block_actions(button, url, user="U3", channel=dm)
        status, _ = await h.post(urlencode({"payload": json.dumps(pressed)}))
        assert status == 200
        await until(lambda: len(h.fake.messages(dm)) > before)
        assert "제 2호를 승인했습니다" in shown(h.fake.messages(dm)[-1])
        assert "slack:U3" in shown(h.fake.messages(dm)[-1])
        assert h.app.live.current.archive.numbers == (1, 2)
        await h.app.engine.deliver()
        assert any("0002" in shown(m) for m in h.fake.messages("C1"))
