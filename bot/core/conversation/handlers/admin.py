"""The admins' commands: /post (an issue now), /reload (the content from disk), /stats; and what
the admins hear without asking: content on disk that was refused (once, until its problems
change), and how a `/post` queued on another replica went. Who is an admin is decided before a
handler here runs (`access.is_admin`, the table's `who`)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC

from bot.content.errors import ContentError
from bot.core.approvals import Approvals, digest
from bot.core.conversation import parsing as p
from bot.core.conversation.context import Context, Ports
from bot.core.conversation.destinations import DestinationPolicy, dm_key
from bot.core.conversation.handlers.feedback import newest, stats_lines
from bot.core.conversation.handlers.lookups import available, refusal
from bot.core.conversation.inbound import Reply
from bot.core.conversation.reporting import report_lines, report_message
from bot.core.errors import PlatformError
from bot.core.i18n import Language, t
from bot.core.live_content import LiveContent
from bot.core.model.messages import Message, simple
from bot.core.platforms import PlatformRegistry
from bot.core.ports import (
    ChatPlatform,
    DeliveryReport,
    DestinationSettings,
    DestinationStore,
    NamesChats,
    ReportsStats,
)
from bot.core.runs import ReportChoices, RunSummary

log = logging.getLogger(__name__)
MAX_REPLY_PROBLEMS = 10
NAMED_CHANNELS = 10  # channels a report looks up the names of


async def post(ctx: Context, parsed: p.PostNow) -> Reply:
    deliverer, archive = ctx.ports.deliverer, ctx.content.archive
    if deliverer is None:
        return ctx.say("post_unavailable")
    if parsed.number is not None and archive.get(parsed.number) is None:
        held = ctx.ports.live.loaded.archive.entry(parsed.number)
        approvals = ctx.ports.approvals
        if held is not None and approvals is not None and approvals.required:
            return ctx.say("post_unapproved", number=parsed.number)
        return ctx.say("issue_not_found", number=parsed.number, available=available(ctx.ports))
    by = f"{ctx.command.platform}:{ctx.command.user}"
    report = await deliverer.deliver(parsed.number, by=by)
    which = f"issue {parsed.number}" if parsed.number is not None else "the newest issue"
    await ctx.audit("post", f"{which}: {'queued' if report.queued else report.summary}")
    if report.queued:
        return ctx.say("post_queued")
    return Reply(post_done(report, ctx.language))


async def reload(ctx: Context, _: p.Reload) -> Reply:
    reply = reload_content(ctx.ports, ctx.language)
    if ctx.ports.approvals is not None and ctx.ports.refresh is not None:
        await ctx.ports.refresh()  # as the watcher would: approvals the change withdrew, told
    if ctx.ports.live.reloadable:
        fresh = ctx.ports.live.current.summary()
        await ctx.audit("reload", f"serving {fresh['issues']} issues, {fresh['terms']} terms")
    return reply


async def audit_log(ctx: Context, parsed: p.AuditQuery) -> Reply:
    """`/briefing audit [N]`: the newest N entries, newest first (admins: `AuditQuery.who`)."""
    if ctx.ports.audit is None:
        return ctx.say("post_unavailable")
    entries = await ctx.ports.audit.recent(parsed.count)
    if not entries:
        return ctx.say("audit_empty")
    title = t(ctx.language, "audit_title", count=len(entries))
    return Reply(simple(*(entry.line() for entry in entries), title=title))


async def stats(ctx: Context, parsed: p.Stats) -> Reply:
    content, lang, ports = ctx.content, ctx.language, ctx.ports
    if parsed.number is not None:
        return await issue_stats(ctx, parsed.number)
    summary = content.summary()
    latest = content.archive.latest
    line = t(
        lang,
        "stats_line",
        issues=summary["issues"],
        latest=latest.number if latest else "-",
        terms=summary["terms"],
        subscribers=await ports.subscriptions.count(),
    )
    lines = [line]
    if ports.policy is not None:
        kinds, times = await destination_counts(ports.policy)
        lines += [
            t(lang, "stats_destinations", destinations=kinds),
            t(lang, "stats_times", times=times),
        ]
    if ports.feedback is not None:
        lines += await stats_lines(ports.feedback, newest(content.archive.numbers), lang)
    for name in ports.platforms.names:
        platform = ports.platforms.get(name)
        if isinstance(platform, ReportsStats):
            extra = await platform.stats_line(lang)
            lines += [extra] if extra else []
    return Reply(simple(*lines, title=t(lang, "stats")))


async def briefing_stats(ctx: Context, parsed: p.IssueStats) -> Reply:
    return await issue_stats(ctx, parsed.number)


async def issue_stats(ctx: Context, number: int) -> Reply:
    """One issue's feedback: its 👍/👎 and its sections with most reactions."""
    if ctx.content.archive.get(number) is None:
        return ctx.say("issue_not_found", number=number, available=available(ctx.ports))
    if ctx.ports.feedback is None:
        return ctx.say("feedback_off")
    lines = await stats_lines(ctx.ports.feedback, [number], ctx.language)
    return Reply(simple(*lines, title=t(ctx.language, "stats")))


