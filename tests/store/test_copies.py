"""The ledger's records for corrections, on both backends: each sent part's copy (its messages'
ids, the digest of its text, its variant), each delivered issue's revision, and the pruning of
copies older than `correction_days`. Durable once committed, as every ledger change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.delivery.ports import Copy, KeepsCopies, Revision
from bot.core.model.messages import MessageRef
from tests.support.stores import Opener

SENT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
PARENT = MessageRef("telegram", "42", "7")
REPLY = MessageRef("telegram", "42", "8", "7", ("9", "10"))  # split in three messages


def keeper(reopen: Opener) -> KeepsCopies:
    ledger = reopen().ledger
    assert isinstance(ledger, KeepsCopies)
    return ledger


def copy(part: int, ref: MessageRef | None, **changes: str) -> Copy:
    return replace(Copy(1, "telegram:dm:42", part, ref, f"digest{part}", "packed|ko", SENT),
                   **changes)  # fmt: skip


async def test_copies_are_durable_once_committed_with_every_message_id(reopen: Opener) -> None:
    ledger = keeper(reopen)
    ledger.keep_copy(copy(0, PARENT))
    ledger.keep_copy(copy(1, REPLY))
    assert await keeper(reopen).copies(1) == []  # not committed: not there after a crash
    await ledger.commit()
    found = await keeper(reopen).copies(1)
    assert found == [copy(0, PARENT), copy(1, REPLY)]
    assert found[1].ref is not None and found[1].ref.ids == ("8", "9", "10")
    assert await keeper(reopen).copies(2) == []


async def test_a_copy_kept_again_replaces_the_one_before(reopen: Opener) -> None:
    ledger = keeper(reopen)
    ledger.keep_copy(copy(1, REPLY))
    ledger.keep_copy(copy(1, REPLY, editing="new"))  # pending edit, as before a send
    await ledger.commit()
    [pending] = await keeper(reopen).copies(1)
    assert pending.editing == "new" and pending.digest == "digest1"
    ledger.keep_copy(copy(1, REPLY, digest="new"))
    ledger.keep_copy(copy(2, None, gone="deleted"))
    await ledger.commit()
    edited, gone = await keeper(reopen).copies(1)
    assert (edited.digest, edited.editing, edited.gone) == ("new", "", "")
    assert gone.ref is None and gone.gone == "deleted"


async def test_copies_older_than_the_horizon_are_pruned(reopen: Opener) -> None:
    ledger = keeper(reopen)
    old = Copy(1, "slack:C1", 0, MessageRef("slack", "C1", "1.1"), "d", "full|ko", SENT)
    new = Copy(2, "slack:C1", 0, MessageRef("slack", "C1", "2.1"), "d", "full|ko",
               SENT + timedelta(days=15))  # fmt: skip
    ledger.keep_copy(old)
    ledger.keep_copy(new)
    await ledger.commit()
    assert await keeper(reopen).prune_copies(SENT + timedelta(days=1)) == 1
    again = keeper(reopen)
    assert await again.copies(1) == [] and await again.copies(2) == [new]
    assert await again.prune_copies(SENT + timedelta(days=1)) == 0


async def test_an_issues_revision_is_kept_and_replaced(reopen: Opener) -> None:
    ledger = keeper(reopen)
    assert ledger.revision(1) is None
    released = Revision("aaa", SENT)
    ledger.set_revision(1, released)
    await ledger.commit()
    assert keeper(reopen).revision(1) == released
    correcting = Revision("bbb", SENT + timedelta(hours=1), done=False)
    ledger.set_revision(1, correcting)
    await ledger.commit()
    again = keeper(reopen)
    assert again.revision(1) == correcting and again.revised_issues() == {1: correcting}
    done = Revision("bbb", correcting.since, True, SENT + timedelta(hours=2))
    ledger.set_revision(1, done)
    await ledger.commit()
    assert keeper(reopen).revision(1) == done
