"""`briefing-bot store copy --from FILE --to URL`: a tinydb file into an empty database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.store.common import StoreUnavailable

EXIT_REFUSED = 1


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    store = sub.add_parser("store", parents=[common], help="move the store between backends")
    actions = store.add_subparsers(dest="action", required=True)
    copy = actions.add_parser(
        "copy", parents=[common], help="copy a tinydb file into an empty PostgreSQL database"
    )
    copy.add_argument("--from", dest="source", type=Path, required=True, help="the tinydb file")
    copy.add_argument("--to", dest="target", required=True, help="postgresql://user:pass@host/db")


def store_copy(source: Path, target: str) -> int:
    from bot.store.transfer import CopyRefused, copy

    try:
        ours, theirs = copy(source, target, progress=lambda line: print(line, flush=True))
    except (CopyRefused, StoreUnavailable) as exc:
        print(f"briefing-bot store copy: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    for kind, count in ours.items():
        print(f"{kind}: {count} in {source}, {theirs[kind]} in the database")
    if ours != theirs:
        print("briefing-bot store copy: the counts differ", file=sys.stderr)
        return EXIT_REFUSED
    return 0
