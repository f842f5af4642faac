"""Corrections: when an issue already delivered changes, the leader edits every copy it sent
whose text changed, in every destination and variant, through the same pacer as deliveries.

Per copy (a part of a thread at a destination, `Copy` in the ledger) the protocol is the
delivery's:

    keep the copy with `editing` = the new digest → commit → edit → keep it with the new
    digest and ids → commit

so a correction resumed after a crash or a failover skips every copy already at the new digest
and edits again only the one in flight (Telegram then answers "message is not modified": the
mark carries the revision's time, not the edit's, so the text is the same). A part the new
thread has and the copy had not goes out as a reply in the same thread; a surplus part is
deleted (or, where the platform refuses, shows a one-line pointer). A copy that can no longer be
edited (`MessageGone`, the bot removed) is counted and marked gone: never tried again.

Which issues: those whose revision (`copies.revision_of`: the source and the glossary) differs
from the one their copies show, or whose correction was cut short; only while their copies are
kept (`[delivery] correction_days`). Edits take the pacer's slots at rank `CORRECTION`, after
every delivery waiting, and a correction starts only once no delivery run is in progress: a
destination still waiting for the issue simply gets the new text from the run.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from bot.core.delivery.copies import (
    POINTER,
    CopySet,
    CorrectionReport,
    copy_sets,
    parse_variant,
    revision_of,
    with_mark,
)
from bot.core.delivery.engine import DeliveryEngine
from bot.core.delivery.ports import CORRECTION, Copy, KeepsCopies, Revision
from bot.core.delivery.retry import DELIVERY, Retrier, Stopped
from bot.core.delivery.scheduler import first_of
from bot.core.errors import MessageGone, PlatformError, RecipientGone
from bot.core.i18n import Language, t
from bot.core.model.messages import Message, MessageRef, simple
from bot.core.ports import Revises

log = logging.getLogger(__name__)
DELETED = "deleted"  # the `gone` of a surplus part the correction removed
EDITING_REMOVAL = "-"  # the `editing` of a surplus part being removed
PRUNE_EVERY = 6 * 3600.0  # seconds between two looks when the content does not change


class Corrector:
    """Edits the copies of changed issues (the leader's); `correct(n, dry_run=True)` only
    counts (`briefing-bot correct N --dry-run`)."""

    def __init__(
        self,
        engine: DeliveryEngine,
        *,
        zone: tzinfo,
        keep_days: int = 14,
        enabled: bool = True,
        concurrency: int = 64,
        rng: random.Random | None = None,
    ) -> None:
        assert isinstance(engine.ledger, KeepsCopies), "this ledger keeps no copies"
        self.ledger: KeepsCopies = engine.ledger
        self.engine, self.planner = engine, engine.planner
        self.zone, self.keep_days, self.enabled = zone, keep_days, enabled
        self.concurrency = concurrency
        self._stop = asyncio.Event()
        self.retrier = Retrier(DELIVERY, engine.clock, self._stop, rng or random.Random())
        self._running = asyncio.Lock()
        self.changed = asyncio.Event()  # set when the content changed (the watcher, /reload)
        # told of every correction done (not dry): the run report's DM to the editors
        self.on_report: Callable[[CorrectionReport], Awaitable[None]] | None = None

    def request_stop(self) -> None:
        self._stop.set()

    def due(self) -> list[int]:
        """The issues whose copies may show an older revision, oldest first."""
        content, horizon = self.planner.content(), self._horizon()
        due = []
        for number, kept in sorted(self.ledger.revised_issues().items()):
            released = self.engine.ledger.released_at(number)
            if released is not None and released < horizon:
                continue
            current = revision_of(content, number)
            if current is not None and (current != kept.digest or not kept.done):
                due.append(number)
        return due

    async def run(self, stop: asyncio.Event) -> None:
        """The leader's duty: what is due now (a correction cut short, content changed while
        no one led), then again at every content change and every `PRUNE_EVERY` seconds (the
        copies past `correction_days` pruned), until `stop`."""
        self._stop.clear()
        while not stop.is_set():
            self.changed.clear()
            try:
                await self.correct_due()
            except Exception:
                log.exception("a correction failed; the next content change tries again")
            await first_of(stop.wait(), self.changed.wait(), self.engine.clock.sleep(PRUNE_EVERY))

    async def correct_due(self) -> list[CorrectionReport]:
        reports: list[CorrectionReport] = []
        if not self.enabled:
            return reports
        pruned = await self.ledger.prune_copies(self._horizon())
        if pruned:
            log.info("corrections: forgot %d sent part(s) older than %d days", pruned,
                     self.keep_days)  # fmt: skip
        for number in self.due():
            reports.append(await self.correct(number))
        return reports

    async def correct(self, number: int, *, dry_run: bool = False) -> CorrectionReport:
        report = CorrectionReport(number, dry_run=dry_run)
        async with self._running:
            await self.engine.idle()  # a delivery in progress goes first
            current = revision_of(self.planner.content(), number)
            kept = self.ledger.revision(number)
            if current is None or kept is None:
                log.info("correction: issue %d was not delivered or is not served", number)
                return report
            if not dry_run and kept.digest != current:
                kept = Revision(current, self.engine.clock.now(), False, kept.corrected_at)
                self.ledger.set_revision(number, kept)
                await self.ledger.commit()
            targets = copy_sets(await self.ledger.copies(number), CORRECTION)
            report.destinations = len(targets)
            mark = kept.since.astimezone(self.zone).strftime("%H:%M")
            await self._fan_out(number, targets, mark, report)
            if not dry_run and not report.stopped:
                changed = report.edited + report.added + report.deleted
                at = self.engine.clock.now() if changed else kept.corrected_at  # what readers saw
                self.ledger.set_revision(number, replace(kept, done=True, corrected_at=at))
                await self.ledger.commit()
        log.info("correction of %s", report.summary)
        if self.on_report is not None and not dry_run and report.destinations:
            try:
                await self.on_report(report)
            except Exception:
                log.exception("telling of the correction of issue %d failed", number)
        return report

    async def _fan_out(
        self, number: int, targets: list[CopySet], mark: str, report: CorrectionReport
    ) -> None:
        queue = deque(targets)

        async def worker() -> None:
            while queue and not self._stop.is_set():
                await self._correct_copy_set(number, queue.popleft(), mark, report)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(queue)))))
        report.stopped = report.stopped or bool(queue) or self._stop.is_set()

    async def _correct_copy_set(
        self, number: int, target: CopySet, mark: str, report: CorrectionReport
    ) -> None:
        if target.dest.platform not in self.engine.platforms:  # not started here: later
            report.fail(target.dest.key, f"{target.dest.platform} is not running", "transient")
            report.stopped = True  # the revision stays to do: the next correction finishes it
            return
        packed, language, muted = parse_variant(target.variant)
        thread = self.planner.variant_thread(number, target.dest.platform, packed, language, muted)
        parent = target.parts[0].ref if 0 in target.parts else None
        last = max([*target.parts, len(thread.messages) - 1])
        try:
            for part in range(last + 1):
                old = target.parts.get(part)
                if part >= len(thread.messages):
                    if old and old.ref and not old.gone and old.digest != POINTER:
                        await self._remove(old, target, language, report)
                    continue
                new = thread.messages[part]
                await self._one(number, part, old, new, parent, target, (language, mark), report)
        except RecipientGone as exc:
            report.fail(target.dest.key, f"gone: {exc}")
            log.warning("correction: %s is gone (%s)", target.dest.key, exc)
        except Stopped:
            return
        finally:
            if not report.dry_run:
                await self.ledger.commit()

    async def _one(
        self,
        number: int,
        part: int,
        old: Copy | None,
        new: Message,
        parent: MessageRef | None,
        target: CopySet,
        words: tuple[Language, str],
        report: CorrectionReport,
    ) -> None:
        wanted = self.planner.digest(new)
        added = old is None or old.gone == DELETED or (old.ref is None and bool(old.editing))
        if not added and old is not None:
            if old.gone:
                return  # counted when it went; never tried again
            if old.digest == wanted and not old.editing:
                report.unchanged += 1
                return
        if report.dry_run:
            report.changed[f"{target.variant} part {part}"] += 1
            report.added += added
            report.edited += not added
            return
        marked = with_mark(new, t(words[0], "corrected_mark", time=words[1]))
        platform = self.engine.platforms.get(target.dest.platform)
        if old is None or added:
            pending = Copy(number, target.dest.key, part, None, wanted, target.variant,
                           self.engine.clock.now(), editing=wanted)  # fmt: skip
            await self._mark(pending)
            ref = await self._paced(target, lambda: platform.send(
                target.dest.chat, marked, reply_to=parent), report)  # fmt: skip
            if ref is not None:
                self.ledger.keep_copy(replace(pending, ref=ref, editing=""))
                report.added += 1
            return
        if not isinstance(platform, Revises) or old.ref is None:
            report.fail(target.dest.key, f"{target.dest.platform} cannot edit")
            return
        await self._mark(replace(old, editing=wanted))
        pointer = simple(t(words[0], "corrected_moved"))
        ref_now, above = old.ref, parent if part else None
        ref = await self._paced(target, lambda: platform.revise(
            ref_now, marked, parent=above, pointer=pointer), report, old)  # fmt: skip
        if ref is not None:
            self.ledger.keep_copy(replace(old, ref=ref, digest=wanted, editing=""))
            report.edited += 1

    async def _remove(
        self, old: Copy, target: CopySet, language: Language, report: CorrectionReport
    ) -> None:
        if report.dry_run:
            report.deleted += 1
            return
        platform = self.engine.platforms.get(target.dest.platform)
        if not isinstance(platform, Revises) or old.ref is None:
            return
        await self._mark(replace(old, editing=EDITING_REMOVAL))
        pointer, ref = simple(t(language, "corrected_moved")), old.ref

        async def remove() -> MessageRef:
            await platform.remove(ref, pointer)
            return ref

        if await self._paced(target, remove, report, old) is not None:
            self.ledger.keep_copy(replace(old, editing="", gone=DELETED))
            report.deleted += 1

    async def _mark(self, copy: Copy) -> None:
        if self.engine.leadership is not None and not await self.engine.leadership.holds():
            self._stop.set()
            raise Stopped("the delivery lock is lost")
        self.ledger.keep_copy(copy)
        await self.ledger.commit()

    async def _paced(
        self,
        target: CopySet,
        call: Callable[[], Awaitable[MessageRef]],
        report: CorrectionReport,
        old: Copy | None = None,
    ) -> MessageRef | None:
        """One platform call in a pacer slot, retried; a copy that can no longer be changed is
        marked gone and counted, another failure counted (the next correction tries it)."""
        dest = target.dest

        async def paced() -> MessageRef:
            async with self.engine.pacer.slot(dest.platform, dest.chat, dest.kind, target.rank):
                return await call()

        try:
            return await self.retrier.call(paced, dest.key)
        except MessageGone as exc:
            report.fail(dest.key, f"cannot be edited: {exc}")
            if old is not None:
                self.ledger.keep_copy(replace(old, editing="", gone=str(exc)[:200] or "gone"))
        except RecipientGone:
            if old is not None:
                self.ledger.keep_copy(replace(old, editing="", gone="recipient gone"))
            raise
        except PlatformError as exc:
            report.fail(dest.key, f"{type(exc).__name__}: {exc}", "transient")
            if old is not None:
                self.ledger.keep_copy(replace(old, editing=""))
        return None

    def _horizon(self) -> datetime:
        return self.engine.clock.now() - timedelta(days=self.keep_days)
