"""What a platform tells the composition root about itself: one descriptor per adapter package
(`bot/adapters/<platform>/descriptor.py`), and the root loops over the list of them
(`bot/app/platforms.py`), never naming one (errbot's backends, opsdroid's connectors).

A descriptor is read with the platform's own settings section (`[slack]`, ...): the root finds
it by the descriptor's `name` and hands it back, so a descriptor only ever sees its own. What
the root hands a platform when it builds it is `Wiring`: only what platforms use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.adapters.infra.pacing import Limits
from bot.core.delivery.ports import Pacer
from bot.core.model.messages import Thread
from bot.core.model.packing import Packing
from bot.core.ports import InboundClaims, Runnable, SubscriptionStore

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

    from bot.config import PlatformSection
    from bot.core.conversation.inbound import Conversation
    from bot.store.common import InstallationStore

CONCURRENCY = 64  # destinations in flight per platform, unless the platform says otherwise
# (platform, chats, why) → the chats whose opt-ins ended
Gone = Callable[[str, Collection[str], str], Awaitable[Collection[str]]]
Routes = Callable[[], Any]  # an aiohttp application whose routes a platform serves too


@dataclass(frozen=True)
class Wiring:
    """What the root hands a platform it builds (each takes what it uses)."""

    service: Conversation  # inbound commands go here
    pacer: Pacer  # the deliveries' own: command answers go through it too
    subscriptions: SubscriptionStore
    claims: InboundClaims | None = None  # an event answered once across replicas
    installations: InstallationStore | None = None  # workspaces that installed the app
    gone: Gone | None = None  # the bot left these chats: their opt-ins end
    # what its HTTP server serves too: /metrics, /livez, /readyz (and the web archive, when its
    # port is `[web] port`)
    routes: Routes | None = None


class PlatformDescriptor(Protocol):
    """A platform, as the composition root and the CLI see it. Methods take the platform's
    own section (`section`, an instance of its `section` model)."""

    @property
    def name(self) -> str:
        """Its name: the settings section, the prefix of its admins and destinations."""
        ...

    @property
    def section(self) -> type[PlatformSection]:
        """Its settings section (`enabled` and its own keys)."""
        ...

    @property
    def secrets(self) -> tuple[type[BaseSettings] | None, str]:
        """Its secrets model (read from the environment) and their variables, named in the
        warning about a secret written in the config file."""
        ...

    @property
    def in_terminal(self) -> bool:
        """It talks in this terminal (the console): `run` reads its input, and a `run` with
        nothing else enabled ends when that input does."""
        ...

    def channels(self, section: Any) -> list[str]:
        """Its configured channels, delivered every issue."""
        ...

    def limits(self, section: Any) -> Limits | None:
        """The rate limits the pacer keeps to (None: not paced)."""
        ...

    def concurrency(self, section: Any) -> int:
        """Destinations delivered at once (the pacer keeps each within its limits)."""
        ...

    def packing(self, section: Any) -> Packing | None:
        """The size budget that packs a thread's sections, and where it applies."""
        ...

    def http_port(self, section: Any) -> tuple[str, int] | None:
        """The key and port its HTTP server listens on, if it has one (the web archive's
        routes are served there when `[web] port` is the same)."""
        ...

    async def build(self, section: Any, wiring: Wiring) -> Runnable:
        """The platform, not started (its SDK loads only here)."""
        ...

    def preview(self, thread: Thread) -> str:
        """`briefing-bot preview`: `thread` exactly as this platform would send it."""
        ...

    def spell(self, command: str, slash: bool) -> str:
        """How users type `command` here ("/term"); `slash`: a slash command of its own."""
        ...