async def destination_counts(policy: DestinationPolicy) -> tuple[str, str]:
    """("telegram channel 2, telegram dm 5, …", "08:30 Asia/Seoul 4, 07:30 Europe/Berlin 1")."""
    kinds: Counter[str] = Counter()
    for platform, chats in policy.pinned.items():
        kinds[f"{platform} pinned"] += len(chats)
    for opted in await policy.store.opted_in():
        kinds[f"{opted.platform} opted-in"] += 1
    times: Counter[str] = Counter()
    chosen, default = await policy.store.all_settings(), policy.default
    for sub in await policy.subscriptions.subscribers():
        kinds[f"{sub.platform} dm"] += 1
        mine = chosen.get(dm_key(sub.platform, sub.user), DestinationSettings())
        times[f"{mine.time or default.time} {mine.zone or default.zone}"] += 1
    return _listed(kinds), _listed(times)


def _listed(counts: Counter[str]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items()) if n) or "-"


def reload_content(ports: Ports, lang: Language) -> Reply:
    """The content from disk, now; refused content leaves the previous one serving."""
    if not ports.live.reloadable:
        return Reply(simple(t(lang, "post_unavailable")))
    try:
        fresh = ports.live.reload()
    except ContentError as exc:
        log.warning("reload refused, keeping the previous content:\n%s", exc)
        return Reply(refusal(exc, lang))
    summary = fresh.summary()
    log.info("content reloaded: %s", summary)
    return Reply(simple(t(lang, "reloaded", issues=summary["issues"], terms=summary["terms"])))


def post_done(report: DeliveryReport, lang: Language) -> Message:
    return simple(
        t(lang, "post_done", destinations=report.destinations, sent=report.sent,
          failed=report.failed)
    )  # fmt: skip


