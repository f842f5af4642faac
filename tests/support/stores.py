"""The store contract's opener: what the `reopen` fixture (tests/conftest.py) hands a test, to
open a store backend, again and again on the same file or database as a restarted bot would."""

from __future__ import annotations

from collections.abc import Callable

from bot.store.backend import Backend

Opener = Callable[[], Backend]
