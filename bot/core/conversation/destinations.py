"""Destinations, as commands see them: channels that opt in themselves (`/briefing here`,
`stop`, `status`), every destination's delivery time and language (`/briefing time`, `/briefing
lang`, `/subscribe 07:30 Europe/Berlin`, `/lang en`), the bot's arrival in and departure from a
channel, and which language a command is answered in.

Who may change a channel is `[bot] channel_opt_in`: "members", or "admins" (the platform's
`is_chat_admin`, plus `[bot] admins`). Channels in the configuration are pinned: they cannot be
stopped from the chat. Settings are kept per destination key (the ledger's: "slack:C1",
"telegram:-100123:7", "telegram:dm:42"); what is not chosen is the default (the edition's time
in `bot.timezone`; the reader's platform language, else `bot.language`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from bot.core.conversation import parsing as c
from bot.core.conversation.access import is_admin
from bot.core.destination import WEEKDAYS, DeliveryTime
from bot.core.errors import PlatformError, StoreUnreachable
from bot.core.i18n import Language, t
from bot.core.model.messages import Message, simple
from bot.core.platforms import PlatformRegistry
from bot.core.ports import (
    Command,
    DestinationStore,
    Ledger,
    SubscriptionStore,
)

log = logging.getLogger(__name__)
OptIn = Literal["admins", "members"]
EDITION = DeliveryTime("08:30", "Asia/Seoul")  # the default `[schedule] cron` and zone


def cron_time(cron: str) -> str:
    """`30 8 * * *` → "08:30"; any other cron line stays as it is."""
    minute, hour, *rest = cron.split()
    if minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]:
        return f"{int(hour):02d}:{int(minute):02d}"
    return cron


def language_of(locale: str | None) -> Language | None:
    """A platform's language tag ("en-US", "ko", "ko-KR") as one the bot speaks, if it is one."""
    head = (locale or "").replace("_", "-").split("-")[0].casefold()
    return "en" if head == "en" else "ko" if head == "ko" else None


def day_name(day: str, lang: Language) -> str:
    """ "mon" as the reader reads it: "월요일", "Monday" (an unknown day as it is)."""
    names = t(lang, "weekdays").split(",")
    return names[WEEKDAYS.index(day)] if day in WEEKDAYS else day


def dm_key(platform: str, user: str) -> str:
    return f"{platform}:dm:{user}"