class AdminNotices:
    """DMs to the admins (`[bot] admins`, "slack:U1") and the editors on the platforms that
    run: refused content, a queued `/post`'s outcome, every run's report; with `approvals`,
    an approval withdrawn by a change to its issue's file, an issue held at its time for want
    of approval (each once)."""

    def __init__(
        self,
        live: LiveContent,
        platforms: PlatformRegistry,
        admins: frozenset[str] = frozenset(),
        language: Language = "ko",
        *,
        editors: frozenset[str] = frozenset(),
        choices: ReportChoices | None = None,  # who turned the reports off
        settings: DestinationStore | None = None,  # each recipient's language
        paced: Callable[[ChatPlatform], ChatPlatform] | None = None,  # through the pacer
        approvals: Approvals | None = None,
    ) -> None:
        self.paced = paced  # the root's: each notice paced and retried as an answer is
        self.live, self.platforms = live, platforms
        self.admins, self.language = admins, language
        self.editors, self.choices, self.settings = editors, choices, settings
        self.approvals = approvals
        self._told = ""  # the last refused content the admins were told about

    async def refresh(self) -> bool:
        """The content on disk, taken as /reload would (the file watcher, before a delivery:
        the composition root hands this to both, so no delivery reaches into the service);
        a refusal reaches every admin by DM once, not again until the problems change."""
        return await self.refresh_content(self.admins, self.language)

    async def before_run(self) -> bool:
        """Before a delivery run: the content on disk (`refresh`), the approvals as the store
        has them now, and each issue held for want of approval told to the editors once."""
        if self.approvals is not None:
            await self.approvals.reload()  # another replica's too, before the change is checked
        fresh = await self.refresh()
        if self.approvals is not None:
            await self.approvals.start()
            await self.tell_held(self.approvals)
        return fresh

    async def tell_held(self, approvals: Approvals) -> None:
        live = self.live
        for entry in approvals.held(live.loaded.archive, live.release, live.now()):
            at = live.release.time_of(entry) or live.now()
            if await approvals.store.first_notice(f"held:{entry.number}:{digest(entry)[:16]}"):
                log.warning("issue %d is held: its release time %s has passed and it is not "
                            "approved", entry.number, at.isoformat())  # fmt: skip
                when = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
                message = simple(t(self.language, "notice_held", number=entry.number, at=when))
                await self.tell_all(self.admins | self.editors, message)

    async def withdraw_stale(self) -> None:
        """Approvals given for content that has changed since are withdrawn, each told to the
        editors once (of several replicas noticing the change, the one that withdrew it)."""
        if self.approvals is None:
            return
        for gone in await self.approvals.stale(self.live.loaded.archive):
            log.warning("approval of issue %d by %s withdrawn: its file changed",
                        gone.issue, gone.by)  # fmt: skip
            at = gone.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            message = t(self.language, "notice_withdrawn", number=gone.issue, by=gone.by, at=at)
            await self.tell_all(self.admins | self.editors, simple(message))

    async def refresh_content(self, admins: frozenset[str], lang: Language) -> bool:
        if self.live.refresh():
            self._told = ""
            await self.withdraw_stale()
            return True
        refused = self.live.refused
        if refused is not None and str(refused) != self._told:
            self._told = str(refused)
            await self.tell_all(admins, refusal(refused, lang))
        return False

    async def tell_all(self, admins: frozenset[str], message: Message) -> int:
        """`message` to every admin's DM on a running platform; how many got it."""
        return sum([await self.tell(admin, message) for admin in sorted(admins)])

    async def tell_post_done(self, by: str, report: DeliveryReport, lang: Language) -> None:
        """A `/post` queued on another replica was delivered here: `by` ("slack:U1") hears how
        it went by DM, in the words a `/post` on this replica answers with."""
        await self.tell(by, post_done(report, lang))

    async def tell_report(self, report: DeliveryReport) -> int:
        """A delivery run's report (the engine's `after_run`, on the leader only)."""
        return await self.tell_run(report.run_summary())

    async def tell_run(self, summary: RunSummary) -> int:
        """A run's report, logged, and by DM to every editor and admin who has not turned the
        reports off (`/briefing reports off`), each in their language; how many got it."""
        names = await self._names(summary)
        for line in report_lines(summary, "en", names):
            log.info("run report: %s", line)
        off = await self.choices.reports_off() if self.choices is not None else set()
        told = 0
        for who in sorted((self.admins | self.editors) - off):
            report = report_message(summary, await self._language(who), names)
            told += await self.tell(who, report)
        return told

    async def _names(self, summary: RunSummary) -> dict[str, str]:
        """The names of the channels the report names ("#ml-news"), where the platform says."""
        names: dict[str, str] = {}
        keys = sorted({f.destination for f in summary.failures if ":dm:" not in f.destination})
        for key in keys[:NAMED_CHANNELS]:
            platform, _, chat = key.partition(":")
            found = self.platforms.get(platform) if platform in self.platforms else None
            if isinstance(found, NamesChats) and (name := await found.chat_name(chat)):
                names[key] = name
        return names

    async def _language(self, who: str) -> Language:
        platform, _, user = who.partition(":")
        if self.settings is None:
            return self.language
        chosen = (await self.settings.settings(dm_key(platform, user))).language
        return "en" if chosen == "en" else "ko" if chosen == "ko" else self.language

    async def tell(self, who: str, message: Message) -> bool:
        """`message` to the DM of `who` ("slack:U1") if its platform runs; True if sent."""
        platform, _, user = who.partition(":")
        if platform not in self.platforms or not user:
            log.debug("no running %s platform to tell %s", platform or "-", who)
            return False
        sender = self.platforms.get(platform)
        if self.paced is not None:
            sender = self.paced(sender)
        try:
            await sender.send(await sender.open_dm(user), message)
        except PlatformError as exc:
            log.warning("could not tell %s: %s", who, exc)
            return False
        return True
