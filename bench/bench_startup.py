"""Start-up and memory: from process start to a ready bot (content loaded, store open, search
index built) with a 1,100-issue archive, a 10,000-term glossary and 100,000 subscribers;
peak RSS of that process. Cold = first start (parses every issue); warm = content cache present."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_store import seed_file
from bench.common import report
from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import asyncio, sys, time
from pathlib import Path
from bot.app import Settings, build
from bot.config import load_settings
settings, _ = load_settings(Path(sys.argv[1]), Settings)
app = build(settings, Path(sys.argv[1]))
ready = time.time()
app.content.archive.prepare_search()  # `run` builds it in a worker thread after start-up
indexed = time.time()
# VmHWM: this process image's peak. (ru_maxrss would carry over the parent's size from fork.)
status = open("/proc/self/status").read()
rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
subscribers = asyncio.run(app.store.subscriptions.count())
print(ready, indexed, rss, app.content.summary()["issues"], subscribers)
"""


def _start(config: Path) -> tuple[float, float, float]:
    began = time.time()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(config)], capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"start-up probe failed:\n{done.stderr[-2000:]}")
    ready, indexed, rss, issues, subscribers = done.stdout.split()
    assert int(issues) == 1100 and int(subscribers) == 100_000, done.stdout
    return float(ready) - began, float(indexed) - began, float(rss)


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "content", issues=1100, terms=10_000)
        (root / "data").mkdir()
        seed_file(root / "data" / "briefing.json", 100_000)
        config = root / "config.toml"
        config.write_text(
            '[bot]\ncontent_dir = "content"\ndata_path = "data/briefing.json"\n', encoding="utf-8"
        )
        cold, _, cold_rss = _start(config)
        warm, indexed, warm_rss = _start(config)
    return [
        report("start-up, cold (no content cache): process start to ready", cold * 1e3, "ms"),
        report(
            "start-up, warm: process start to ready", warm * 1e3, "ms", cold * 1e3, "< 2,000 ms"
        ),
        report("start-up, warm: search index ready (built after start-up)", indexed * 1e3, "ms"),
        report("peak RSS, cold", cold_rss, "MB"),
        report("peak RSS, warm, search index built", warm_rss, "MB", goal="< 200 MB"),
    ]


if __name__ == "__main__":
    print("\n".join(main()))
