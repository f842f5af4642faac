"""The composition root: `build` wires settings → content, store, core service, delivery
(`build.py`); `run`, `post` and `site` start what was built (`run.py`). Imported by nothing but
the CLI (an import-linter contract)."""

from bot.app.build import (
    PACE_SCALE_ENV,
    RATE_LIMITS,
    App,
    build,
    delivery_channels,
    delivery_lock,
    open_store,
    rate_limits,
    resolve,
    schedule_of,
)
from bot.app.replica import Replica, scheduler
from bot.app.run import (
    build_platforms,
    post,
    run,
    site,
    started,
    stop_signals,
    web_archive,
)

__all__ = [
    "PACE_SCALE_ENV", "RATE_LIMITS", "App", "Replica", "build", "build_platforms",
    "delivery_channels", "delivery_lock", "open_store", "post", "rate_limits", "resolve", "run",
    "schedule_of",
    "scheduler", "site", "started", "stop_signals", "web_archive",
]  # fmt: skip
