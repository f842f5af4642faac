"""`[slack] install = "oauth"`: bolt's OAuth flow, set up. bolt serves `GET /slack/install`
(the "Add to Slack" page, with a state cookie) and `GET /slack/oauth_redirect` (checks the
state — missing, forged, reused or expired is refused — then `oauth.v2.access` and saves the
installation); our part is the stores (`installations.py`), the pages after it and
`installed`, told of each new workspace (the configured channels it sees are its: `pinned.py`).

The authorize URL follows `[slack] api_url` (`https://slack.com/api/` →
`https://slack.com/oauth/v2/authorize`), so a local fake Slack serves both.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse

from bot.adapters.slack.oauth.installations import StoreInstallations, StoreStates, key_of
from bot.core.i18n import Language, t

log = logging.getLogger(__name__)
# What the bot needs, and no more (slack-manifest.yaml declares the same; a test checks).
BOT_SCOPES = (  # as slack-manifest.yaml declares them (its test compares the two)
    "chat:write", "commands", "im:write", "im:history", "app_mentions:read",
    "users:read", "channels:read", "groups:read", "reactions:read",
)  # fmt: skip
STATE_SECONDS = 600
PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>{title}</h1><p>{body}</p></body></html>"""


def authorize_url(api_url: str) -> str:
    base = api_url.rstrip("/").removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


def page(language: Language, title: str, body: str, status: int) -> BoltResponse:
    text = PAGE.format(lang=language, title=html.escape(title), body=html.escape(body))
    return BoltResponse(
        status=status, body=text, headers={"Content-Type": "text/html; charset=utf-8"}
    )


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    redirect_url: str,
    api_url: str,
    installations: StoreInstallations,
    language: Language,
    installed: Callable[[str], Awaitable[None]] | None = None,
) -> AsyncOAuthSettings:
    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        log.info(
            "slack: installed in workspace %s (%s)", key_of(installation), installation.team_name
        )
        if installed is not None:
            try:
                await installed(key_of(installation))
            except Exception:  # the install itself succeeded: its page says so
                log.exception("slack: after installing in %s", key_of(installation))
        body = t(language, "slack_installed_next", team=installation.team_name or "Slack")
        return page(language, t(language, "slack_installed"), body, 200)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        log.warning("slack: an install was refused (%s)", args.reason)
        body = t(language, "slack_install_failed_why", reason=args.reason)
        return page(language, t(language, "slack_install_failed"), body, args.suggested_status_code)

    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=redirect_url or None,
        authorization_url=authorize_url(api_url),
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=StoreStates(installations.store, STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=AsyncCallbackOptions(success=success, failure=failure),
        logger=logging.getLogger("slack_bolt.oauth"),
    )
