"""One process owns the data file at a time: an OS advisory lock on "<data_path>.lock".

`fcntl.flock(LOCK_EX | LOCK_NB)` on an open file: the kernel drops it when the process ends,
however it ends (kill -9 included), so a crash never leaves a stale lock behind. The holder
writes its pid into the file, for the message the next process prints.

The tinydb backend keeps the data in memory, reads the file and its journal at start-up and
appends every commit to the journal, so two processes using it at once would lose each other's
records; the lock is therefore taken *before* the store is opened and held for the process's
life:

* `briefing-bot run` waits for the lock (logging who holds it), so a restart overlapping a
  `briefing-bot post` simply starts when that delivery is done;
* `briefing-bot post` does not wait: if the lock is held it says which process holds it and
  exits with EX_TEMPFAIL (75), having sent nothing; the holder is doing (or will do) the
  delivery, and while a bot is running, `/post` in the bot delivers on demand.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)


class LockHeld(Exception):
    def __init__(self, where: Path | str, holder: str) -> None:
        self.where, self.holder = where, holder
        who = f"process {holder}" if holder else "another process"
        what = "data file" if isinstance(where, Path) else "database"
        super().__init__(f"{who} is delivering with this {what} (lock {where})")


class WaitingLock:
    """Taking a lock, or waiting for it: what the data file's lock and the database's share."""

    where: Path | str  # named in the messages

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True if this process holds it now."""
        raise NotImplementedError

    def holder(self) -> str:
        """Who holds the lock (a pid, pid@host), or "" if that is unknown."""
        raise NotImplementedError

    def acquire(self, *, wait: bool, poll: float = 1.0) -> None:
        """Take the lock; if another process holds it, raise `LockHeld`, or with `wait` log
        once and poll until it is free."""
        if self.try_acquire():
            return
        if not wait:
            raise LockHeld(self.where, self.holder())
        log.warning("%s; waiting for it to finish", LockHeld(self.where, self.holder()))
        while not self.try_acquire():
            time.sleep(poll)


class DataLock(WaitingLock):
    def __init__(self, data_path: Path) -> None:
        self.path = self.where = data_path.with_name(data_path.name + ".lock")
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        with contextlib.suppress(OSError):
            return self.path.read_text(encoding="ascii").strip()
        return ""

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataLock:
        self.acquire(wait=False)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    async def holds(self) -> bool:
        """An flock cannot be taken away from a living process."""
        return self._fd is not None
