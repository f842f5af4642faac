"""`[slack] channels` under `install = "oauth"`: each configured channel's workspace, found at
start-up, so that a delivery to it goes out with that workspace's token before any request has
come from there.

A channel the store does not place yet is looked up (`conversations.info`) with each installed
workspace's bot token in turn; the first workspace that sees it is its own (remembered, as a
request from it would be). Slack answers `channel_not_found` for another workspace's channel and
for a private channel the app is not in. `unplaced` returns the channels no installation sees,
which the platform refuses to start with. A channel whose lookups failed otherwise (a 429, a 5xx,
a token that would not rotate) is logged and left to the first request from its workspace.

With no installation at all (a first start: the install page has to be served), nothing is
looked up; each channel is placed when a workspace that sees it installs the app (`installed`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.oauth.workspaces import Workspaces
from bot.adapters.slack.send import FAILURES, GONE, LOST, error_code
from bot.core.errors import PlatformError, RecipientGone

log = logging.getLogger(__name__)
NOT_THERE = frozenset({"channel_not_found", *LOST})  # not in this workspace, or it has left


async def unplaced(
    channels: Sequence[str], workspaces: Workspaces, client: AsyncWebClient
) -> list[str]:
    """Place every configured channel in its workspace; those in none of the installed ones."""
    unknown = [chat for chat in channels if await workspaces.workspace_of(chat) is None]
    installed = await workspaces.store.workspaces()
    if unknown and not installed:
        log.warning(
            "slack: [slack] channels %s: no workspace has installed the app yet; each is placed "
            "when its workspace installs it", ", ".join(unknown),
        )  # fmt: skip
        return []
    nowhere = []
    for chat in unknown:
        if await _place(chat, installed, workspaces, client) is False:
            nowhere.append(chat)
    return nowhere


async def installed(
    workspace: str, channels: Sequence[str], workspaces: Workspaces, client: AsyncWebClient
) -> None:
    """`workspace` has just installed the app: the configured channels not placed yet that it
    sees are its own."""
    for chat in channels:
        if await workspaces.workspace_of(chat) is None:
            await _place(chat, [workspace], workspaces, client)


async def _place(
    chat: str, candidates: Sequence[str], workspaces: Workspaces, client: AsyncWebClient
) -> bool | None:
    """True once placed; False if every candidate said it is not there; None if unsure."""
    unsure = False
    for workspace in candidates:
        seen = await _sees(chat, workspace, workspaces, client)
        if seen:
            await workspaces.remember(chat, workspace)
            log.info("slack: [slack] channels: %s is in workspace %s", chat, workspace)
            return True
        unsure = unsure or seen is None
    return None if unsure else False


async def _sees(
    chat: str, workspace: str, workspaces: Workspaces, client: AsyncWebClient
) -> bool | None:
    """Whether `workspace` sees `chat` (None: Slack could not tell us)."""
    try:
        token = await workspaces.token_of(workspace)
        response = await client.conversations_info(channel=chat, token=token)
    except SlackApiError as exc:
        code = error_code(exc)
        if code in NOT_THERE:
            return False
        log.warning("slack: cannot tell whether %s is in workspace %s (%s)", chat, workspace, code)
        return None
    except RecipientGone:  # it left meanwhile
        return False
    except (*FAILURES, PlatformError) as exc:
        log.warning("slack: cannot tell whether %s is in workspace %s: %s", chat, workspace, exc)
        return None
    found = response.get("channel") or {}
    if isinstance(found, dict) and found.get("is_member") is False:
        log.warning("slack: the app is not in %s: %s", chat, GONE["not_in_channel"])
    return True
