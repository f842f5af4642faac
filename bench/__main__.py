"""`python -m bench` (`make bench`): run every bench/bench_*.py `main()` and print its lines.

A bench's `main()` returns its figures as lines `name: value (baseline: X, ratio: Y)`.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # benches use the fakes in tests/
    names = sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))
    for name in names:
        started = time.monotonic()
        module = importlib.import_module(f"bench.{name}")
        for line in module.main():
            print(line, flush=True)
        print(f"# {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
