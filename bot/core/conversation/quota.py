"""How many commands one user, and one chat, may send a minute (`[bot] commands_per_minute`).

Every command counts against two sliding windows of `window` seconds: its user's and its chat's
(in a private chat they are the same person). Within both, it is answered. The first command over
either gets one short answer saying when to try again (`Verdict.NOTICE`, with the seconds until
the oldest command in the full window leaves it); every further one is answered with silence
(`Verdict.SILENT`) until then. Refused commands are not counted, so a flood ends with its window.
Admins are exempt (the service does not ask for them).

A command is counted at the time the platform says it was sent (`Command.sent_at`, Telegram's
message date), else when it is handled: the commands of one chat are answered one after another,
and an answer paced to a private chat's ~1 message a second can take minutes, so the time of
handling would let a flood through one command at a time.
"""

from __future__ import annotations

import enum
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

PRUNE_EVERY = 1024  # commands between sweeps of the windows nobody used for a minute


class Verdict(enum.Enum):
    ANSWER = "answer"
    NOTICE = "notice"  # over the quota: say once when to try again
    SILENT = "silent"  # over the quota and told already


@dataclass
class CommandQuota:
    per_window: int
    window: float = 60.0
    clock: Callable[[], float] = time.time
    _sent: dict[str, deque[float]] = field(default_factory=dict)  # key -> times, oldest first
    _quiet: dict[str, float] = field(default_factory=dict)  # key -> silent until
    _seen: int = 0

    def __post_init__(self) -> None:
        if self.per_window < 1 or self.window <= 0:
            raise ValueError("a quota needs at least one command in a positive window")

    def check(self, keys: Iterable[str], at: float | None = None) -> tuple[Verdict, int]:
        """The verdict on one command by all of `keys` (its user's and its chat's), sent `at`
        (seconds since the epoch; default now), and the whole seconds until it may be tried
        again (0 when answered)."""
        now = self.clock() if at is None else at
        keys = tuple(keys)
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            self._prune(now)
        if any(self._quiet.get(key, -math.inf) > now for key in keys):
            return Verdict.SILENT, 0
        windows = [self._window(key, now) for key in keys]
        full = [times[0] + self.window - now for times in windows if len(times) >= self.per_window]
        if full:
            wait = max(full)
            for key, times in zip(keys, windows, strict=True):
                if len(times) >= self.per_window:
                    self._quiet[key] = times[0] + self.window
            return Verdict.NOTICE, max(1, math.ceil(wait))
        for times in windows:
            times.append(now)
        return Verdict.ANSWER, 0

    def _window(self, key: str, now: float) -> deque[float]:
        times = self._sent.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _prune(self, now: float) -> None:
        for key in [
            k for k, times in self._sent.items() if not times or times[-1] <= now - self.window
        ]:
            del self._sent[key]
        for key in [k for k, until in self._quiet.items() if until <= now]:
            del self._quiet[key]
