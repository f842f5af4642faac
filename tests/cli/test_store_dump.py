"""`briefing-bot store dump` and `store load` as an operator runs them: a round trip tinydb →
PostgreSQL → tinydb keeps every record equal; a load killed half-way (SIGKILL) leaves its target
empty on either backend and simply runs again; a newer schema and a store that is not empty are
refused, naming both."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.store.kinds import KINDS
from bot.store.postgres.schema import SCHEMA_VERSION
from tests.conftest import ROOT
from tests.support.cli import run
from tests.support.records import COUNTS


def records(dump: Path) -> dict[str, list[str]]:
    """The dump's records by kind, each as canonical JSON, sorted (a dump's own order is the
    store's)."""
    lines = dump.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["schema"] == SCHEMA_VERSION
    found: dict[str, list[str]] = {kind.name: [] for kind in KINDS}
    for line in lines[1:]:
        entry = json.loads(line)
        found[entry["kind"]].append(json.dumps(entry["record"], sort_keys=True))
    return {kind: sorted(lines) for kind, lines in found.items()}


def db_counts(url: str) -> dict[str, int]:
    """The records of each kind in the database (none where the schema was never made)."""
    with psycopg.connect(url) as conn:
        made = conn.execute("SELECT to_regclass('subscriptions')").fetchone()
        if made is None or made[0] is None:
            return dict.fromkeys(COUNTS, 0)
        return {k.name: conn.execute(f"SELECT count(*) FROM {k.table}").fetchone()[0]  # type: ignore[index]
                for k in KINDS}  # fmt: skip


def target_counts(target: str) -> dict[str, int]:
    """The records of each kind in the store at `target` (a tinydb file never written: none)."""
    if target.startswith("postgresql://"):
        return db_counts(target)
    if not Path(target).exists():
        return dict.fromkeys(COUNTS, 0)
    out = Path(target).with_name("check.jsonl")
    done = run("store", "dump", str(out), "--from", target)
    assert done.returncode == 0, done.stderr
    return {kind: len(lines) for kind, lines in records(out).items()}


