"""The installations port (Slack workspaces and their chats) on both backends: one contract."""

from __future__ import annotations

from tests.support.stores import Opener

RECORD = {"team_id": "T1", "bot_token": "xoxb-1", "installed_at": 1700000000.5, "scopes": ["a"]}


async def test_a_saved_installation_is_found_after_a_restart(reopen: Opener) -> None:
    await reopen().installations.save("none-T1", RECORD)
    again = reopen().installations
    assert await again.find("none-T1") == RECORD
    assert await again.find("none-T2") is None
    assert await again.workspaces() == ["none-T1"]


async def test_saving_again_replaces_the_record(reopen: Opener) -> None:
    installations = reopen().installations
    await installations.save("none-T1", RECORD)
    await installations.save("none-T1", {**RECORD, "bot_token": "xoxb-2"})
    found = await reopen().installations.find("none-T1")
    assert found is not None and found["bot_token"] == "xoxb-2"


async def test_delete_removes_once(reopen: Opener) -> None:
    installations = reopen().installations
    await installations.save("none-T1", RECORD)
    await installations.save("none-T2", {**RECORD, "team_id": "T2"})
    assert await installations.delete("none-T1") is True
    assert await installations.delete("none-T1") is False
    assert await reopen().installations.workspaces() == ["none-T2"]


async def test_chats_know_their_workspace_until_it_leaves(reopen: Opener) -> None:
    installations = reopen().installations
    await installations.remember_chat("C1", "none-T1")
    await installations.remember_chat("D1", "none-T1")
    await installations.remember_chat("C2", "none-T2")
    await installations.remember_chat("C1", "none-T1")  # again: no change
    again = reopen().installations
    assert await again.workspace_of("C1") == "none-T1"
    assert await again.workspace_of("C9") is None
    assert await again.forget_chats("none-T1") == ["C1", "D1"]
    assert await again.forget_chats("none-T1") == []
    assert await reopen().installations.workspace_of("C2") == "none-T2"
    assert await reopen().installations.workspace_of("D1") is None


async def test_an_oauth_state_is_consumed_once(reopen: Opener) -> None:
    await reopen().installations.issue_state("s1", 1700000600.5)
    again = reopen().installations
    assert await again.consume_state("s1") == 1700000600.5
    assert await again.consume_state("s1") is None
    assert await again.consume_state("never") is None