class DestinationPolicy:
    """Decides destination settings: who may change a channel's delivery, what the destination
    commands change, and which language a command is answered in."""

    def __init__(
        self,
        store: DestinationStore,
        subscriptions: SubscriptionStore,
        platforms: PlatformRegistry,
        *,
        ledger: Ledger | None = None,
        pinned: Mapping[str, Sequence[str]] | None = None,
        opt_in: OptIn = "admins",
        default: DeliveryTime = EDITION,
        language: Language = "ko",
        admins: frozenset[str] = frozenset(),
        issues: Callable[[], Sequence[int]] = tuple,
    ) -> None:
        self.store, self.subscriptions, self.platforms = store, subscriptions, platforms
        self.ledger, self.opt_in, self.default = ledger, opt_in, default
        self.pinned = {p: {str(chat) for chat in chats} for p, chats in (pinned or {}).items()}
        self.language, self.admins, self.issues = language, admins, issues

    # ---- languages ---------------------------------------------------------------------------

    async def language_for(self, command: Command) -> Language:
        """The language `command` is answered in, whether or not its reader ever subscribed.
        The reader's own is their /lang choice, else their platform's (Telegram's
        `language_code`, Slack's `locale`) when it is ko or en. An answer the reader alone sees
        (a DM; in a channel, `privately`: a Slack ephemeral answer) speaks theirs, else the
        channel's /briefing lang, else `bot.language`; an answer the channel reads (a Telegram
        group, a Slack mention's thread) speaks the channel's first, then the reader's. With the
        store unreachable, the choices are unknown: the platform's word, else `bot.language`
        (a lookup needs no store and is answered; what needs it says "briefly unavailable")."""
        mine = await self._chosen_language(dm_key(command.platform, command.user))
        reader = language_of(mine) or language_of(command.locale)
        if command.is_dm:
            return reader or self.language
        channel = language_of(await self._chosen_language(f"{command.platform}:{command.chat}"))
        if command.privately:
            return reader or channel or self.language
        return channel or reader or self.language

    async def _chosen_language(self, key: str) -> str | None:
        try:
            return (await self.store.settings(key)).language
        except StoreUnreachable:
            return None

    async def set_language(self, parsed: c.SetLanguage, command: Command) -> Message:
        if parsed.channel and not command.is_dm:
            refused = await self._refusal(command, "lang")
            if refused is not None:
                return refused
            await self._update(f"{command.platform}:{command.chat}", language=parsed.language)
            return simple(t(parsed.language, "channel_language_set"))
        await self._update(dm_key(command.platform, command.user), language=parsed.language)
        return simple(t(parsed.language, "language_set"))

    async def keep_language(self, command: Command, lang: Language) -> None:
        """A new subscriber who chose no language keeps the one they are answered in (their
        platform's), so their DM thread speaks it too; `/lang` changes it."""
        key = dm_key(command.platform, command.user)
        if (await self.store.settings(key)).language is None and lang != self.language:
            await self._update(key, language=lang)

    # ---- times -------------------------------------------------------------------------------

    async def timing(self, key: str) -> DeliveryTime:
        chosen = await self.store.settings(key)
        return DeliveryTime(chosen.time or self.default.time, chosen.zone or self.default.zone)

    async def set_time(self, parsed: c.SetTime, command: Command, lang: Language) -> Message:
        if command.is_dm:
            return await self.reader_time(command, parsed.time, parsed.zone, lang)
        refused = await self._refusal(command, "time")
        if refused is not None:
            return refused
        key = f"{command.platform}:{command.chat}"
        if not await self._receives(command):
            return simple(t(lang, "channel_not_opted"))
        await self._update(key, time=parsed.time, zone=parsed.zone or self.default.zone)
        when = await self.timing(key)
        return simple(t(lang, "channel_time_set", time=when.time, zone=when.zone))

    async def reader_time(
        self, command: Command, time: str, zone: str | None, lang: Language
    ) -> Message:
        key = dm_key(command.platform, command.user)
        await self._update(key, time=time, zone=zone or self.default.zone)
        when = await self.timing(key)
        return simple(t(lang, "reader_time", time=when.time, zone=when.zone))

    async def _update(self, key: str, **changes: Any) -> None:  # time, zone, language
        await self.store.set_settings(key, replace(await self.store.settings(key), **changes))

    # ---- channels ----------------------------------------------------------------------------

    async def channel_action(
        self, parsed: c.ChannelAction, command: Command, lang: Language
    ) -> tuple[Message, bool]:
        """The answer, and whether the whole channel should see it (it changed)."""
        if command.is_dm and parsed.action == "status":
            return await self.reader_status(command, lang), False
        if command.is_dm:
            return simple(t(lang, "channel_only")), False
        if parsed.action == "status":
            return await self.status(command, lang), False
        refused = await self._refusal(command, parsed.action)
        if refused is not None:
            return refused, False
        return await self._change(parsed.action, command, lang)

    async def _change(self, action: str, command: Command, lang: Language) -> tuple[Message, bool]:
        key = f"{command.platform}:{command.chat}"
        when = await self.timing(key)
        if action == "stop":
            if self.is_pinned(command.platform, command.chat):
                return simple(t(lang, "channel_pinned")), False
            stopped = await self.store.opt_out(command.platform, command.chat)
            if stopped:
                log.info("%s: opted out by %s", key, command.user)
            return simple(t(lang, "channel_stopped" if stopped else "channel_not_opted")), stopped
        if self.is_pinned(command.platform, command.chat):
            return simple(t(lang, "channel_already", time=when.time, zone=when.zone)), False
        if not await self._can_post(command):
            return simple(t(lang, "not_in_channel")), False
        new = await self.store.opt_in(command.platform, command.chat, command.user)
        if new:
            log.info("%s: opted in by %s", key, command.user)
        key_said = "channel_opted_in" if new else "channel_already"
        return simple(t(lang, key_said, time=when.time, zone=when.zone)), new

    async def status(self, command: Command, lang: Language) -> Message:
        key = f"{command.platform}:{command.chat}"
        opted = await self.store.channel(command.platform, command.chat)
        if self.is_pinned(command.platform, command.chat):
            how = t(lang, "status_pinned")
        elif opted is not None:
            how = t(lang, "status_opted_in", by=opted.by, since=opted.since[:10])
        else:
            return simple(t(lang, "channel_not_opted"))
        when = await self.timing(key)
        chosen = (await self.store.settings(key)).language or self.language
        return simple(
            t(lang, "status_line", how=how, time=when.time, zone=when.zone, words=chosen,
              last=self.last_issue(key) or "-")
        )  # fmt: skip

    async def reader_status(self, command: Command, lang: Language) -> Message:
        """`/briefing status` in a DM: the reader's own subscription, time and language."""
        if not await self.subscriptions.is_subscribed(command.platform, command.user):
            return simple(t(lang, "reader_status_off"))
        key = dm_key(command.platform, command.user)
        when, chosen = await self.timing(key), await self.store.settings(key)
        last = self.last_issue(key) or "-"
        if chosen.weekly:  # a weekly digest instead of the daily thread
            day = day_name(chosen.weekly, lang)
            lines = [t(lang, "reader_status_weekly", day=day, time=when.time, zone=when.zone,
                       words=lang, last=last)]  # fmt: skip
        else:
            lines = [t(lang, "reader_status", time=when.time, zone=when.zone, words=lang,
                       last=last)]  # fmt: skip
        if chosen.muted:
            lines.append(t(lang, "status_muted", sections=", ".join(chosen.muted)))
        return simple(*lines)

    def last_issue(self, key: str) -> int | None:
        """The newest issue the ledger has as delivered to `key`."""
        if self.ledger is None:
            return None
        return next((n for n in sorted(self.issues(), reverse=True)
                     if self.ledger.is_done(n, key)), None)  # fmt: skip

    def is_pinned(self, platform: str, chat: str) -> bool:
        return chat in self.pinned.get(platform, ())

    async def _receives(self, command: Command) -> bool:
        return self.is_pinned(command.platform, command.chat) or (
            await self.store.channel(command.platform, command.chat) is not None
        )

    async def _refusal(self, command: Command, action: str) -> Message | None:
        """None if `command`'s user may change this channel, else the answer saying who may."""
        if await self.may_change(command):
            return None
        lang = await self.language_for(command)
        return simple(t(lang, "opt_in_who_admins", action=action))

    async def may_change(self, command: Command) -> bool:
        if self.opt_in == "members" or is_admin(command, self.admins):
            return True
        try:
            return await self.platforms.get(command.platform).is_chat_admin(
                command.chat, command.user
            )
        except PlatformError as exc:
            log.warning(
                "%s: cannot tell whether %s is an admin: %s", command.chat, command.user, exc
            )
            return False

    async def _can_post(self, command: Command) -> bool:
        try:
            return await self.platforms.get(command.platform).can_post(command.chat)
        except PlatformError as exc:
            log.warning("%s: cannot tell whether the bot may post: %s", command.chat, exc)
            return True  # the delivery will tell
