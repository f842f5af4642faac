"""`briefing-bot`: run, console, validate, preview, test, post, site. Parses arguments; the
composition root (`bot.app`) builds."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.store import add_parser as add_store_parser
from bot.config import ConfigError, Settings, load_settings
from bot.content.checks import glossary_gaps
from bot.content.errors import ContentError, MissingContent
from bot.content.loader import load_content
from bot.store import StoreCorrupt
from bot.store.common import StoreUnavailable

if TYPE_CHECKING:
    from bot.app import Bot

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: the database cannot be reached (or is too new)
EXIT_BUSY = 75  # EX_TEMPFAIL: another process is delivering with this data file or database
EXIT_STOPPED = 143  # 128 + SIGTERM: `post` was stopped; the next run resumes where it ended
log = logging.getLogger("bot")


def parser() -> argparse.ArgumentParser:
    from bot.app import PLATFORMS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="config TOML file")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    top = argparse.ArgumentParser(
        prog="briefing-bot", parents=[common], description="뉴랄브리핑 (Neural Briefing) bot"
    )
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("run", parents=[common], help="start every enabled platform")
    sub.add_parser("console", parents=[common], help="chat with the bot in this terminal")
    validate = sub.add_parser("validate", parents=[common], help="check content, print a summary")
    validate.add_argument(
        "dir", nargs="?", type=Path, help="content folder (default: bot.content_dir)"
    )
    preview = sub.add_parser("preview", parents=[common], help="print issue N as it would be sent")
    preview.add_argument("number", type=int)
    names = [platform.name for platform in PLATFORMS]
    local = next(platform.name for platform in PLATFORMS if platform.in_terminal)
    preview.add_argument("--platform", choices=names, default=local)
    post = sub.add_parser(
        "post",
        parents=[common],
        help="deliver once: the newest issue to every destination that has not had it",
    )
    post.add_argument("--issue", type=int, help="deliver issue N instead of the newest")
    post.add_argument(
        "--dry-run", action="store_true", help="log what would be sent; send and record nothing"
    )
    correct = sub.add_parser(
        "correct", parents=[common], help="edit every sent copy of issue N whose text changed"
    )
    correct.add_argument("number", type=int)
    correct.add_argument(
        "--dry-run", action="store_true", help="list the changed parts and the copies each edits"
    )
    test = sub.add_parser(
        "test",
        parents=[common],
        help="send issue N to one person's DM as a test (recorded nowhere)",
    )
    test.add_argument("number", type=int, nargs="?", help="default: the next to be released")
    test.add_argument("--to", required=True, metavar="PLATFORM:USER", help="e.g. slack:U0123")
    new = sub.add_parser("new", parents=[common], help="write the next issue's file, a draft")
    new.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: next edition)")
    imported = sub.add_parser(
        "import", parents=[common], help="convert an issue in the author's plain format"
    )
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--number", type=int, help="the issue number (default: its header's)")
    imported.add_argument("--check", action="store_true", help="print the result; write nothing")
    add_store_parser(sub, common)
    site = sub.add_parser("site", parents=[common], help="write the web archive as static files")
    site.add_argument("out", type=Path, metavar="OUT_DIR")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "aiohttp.access", "slack_bolt", "slack_sdk", "telegram"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    # markdown-it logs every rule it tries at DEBUG: thousands of lines per issue parsed, which
    # drowned `-v` (and, with a reader slower than the parser, blocked the loop on a full pipe)
    logging.getLogger("markdown_it").setLevel(logging.INFO)
    from bot.app import PLATFORMS
    from bot.app import Settings as Composed
    from bot.cli.logsafe import install
    from bot.config import Secrets

    install([Secrets(), *(model() for p in PLATFORMS if (model := p.secrets[0]) is not None)])
    config = getattr(args, "config", None) or _default_config()
    try:
        settings, warnings = load_settings(config, Composed)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    for message in warnings:
        print(message, file=sys.stderr)
    if settings.log.format == "json":
        from bot.cli.logjson import use_json

        use_json()
    try:
        return _dispatch(args, settings, config)
    except MissingContent as exc:  # a config fault: name the key, unless the folder was given
        given = getattr(args, "dir", None) is not None
        print(exc.describe(None if given else "[bot] content_dir"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ContentError as exc:
        for content_problem in exc.problems:
            print(content_problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    except StoreCorrupt as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except ConfigError as exc:  # found while starting a platform (a missing token, ...)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def _default_config() -> Path | None:
    env = os.environ.get("BRIEFING_CONFIG")
    if env:
        return Path(env)
    return Path("config.toml") if Path("config.toml").exists() else None


def _dispatch(args: argparse.Namespace, settings: Settings, config: Path | None) -> int:
    from bot import app as application

    if args.command == "validate":
        content_dir = args.dir or application.resolve(settings, config, settings.bot.content_dir)
        return _validate(settings, config, content_dir)
    if args.command == "test":
        from bot.cli.editors import test_send

        return test_send(settings, config, args.number, args.to)
    if args.command in ("new", "import"):
        from bot.cli import editors

        content_dir = application.resolve(settings, config, settings.bot.content_dir)
        if args.command == "import":
            return editors.import_file(content_dir, args.file, args.number, check=args.check)
        return editors.new_issue(content_dir, application.schedule_of(settings), args.date)
    if args.command in ("store", "audit"):
        from bot.cli.store import audit_command, store_command

        storage = application.open_backend(settings, config)
        configured = storage.database_url or str(storage.data_path)
        if args.command == "audit":
            return audit_command(args.since, configured, settings.bot.audit_days)
        return store_command(args, configured)
    if args.command in ("run", "post", "console", "correct"):
        return _locked(args, settings, config)
    if args.command == "site":
        written = application.site(settings, config, args.out)
        print(f"wrote {written} files to {args.out}")
        return 0
    if args.command == "preview":
        from bot.app.editors import approval_states
        from bot.cli.preview import preview

        archive, render = application.preview_of(settings, config, args.platform)
        state = approval_states(settings, config, archive).get(args.number)
        if state is not None and archive.entry(args.number) is not None:
            print(f"issue {args.number}: {state}", file=sys.stderr)
        return preview(archive, args.number, render)
    raise AssertionError(f"unhandled command {args.command!r}")


def _quiet_in_conversation(args: argparse.Namespace, settings: Settings) -> None:
    """Keep the bot's INFO lines out of a conversation in this terminal (`-v` brings them back).

    `console` is always a conversation. `run` is one when the console platform is enabled and
    either reads an interactive terminal (`make run`) or is the only platform: then the answers
    are the output and stderr shows warnings at most. `run` with Slack or Telegram enabled and
    stdin not a terminal (a service, a container) is a server: its INFO log stays on stderr.
    The web archive's address is shown either way."""
    from bot.app import enabled

    if getattr(args, "verbose", False):
        return
    if args.command == "run":
        running = enabled(settings)
        if not any(platform.in_terminal for platform, _ in running):
            return
        others = any(not platform.in_terminal for platform, _ in running)
        if others and not sys.stdin.isatty():
            return
    logging.getLogger("bot").setLevel(logging.WARNING)
    # except where the web archive is served: the one line a person at the console needs,
    # shown as a plain line ("web archive: http://…"), not as a log record
    web = logging.getLogger("bot.web")
    web.setLevel(logging.INFO)
    web.propagate = False
    plain = logging.StreamHandler(sys.stderr)
    plain.setFormatter(logging.Formatter("%(message)s"))
    web.addHandler(plain)


