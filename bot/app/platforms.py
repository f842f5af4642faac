"""The platforms, one line each: everything below loops over `PLATFORMS` and never names one.
Adding a platform is its adapter package (with a `descriptor.py`, see
`bot.adapters.infra.descriptor`), one line here, its dependency and its import-linter entries.

`Settings` is composed from the list: `[bot]`, `[schedule]`, `[web]`, and each platform's own
section (`[console]`, `[telegram]`, `[slack]`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import config
from bot.adapters.console.descriptor import CONSOLE
from bot.adapters.infra.descriptor import PlatformDescriptor
from bot.adapters.infra.pacing import Limits
from bot.adapters.slack.descriptor import SLACK
from bot.adapters.telegram.descriptor import TELEGRAM
from bot.config import PlatformSection, settings_model
from bot.core.model.packing import Packing

# in the order they start (and `/stats` lists them)
PLATFORMS: tuple[PlatformDescriptor, ...] = (
    TELEGRAM,
    SLACK,
    CONSOLE,
)
Settings = settings_model({p.name: (p.section, p.secrets[1]) for p in PLATFORMS})
Platforms = Sequence[PlatformDescriptor]
Enabled = list[tuple[PlatformDescriptor, PlatformSection]]
# the limits of every platform with the default settings (tests and benchmarks pace with them)
RATE_LIMITS = {p.name: found for p in PLATFORMS if (found := p.limits(p.section())) is not None}


def named(name: str, platforms: Platforms = PLATFORMS) -> PlatformDescriptor:
    return next(p for p in platforms if p.name == name)


def sections(settings: config.Settings, platforms: Platforms = PLATFORMS) -> Enabled:
    """Each platform with its section."""
    return [(p, settings.section(p.name)) for p in platforms]


def enabled(settings: config.Settings, platforms: Platforms = PLATFORMS) -> Enabled:
    """The enabled platforms, each with its section."""
    return [(p, section) for p, section in sections(settings, platforms) if section.enabled]


def delivery_channels(
    settings: config.Settings, platforms: Platforms = PLATFORMS
) -> dict[str, list[str]]:
    """The enabled platforms and their configured channels (the console has none: its
    destination is its subscriber)."""
    return {p.name: p.channels(section) for p, section in enabled(settings, platforms)}


def rate_limits(settings: config.Settings, platforms: Platforms = PLATFORMS) -> dict[str, Limits]:
    """Per platform, the limits the pacer keeps to (Telegram's depend on paid broadcast)."""
    found = {p.name: p.limits(section) for p, section in sections(settings, platforms)}
    return {name: limits for name, limits in found.items() if limits is not None}


def delivery_concurrency(
    settings: config.Settings, platforms: Platforms = PLATFORMS
) -> dict[str, int]:
    """Destinations delivered at once, per platform (the pacer keeps each within its limits)."""
    return {p.name: p.concurrency(section) for p, section in sections(settings, platforms)}


def delivery_packing(
    settings: config.Settings, platforms: Platforms = PLATFORMS
) -> dict[str, Packing]:
    """Per platform, the size budget that packs a thread's sections and where it applies."""
    found = {p.name: p.packing(section) for p, section in sections(settings, platforms)}
    return {name: packing for name, packing in found.items() if packing is not None}


def shared_web_port(
    settings: config.Settings, platforms: Platforms = PLATFORMS
) -> tuple[str, str] | None:
    """The platform whose HTTP port the web archive shares, if `[web] port` is one (and the web
    is on): its name and its key (`"[slack] http_port"`)."""
    if not settings.web.enabled:
        return None
    for platform, section in enabled(settings, platforms):
        port = platform.http_port(section)
        if port is not None and port[1] == settings.web.port:
            return platform.name, f"[{platform.name}] {port[0]}"
    return None
