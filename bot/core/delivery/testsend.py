"""A test send (`/briefing test [N]`, `briefing-bot test N --to slack:U1`): issue N, drafts and
issues not yet released included, to one person's DM exactly as a reader there gets it.

The thread is the planner's own (`Planner.thread`: the DM's packing, the person's language, the
glossary's and the web archive's links) over the content as loaded rather than as released; the
caller marks its parent (`mark`: the test banner and, with approval on, the approve button). It
goes out as an answer does (paced ahead of deliveries, retried as answers are); nothing is
recorded in the ledger, no release time is set, and nobody else gets anything.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import replace

from bot.content.loader import Content
from bot.core.delivery.plan import Planner
from bot.core.delivery.ports import Clock, Pacer
from bot.core.delivery.retry import ANSWERS, Retrier, RetryingPlatform
from bot.core.destination import Destination
from bot.core.i18n import Language
from bot.core.model.messages import Message
from bot.core.model.threads import send_thread

log = logging.getLogger(__name__)


class TestSends:
    """The `TestSender` port: the planner's rendering over `loaded`, sent as an answer."""

    __test__ = False  # not a pytest class

    def __init__(
        self,
        planner: Planner,
        loaded: Callable[[], Content],
        pacer: Pacer,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.planner = planner.over(loaded)
        self.pacer, self.retrier = pacer, Retrier(ANSWERS, clock, rng=rng)

    async def test_send(
        self,
        number: int,
        platform: str,
        user: str,
        language: Language,
        mark: Callable[[Message], Message],
    ) -> int:
        """Issue `number` to `user`'s DM on `platform` in `language`, the parent marked by
        `mark`; how many messages it took. Raises the platform's errors (`bot.core.errors`)."""
        sender = RetryingPlatform(self.planner.platforms.get(platform), self.retrier, self.pacer)
        chat = await sender.open_dm(user)
        self.planner.start_run()  # the content on disk now, not as last rendered
        dest = Destination(platform, chat, user, language=language)
        thread = self.planner.thread(number, dest)
        thread = replace(thread, parent=mark(thread.parent))
        refs = await send_thread(sender, chat, thread)
        log.info("test send of issue %d to %s: %d messages; nothing recorded", number,
                 dest.key, len(refs))  # fmt: skip
        return len(refs)