def _console(built: Bot) -> int:
    from bot import app as application

    asyncio.run(application.converse(built, show_latest=sys.stdin.isatty()))
    return 0


def _locked(args: argparse.Namespace, settings: Settings, config: Path | None) -> int:
    """`run`, `post` and `console` own the store while they live (store/lock.py, postgres/lock.py;
    `open_backend` chooses the store and its lock together):
    `post` and `console` exit with EXIT_BUSY if another process holds it; `run` on the tinydb
    file waits for it, and on PostgreSQL starts at once as a replica that leads while it holds
    the lock (bot/app/replica.py). A dry run only reads: no lock, the store read-only."""
    from bot import app as application
    from bot.store.lock import LockHeld

    storage = application.open_backend(settings, config)
    lock = storage.lock
    dry_run = args.command in ("post", "correct") and args.dry_run
    replica = args.command == "run" and storage.replicas
    try:
        if not dry_run and not replica:
            lock.acquire(wait=args.command == "run")
    except LockHeld as exc:
        outcome = (
            "nothing sent" if args.command in ("post", "correct") else "stop it or talk to it there"
        )
        print(f"briefing-bot {args.command}: {exc}; {outcome}", file=sys.stderr)
        return EXIT_BUSY
    try:
        if args.command in ("run", "console"):
            _quiet_in_conversation(args, settings)
        built = application.build(
            settings, config, storage=storage, read_only=dry_run, replica=replica
        )  # a replica leads once it holds the lock
        if args.command == "console":
            return _console(built)
        if args.command == "run":
            asyncio.run(application.run(built, lock))
            return 0
        if args.command == "correct":
            return _correct(built, args.number, dry_run)
        return _post(built, args.issue, dry_run)
    finally:
        lock.release()


def _post(built: Bot, issue: int | None, dry_run: bool) -> int:
    from bot import app as application

    if issue is not None and built.content.archive.get(issue) is None:
        print(f"briefing-bot post: there is no issue {issue}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = asyncio.run(application.post(built, issue=issue, dry_run=dry_run))
    print(("dry run: " if dry_run else "") + report.summary)
    for failure in report.failures:
        print(f"failed: {failure}", file=sys.stderr)
    if report.failed:
        return 1
    return EXIT_STOPPED if report.stopped else 0


def _correct(built: Bot, number: int, dry_run: bool) -> int:
    """`briefing-bot correct N [--dry-run]`: the changed parts and the copies each would edit
    (or edits), then the summary."""
    from bot import app as application

    if built.content.archive.get(number) is None:
        print(f"briefing-bot correct: there is no issue {number}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = asyncio.run(application.correct(built, number, dry_run=dry_run))
    for part, copies in sorted(report.changed.items()):
        print(f"{part}: changed, {copies} cop{'y' if copies == 1 else 'ies'} to edit")
    print(("dry run: " if dry_run else "") + report.summary)
    for reason, count in sorted(report.failed.items()):
        print(f"failed: {count} × {reason}", file=sys.stderr)
    return EXIT_STOPPED if report.stopped else 0


def _validate(settings: Settings, config: Path | None, content_dir: Path) -> int:
    from bot import app as application
    from bot.app.editors import approval_states

    release = application.schedule_of(settings).release()
    content = load_content(content_dir)  # raises ContentError with every problem
    warnings = [*content.warnings, *glossary_gaps(content)]
    for warning in warnings:
        print(warning, file=sys.stderr)
    summary = content.summary()
    counts = ", ".join(f"{value} {key}" for key, value in summary.items())
    print(f"ok: {counts} ({len(warnings)} warnings)")
    states = approval_states(settings, config, content.archive)
    for entry, at in release.upcoming(content.archive, datetime.now(UTC)):
        when = f"released at {at.isoformat()}" if at else "a draft: never released"
        state = f"; {states[entry.number]}" if entry.number in states else ""
        print(f"issue {entry.number} ({entry.path}): {when}{state}")
    return 0
