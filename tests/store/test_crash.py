"""`kill -9` in the middle of writes never leaves a torn or empty data file, and concurrent
subscribe/unsubscribe storms end in exactly the right state."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.store import Store, Subscriptions
from tests.conftest import ROOT

WRITER = """
import asyncio, sys
from bot.store import Store, Subscriptions
async def main():
    subs = Subscriptions(Store.open(sys.argv[1]))
    n = await subs.count()
    while True:
        await subs.subscribe("telegram", str(n), str(n))
        print(n, flush=True)
        n += 1
asyncio.run(main())
"""


def test_kill_9_during_writes_never_tears_the_file(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    acknowledged = 0
    for _round in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        try:
            assert proc.stdout is not None
            for _ in range(20 + 7 * _round):  # kill at a different point each round
                line = proc.stdout.readline()
                assert line, "the writer died on its own"
                acknowledged = int(line) + 1
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()
        store = Store.open(path)  # raises StoreCorrupt on a torn file
        count = len(store.table("subscriptions"))
        assert count >= acknowledged, "an acknowledged subscription was lost"
        assert not list(tmp_path.glob("*.corrupt-*"))


async def test_a_thousand_concurrent_operations_end_in_the_right_state(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    subs = Subscriptions(Store.open(path))
    ops = []
    for n in range(1000):
        user = str(n % 300)
        ops.append(
            subs.subscribe("slack", user, f"D{user}") if n % 3 else subs.unsubscribe("slack", user)
        )
    await asyncio.gather(*ops)
    expected = set()
    for n in range(1000):  # gather starts them in order and each runs to its first await in order
        user = str(n % 300)
        if n % 3:
            expected.add(user)
        else:
            expected.discard(user)
    reopened = Subscriptions(Store.open(path))
    assert {s.user for s in await reopened.subscribers()} == expected