def test_a_round_trip_tinydb_postgres_tinydb_keeps_every_record_equal(
    data_file: Path, database_url: str, tmp_path: Path
) -> None:
    first, second, third = (tmp_path / f"dump{n}.jsonl" for n in (1, 2, 3))
    done = run("store", "dump", str(first), "--from", str(data_file))
    assert done.returncode == 0, done.stderr
    assert "subscriptions: 3 from" in done.stdout
    assert {kind: len(lines) for kind, lines in records(first).items()} == COUNTS

    loaded = run("store", "load", str(first), "--to", database_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "audit log: 2 in" in loaded.stdout and "2 in the database" in loaded.stdout
    assert db_counts(database_url) == COUNTS

    assert run("store", "dump", str(second), "--from", database_url).returncode == 0
    again = tmp_path / "again" / "briefing.json"
    assert run("store", "load", str(second), "--to", str(again)).returncode == 0
    assert run("store", "dump", str(third), "--from", str(again)).returncode == 0
    assert records(first) == records(second) == records(third)


def test_dump_and_load_use_the_configured_store(
    data_file: Path, config: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "backup.jsonl"
    assert run("store", "dump", str(dump), "--from", str(data_file)).returncode == 0
    done = run("store", "load", str(dump), "--config", str(config))
    assert done.returncode == 0, done.stderr
    configured = config.parent / "data" / "briefing.json"  # [bot] data_path of the example
    assert target_counts(str(configured)) == COUNTS


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
def test_a_load_killed_half_way_leaves_the_target_empty_and_a_rerun_completes(
    backend: str, data_file: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dump = tmp_path / "backup.jsonl"
    assert run("store", "dump", str(dump), "--from", str(data_file)).returncode == 0
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    # the header, the subscriptions and the first release: the subscriptions are written
    # (`loaded 3 subscriptions`), then the load waits for the rest of the file
    upto = next(n for n, line in enumerate(lines) if json.loads(line)["kind"] == "releases") + 1
    target = (
        request.getfixturevalue("database_url")
        if backend == "postgres"
        else str(tmp_path / "target" / "briefing.json")
    )
    pipe = tmp_path / "dump.fifo"
    os.mkfifo(pipe)
    loading = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "store", "load", str(pipe), "--to", target],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert loading.stdout is not None
        with pipe.open("w", encoding="utf-8") as feed:
            feed.writelines(lines[:upto])
            feed.flush()
            said = _read_until(loading.stdout, "loaded 3 subscriptions")
            os.kill(loading.pid, signal.SIGKILL)
            loading.wait(timeout=30)
            with contextlib.suppress(BrokenPipeError):
                feed.close()
        assert "loaded 3 subscriptions" in said
    finally:
        if loading.poll() is None:
            loading.kill()
            loading.wait()
        if loading.stdout is not None:
            loading.stdout.close()
    assert set(target_counts(target).values()) == {0}
    done = run("store", "load", str(dump), "--to", target)
    assert done.returncode == 0, done.stderr
    assert target_counts(target) == COUNTS


def _read_until(stream: Any, text: str) -> str:
    said = ""
    for line in stream:
        said += line
        if line.startswith(text):
            break
    return said


def test_a_dump_of_a_newer_schema_is_refused_naming_both(
    data_file: Path, database_url: str, tmp_path: Path
) -> None:
    dump = tmp_path / "backup.jsonl"
    assert run("store", "dump", str(dump), "--from", str(data_file)).returncode == 0
    header, *rest = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    newer = tmp_path / "newer.jsonl"
    head = json.loads(header) | {"schema": SCHEMA_VERSION + 3}
    newer.write_text(json.dumps(head) + "\n" + "".join(rest), encoding="utf-8")
    for target in (database_url, str(tmp_path / "t" / "briefing.json")):
        done = run("store", "load", str(newer), "--to", target)
        assert done.returncode == 1
        assert (
            f"version {SCHEMA_VERSION + 3}, newer than this bot's {SCHEMA_VERSION}" in done.stderr
        )
        assert set(target_counts(target).values()) == {0}


def test_a_store_that_is_not_empty_is_refused_naming_it(data_file: Path, tmp_path: Path) -> None:
    dump = tmp_path / "backup.jsonl"
    assert run("store", "dump", str(dump), "--from", str(data_file)).returncode == 0
    done = run("store", "load", str(dump), "--to", str(data_file))
    assert done.returncode == 1
    assert f"{data_file} is not empty (3 subscriptions" in done.stderr
    assert "nothing loaded" in done.stderr
    assert target_counts(str(data_file)) == COUNTS  # nothing doubled


def test_a_line_of_no_known_kind_is_refused_with_its_number(
    data_file: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "backup.jsonl"
    assert run("store", "dump", str(dump), "--from", str(data_file)).returncode == 0
    with dump.open("a", encoding="utf-8") as out:
        out.write('{"kind": "votes", "record": {"issue": 1}}\n')
    target = tmp_path / "t" / "briefing.json"
    done = run("store", "load", str(dump), "--to", str(target))
    assert done.returncode == 1 and f"backup.jsonl:{sum(COUNTS.values()) + 2}:" in done.stderr
    assert set(target_counts(str(target)).values()) == {0}


def test_briefing_bot_audit_prints_the_log_of_either_backend(
    data_file: Path, config: Path, database_url: str, tmp_path: Path
) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('data_path = "data/briefing.json"', f'data_path = "{data_file}"'),
                      encoding="utf-8")  # fmt: skip
    assert run("store", "copy", "--from", str(data_file), "--to", database_url).returncode == 0
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    for env in ({}, {"DATABASE_URL": database_url}):
        done = run("audit", "--config", str(config), env=env)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert [line[17:] for line in lines] == [
            "telegram:9 opt-in in telegram:-1005:7",
            "slack:U1 post in slack:C1: issue 1: sent 1",
        ]
        later = run("audit", "--since", tomorrow, "--config", str(config), env=env)
        assert later.returncode == 0 and later.stdout == ""
