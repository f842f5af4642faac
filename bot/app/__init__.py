"""The composition root: `PLATFORMS` and the `Settings` composed from them (`platforms.py`);
`build` wires settings → content, store, core service, delivery (`build.py`); `run`, `post`,
`converse` and `site` start what was built (`run.py`), the leader's duties in turn with other
replicas (`replica.py`). Imported by nothing but the CLI (an import-linter contract)."""

from bot.app.build import PACE_SCALE_ENV, Bot, Storage, build, open_backend, resolve, schedule_of
from bot.app.platforms import (
    PLATFORMS,
    RATE_LIMITS,
    Settings,
    delivery_channels,
    delivery_concurrency,
    delivery_packing,
    enabled,
    named,
    rate_limits,
)
from bot.app.replica import Duties, Replica, scheduler
from bot.app.run import (
    build_platforms,
    converse,
    correct,
    post,
    preview_of,
    run,
    site,
    started,
    stop_signals,
    web_archive,
)

__all__ = [
    "PACE_SCALE_ENV", "PLATFORMS", "RATE_LIMITS", "Bot", "Duties", "Replica", "Settings",
    "Storage", "build", "build_platforms", "converse", "correct", "delivery_channels",
    "delivery_concurrency", "delivery_packing", "enabled", "named", "open_backend", "post",
    "preview_of", "rate_limits", "resolve", "run", "schedule_of", "scheduler", "site", "started",
    "stop_signals", "web_archive",
]  # fmt: skip
