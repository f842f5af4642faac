"""The one poller: wait until a condition holds, for effects nothing can be awaited on (a
fake's record, the store, a fake clock's sleepers), instead of a fixed sleep."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

import pytest

Condition = Callable[[], object] | Callable[[], Awaitable[object]]


async def until(condition: Condition, what: str = "", within: float = 15.0) -> None:
    """Poll `condition` (a function, or an async one for the store) every 5 ms until it is
    true; fail the test, naming `what`, after `within` seconds."""
    try:
        async with asyncio.timeout(within):
            while True:
                held = condition()
                if inspect.isawaitable(held):
                    held = await held
                if held:
                    return
                await asyncio.sleep(0.005)
    except TimeoutError:
        pytest.fail(f"timed out after {within} s waiting until {what or condition}")
