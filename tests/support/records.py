"""A store holding one record or more of every kind (bot/store/kinds.py), written through the
ports as the bot writes them: what the dump, load and copy tests move between backends."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.approvals import Approval
from bot.core.delivery.ports import Copy, Revision
from bot.core.feedback import Carried
from bot.core.model.messages import MessageRef
from bot.core.ports import DestinationSettings
from bot.core.runs import Attempt
from bot.store.backend import Backend
from bot.store.kinds import KINDS

COUNTS = {"subscriptions": 3, "releases": 1, "delivery parts": 1, "deliveries done": 1,
          "schedule runs": 1, "opted-in channels": 1, "destination settings": 2,
          "slack installations": 1, "slack chats": 2, "slack oauth states": 1,
          "inbound claims": 2, "audit log": 2, "feedback votes": 2, "feedback reactions": 2,
          "feedback messages": 2, "delivery history": 1, "report choices": 1,
          "sent copies": 1, "issue revisions": 1, "approvals": 1, "editor notices": 1}  # fmt: skip
assert set(COUNTS) == {kind.name for kind in KINDS}, "a new kind needs its records here"


async def every_kind(backend: Backend) -> None:
    for user in ("1", "2", "3"):
        await backend.subscriptions.subscribe("telegram", user, user)
    backend.ledger.release(1, datetime(2024, 5, 1, tzinfo=UTC))
    backend.ledger.mark_sent(1, "slack:C1", 0, MessageRef("slack", "C1", "1.1"))
    backend.ledger.mark_done(1, "slack:C1", 1)
    backend.ledger.mark_pending(1, "telegram:dm:1", 0)
    sent = datetime(2024, 5, 1, tzinfo=UTC)
    ref = MessageRef("slack", "C1", "1.1", None, ("1.2",))
    backend.ledger.keep_copy(Copy(1, "slack:C1", 0, ref, "d1", "full|ko", sent))
    backend.ledger.set_revision(1, Revision("r1", sent))
    await backend.ledger.commit()
    await backend.runs.record(datetime(2024, 5, 1, tzinfo=UTC))
    await backend.destinations.opt_in("telegram", "-1005:7", "9")
    await backend.destinations.set_settings("telegram:-1005:7", DestinationSettings(language="en"))
    await backend.destinations.set_settings(
        "telegram:dm:1", DestinationSettings("07:30", "Europe/Berlin", None, ("레딧",), "mon")
    )
    await backend.installations.save("none-T1", {"team_id": "T1", "bot_token": "xoxb-1"})
    await backend.installations.remember_chat("C1", "none-T1")
    await backend.installations.remember_chat("D1", "none-T1")
    await backend.installations.issue_state("state-1", 1_900_000_000.5)
    await backend.claims.claim("telegram:1001")
    await backend.claims.claim("slack:Ev1")
    await backend.feedback.vote(1, "slack:U1", "up")
    await backend.feedback.vote(1, "telegram:1", "down")
    await backend.feedback.react(
        Carried(1, ("논문", "뉴스")), "slack:U1", {"tada": 1}, replace=False
    )
    reply = (MessageRef("slack", "C1", "1.2", "1.1"), Carried(1, ("논문",)))
    await backend.feedback.remember(1, [(MessageRef("slack", "C1", "1.1"), Carried(1)), reply])
    at = datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    await backend.history.record([Attempt(1, "telegram:dm:1", 3, at, ((0, at),))])
    await backend.report_choices.set_reports("slack:U1", False)
    await backend.approvals.approve(Approval(2, "slack:U1", at, "ab" * 32))
    await backend.approvals.first_notice("held:2")
    await backend.audit.record("telegram:9", "telegram:-1005:7", "opt-in")
    await backend.audit.record("slack:U1", "slack:C1", "post", "issue 1: sent 1")
