"""`briefing-bot correct N` as a real subprocess against the fake Telegram Bot API: killed with
SIGKILL in the middle of a correction, then run again, every changed part is edited exactly
once (none twice, none missed); `--dry-run` lists the changed parts and edits nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support.corrections import change_word, editable_content
from tests.support.processes import (
    CHATS,
    ENV,
    PARTS,
    Post,
    hold_rounds,
    on_postgres,
    telegram_config,
)

CHANGES = [("자랑만", "자랑을"), ("ICSE 2019", "ICSE 2020"), ("MNIST reborn", "MNIST reborn!"),
           ("갑질을", "갑질도")]  # fmt: skip  # four sections: four parts of each thread


@pytest.fixture(params=["tinydb", "postgres"])
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "postgres":
        return on_postgres(request.getfixturevalue("database_url"))
    return ENV


@pytest.fixture
async def config(tmp_path: Path, telegram: FakeTelegramAPI, env: dict[str, str]) -> Path:
    """Issue 1 delivered (one reply per section) to the group and the reader, then four of its
    sections changed on disk."""
    path = await telegram_config(tmp_path, telegram, "none")
    content = editable_content(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('content_dir = "', f'content_dir = "{content}" # "', 1))
    code, out, err = await (await Post(path, env=env).start()).finish(within=30)
    assert code == 0 and f"sent {2 * PARTS}" in out, err
    for old, new in CHANGES:
        change_word(content, old, new)
    return path


def edits(telegram: FakeTelegramAPI) -> list[int]:
    return sorted(m.edits for chat in CHATS for m in telegram.messages(chat))


async def test_dry_run_lists_the_changed_parts_and_edits_nothing(
    telegram: FakeTelegramAPI, config: Path, env: dict[str, str]
) -> None:
    code, out, err = await (await Post(config, "correct", env=env, args=("1", "--dry-run"))
                            .start()).finish(within=30)  # fmt: skip
    assert code == 0, err
    changed = [line for line in out.splitlines() if ": changed, " in line]
    assert len(changed) == len(CHANGES)
    assert all(line.endswith("2 copies to edit") for line in changed)
    assert "would edit 8" in out
    assert telegram.calls_to("editMessageText") == []


@pytest.mark.parametrize("rounds", [0, 2])
async def test_sigkill_mid_correction_then_again_edits_each_changed_part_once(
    telegram: FakeTelegramAPI, config: Path, rounds: int, env: dict[str, str]
) -> None:
    """Every edit is held; `rounds` rounds of both destinations' edits go through, then the
    process is killed with the next edit of each in flight (it never reaches the chat)."""
    telegram.fail_next(None, "timeout", count=2 * (rounds + 1), method="editMessageText")
    first = await Post(config, "correct", env=env, args=("1",)).start()
    try:
        await hold_rounds(rounds, lambda: len(telegram.calls_to("editMessageText")),
                          telegram.release_hung, width=len(CHATS))  # fmt: skip
        await first.kill()
        telegram.release_hung(process=False)  # the edits in flight die with the process
        assert edits(telegram).count(1) == 2 * rounds
        code, out, err = await (await Post(config, "correct", env=env, args=("1",))
                                .start()).finish(within=30)  # fmt: skip
        assert code == 0, err
        assert f"edited {2 * (len(CHANGES) - rounds)}," in out
    finally:
        await first.kill()
    assert edits(telegram).count(1) == 2 * len(CHANGES)  # every changed part, once
    assert set(edits(telegram)) == {0, 1}  # none twice
    for chat in CHATS:
        texts = " ".join(m.plain_text for m in telegram.messages(chat))
        assert all(new in texts for _, new in CHANGES) and "자랑만" not in texts
        assert len(telegram.messages(chat)) == PARTS
