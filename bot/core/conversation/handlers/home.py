"""A platform's home screen (Slack's App Home): what it shows one reader."""

from __future__ import annotations

from bot.core.conversation.context import Context
from bot.core.conversation.destinations import dm_key
from bot.core.conversation.inbound import HomeState
from bot.core.conversation.sections import section_names

HOME_RECENT = 10  # issues listed on a home screen


async def home_state(ctx: Context, notice: str = "") -> HomeState:
    """What the reader's home screen shows, in their language; `notice` is the answer to the
    change they just made there."""
    platform, user = ctx.command.platform, ctx.command.user
    subscribed = await ctx.ports.subscriptions.is_subscribed(platform, user)
    archive = ctx.content.archive
    recent = tuple(reversed(archive.entries[-HOME_RECENT:]))
    policy = ctx.ports.policy
    key = dm_key(platform, user)
    timing = await policy.timing(key) if policy else None
    muted = (await policy.store.settings(key)).muted if policy else ()
    names = section_names(archive) if policy else ()
    return HomeState(archive.latest, subscribed, ctx.language, recent, timing, notice, names, muted)
