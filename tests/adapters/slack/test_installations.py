"""slack_sdk's installation store interface on our store, on both backends: what bolt saves
comes back as the same `Installation` and `Bot`; a rotated bot replaces only the bot's fields;
deleting removes the workspace."""

from __future__ import annotations

import time

from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.adapters.slack.oauth.installations import StoreInstallations, StoreStates, workspace_key
from tests.support.stores import Opener


def installation(team: str = "T1", **extra: object) -> Installation:
    return Installation(
        app_id="A0001", team_id=team, team_name=f"Team {team}", user_id="UADMIN",
        bot_token=f"xoxb-{team}-1", bot_id=f"B{team}", bot_user_id=f"UBOT{team}",
        bot_scopes="chat:write,commands", bot_refresh_token=f"xoxe-{team}-1",
        bot_token_expires_in=43200, installed_at=1700000000.25, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_an_installation_round_trips_on_every_backend(reopen: Opener) -> None:
    await StoreInstallations(reopen().installations).async_save(installation())
    store = StoreInstallations(reopen().installations)
    found = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert vars(found) == vars(installation()) | {
        "bot_token_expires_at": found.bot_token_expires_at
    }
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_user_id) == ("xoxb-T1-1", "UBOTT1")
    assert bot.bot_scopes == ["chat:write", "commands"]
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert (
        await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="U9") is None
    )


async def test_a_rotated_bot_replaces_the_bot_fields_only(reopen: Opener) -> None:
    store = StoreInstallations(reopen().installations)
    await store.async_save(installation())
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    bot.bot_token, bot.bot_refresh_token = "xoxb-T1-2", "xoxe-T1-2"
    bot.bot_token_expires_at = int(time.time()) + 60
    await store.async_save_bot(bot)
    found = await StoreInstallations(reopen().installations).find(workspace_key(None, "T1"))
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == ("xoxb-T1-2", "xoxe-T1-2")
    assert found.bot_token_expires_at == bot.bot_token_expires_at
    assert (found.team_name, found.user_id) == ("Team T1", "UADMIN")


async def test_delete_all_removes_the_workspace(reopen: Opener) -> None:
    store = StoreInstallations(reopen().installations)
    await store.async_save(installation("T1"))
    await store.async_save(installation("T2"))
    await store.async_delete_all(enterprise_id=None, team_id="T1")
    assert await reopen().installations.workspaces() == ["none-T2"]


def test_workspace_keys_tell_orgs_from_teams() -> None:
    assert workspace_key(None, "T1") == "none-T1"
    assert workspace_key("E1", "T1") == "E1-T1"
    assert workspace_key("E1", "T1", is_enterprise_install=True) == "E1-none"


async def test_a_state_is_good_once_and_until_it_expires(reopen: Opener) -> None:
    now = [1000.0]
    states = StoreStates(reopen().installations, expires_in=600, clock=lambda: now[0])
    first, second = await states.async_issue(), await states.async_issue()
    assert first != second
    assert await states.async_consume(first) is True
    assert await states.async_consume(first) is False
    now[0] += 601
    assert await states.async_consume(second) is False
    assert await states.async_consume("") is False
