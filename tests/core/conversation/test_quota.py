"""The command quota (`[bot] commands_per_minute`): per user and per chat, a sliding window of
the times the commands were sent; one notice, then silence until the window passes. The
service's part: the notice in the reader's words, silence as a `Reply` that says nothing,
admins exempt."""

from __future__ import annotations

import pytest

from bot.core.conversation.quota import CommandQuota, Verdict
from bot.core.conversation.service import CommandService
from bot.core.ports import Command

T0 = 1_700_000_000.0


def verdicts(quota: CommandQuota, sends: list[tuple[str, str, float]]) -> list[tuple[str, int]]:
    """(user, chat, seconds after T0) per command → (verdict, wait) per command."""
    found = []
    for user, chat, at in sends:
        verdict, wait = quota.check((f"user:{user}", f"chat:{chat}"), T0 + at)
        found.append((verdict.value, wait))
    return found


@pytest.mark.parametrize(
    ("sends", "expected"),
    [
        # three a minute: the fourth is told when to try again, the rest are silent
        ([("u", "c", 0), ("u", "c", 1), ("u", "c", 2), ("u", "c", 3), ("u", "c", 4)],
         [("answer", 0), ("answer", 0), ("answer", 0), ("notice", 57), ("silent", 0)]),
        # once the oldest leaves the window, one more is answered (refused ones never counted)
        ([("u", "c", 0), ("u", "c", 1), ("u", "c", 2), ("u", "c", 3), ("u", "c", 30), ("u", "c", 60.5)],
         [("answer", 0), ("answer", 0), ("answer", 0), ("notice", 57), ("silent", 0), ("answer", 0)]),
        # a user over the quota in one chat is over it in every chat
        ([("u", "a", 0), ("u", "b", 1), ("u", "c", 2), ("u", "d", 3)],
         [("answer", 0), ("answer", 0), ("answer", 0), ("notice", 57)]),
        # a chat over the quota is over it for every user, but a user elsewhere is not
        ([("a", "g", 0), ("b", "g", 1), ("c", "g", 2), ("d", "g", 3), ("d", "dm", 4)],
         [("answer", 0), ("answer", 0), ("answer", 0), ("notice", 57), ("answer", 0)]),
    ],
)  # fmt: skip
def test_the_window_the_notice_and_the_silence(
    sends: list[tuple[str, str, float]], expected: list[tuple[str, int]]
) -> None:
    assert verdicts(CommandQuota(3), sends) == expected


def test_the_time_of_sending_counts_not_the_time_of_handling() -> None:
    now = [T0 + 500]  # handled long after they were sent
    quota = CommandQuota(2, clock=lambda: now[0])
    sent = [quota.check(["user:u"], T0 + n)[0] for n in range(4)]
    assert sent == [Verdict.ANSWER, Verdict.ANSWER, Verdict.NOTICE, Verdict.SILENT]
    assert quota.check(["user:u"])[0] is Verdict.ANSWER  # no time given: the clock's


def test_idle_windows_are_forgotten() -> None:
    quota = CommandQuota(1)
    for n in range(1000):
        quota.check([f"user:{n}"], T0)
    quota.check(["user:0"], T0 + 1)  # over: silent until T0 + 60
    assert len(quota._sent) == 1000 and set(quota._quiet) == {"user:0"}
    for n in range(100):  # a sweep happens in these, two minutes later
        quota.check(["user:late"], T0 + 120 + 60 * n)
    assert set(quota._sent) == {"user:late"} and quota._quiet == {}


@pytest.mark.parametrize("options", [{"per_window": 0}, {"per_window": 5, "window": 0}])
def test_a_quota_that_admits_nothing_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="at least one command"):
        CommandQuota(**options)  # type: ignore[arg-type]


async def ask(service: CommandService, user: str, at: float, chat: str = "") -> str | None:
    command = Command("telegram", chat or user, user, "term", "NP-hard", is_dm=True, sent_at=at)
    reply = await service.handle(command)
    return None if reply.silent else reply.message.plain


async def test_the_service_answers_then_tells_once_then_says_nothing(
    service: CommandService,
) -> None:
    service.quota = CommandQuota(2)
    answers = [await ask(service, "5", T0 + n) for n in range(5)]
    assert all("NP-hard" in (a or "") for a in answers[:2])
    assert answers[2] == "명령이 너무 많습니다. 58초 뒤에 다시 해 주세요."
    assert answers[3:] == [None, None]
    service.language = "en"
    assert await ask(service, "6", T0) is not None and await ask(service, "6", T0) is not None
    assert await ask(service, "6", T0) == "Too many commands; please try again in 60 s."


async def test_admins_are_exempt(service: CommandService) -> None:
    service.quota = CommandQuota(1)
    service.admins = frozenset({"telegram:1"})
    assert all([await ask(service, "1", T0) for _ in range(5)])
