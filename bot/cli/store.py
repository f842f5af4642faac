"""`briefing-bot store dump|load|copy` (bot/store/transfer.py) and `briefing-bot audit`.

A store is named by a tinydb file's path or a PostgreSQL URL; `dump` reads, and `load` writes,
the configured one (DATABASE_URL, else `[bot] data_path`) unless `--from`/`--to` names another.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

from bot.store.common import StoreUnavailable

EXIT_REFUSED = 1


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    store = sub.add_parser("store", parents=[common], help="back up, restore and move the store")
    actions = store.add_subparsers(dest="action", required=True)
    where = "a tinydb file or postgresql://user:pass@host/db (default: the configured store)"
    dump = actions.add_parser(
        "dump", parents=[common], help="write every record of the store to FILE as JSON lines"
    )
    dump.add_argument("file", type=Path, metavar="FILE")
    dump.add_argument("--from", dest="source", help=where)
    load = actions.add_parser(
        "load", parents=[common], help="load a dump into an empty store, in one transaction"
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--to", dest="target", help=where)
    copy = actions.add_parser(
        "copy", parents=[common], help="copy one store into another, empty one (dump + load)"
    )
    copy.add_argument("--from", dest="source", required=True, help=where)
    copy.add_argument("--to", dest="target", required=True, help=where)
    audit = sub.add_parser("audit", parents=[common], help="print the audit log")
    audit.add_argument("--since", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: all)")


def store_command(args: argparse.Namespace, configured: str) -> int:
    from bot.store import transfer

    try:
        if args.action == "dump":
            source = args.source or configured
            with args.file.open("w", encoding="utf-8") as out:
                counts = transfer.dump(source, out)
            for kind, count in counts.items():
                print(f"{kind}: {count} from {transfer.describe(source)}")
            return 0
        if args.action == "load":
            target = args.target or configured
            with args.file.open(encoding="utf-8") as lines:
                ours, theirs = transfer.load(lines, str(args.file), target, progress=_say)
            return _compared(ours, theirs, str(args.file), transfer.describe(target), "load")
        ours, theirs = transfer.copy(args.source, args.target, progress=_say)
        source, target = transfer.describe(args.source), transfer.describe(args.target)
        return _compared(ours, theirs, source, target, "copy")
    except (transfer.TransferRefused, StoreUnavailable, FileNotFoundError) as exc:
        print(f"briefing-bot store {args.action}: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def _say(line: str) -> None:
    print(line, flush=True)


def _compared(ours: dict[str, int], theirs: dict[str, int], src: str, dst: str, what: str) -> int:
    for kind, count in ours.items():
        print(f"{kind}: {count} in {src}, {theirs[kind]} in {dst}")
    if ours != theirs:
        print(f"briefing-bot store {what}: the counts differ", file=sys.stderr)
        return EXIT_REFUSED
    return 0


def audit_command(since: dt.date | None, configured: str, audit_days: int) -> int:
    """Print the audit log, oldest first (from `since`, or all the log keeps)."""
    from bot.store.backend import Backend, open_tinydb
    from bot.store.postgres.backend import open_postgres
    from bot.store.transfer import is_database

    database = is_database(configured)
    if not database and not Path(configured).exists():
        return 0  # no data file: nothing was ever recorded
    backend: Backend = (
        open_postgres(configured, pool_size=1, audit_days=audit_days)
        if database
        else open_tinydb(Path(configured), read_only=True, audit_days=audit_days)
    )

    async def read() -> list[str]:
        start = dt.datetime.combine(since or dt.date.min, dt.time(), dt.UTC)
        try:
            return [entry.line() for entry in await backend.audit.since(start)]
        finally:
            if database:
                await backend.close()  # read only: a tinydb file is never written here

    for line in asyncio.run(read()):
        print(line)
    return 0
