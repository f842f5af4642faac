"""`briefing-bot new`, drafts and `publish_at` as an editor meets them: real subprocesses, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.parser import parse_issue_file
from tests.conftest import ROOT, SEED
from tests.content.issue_files import content_copy, second_issue
from tests.support.cli import run


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return content_copy(tmp_path)


@pytest.fixture
def config(tmp_path: Path, folder: Path) -> Path:
    path = tmp_path / "config.toml"
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    path.write_text(
        text.replace('content_dir = "content"', f'content_dir = "{folder}"'), encoding="utf-8"
    )
    return path


def test_new_writes_the_next_draft_with_the_usual_sections_and_never_overwrites(
    config: Path, folder: Path
) -> None:
    done = run("new", "--date", "2019-05-31", "--config", str(config))
    assert done.returncode == 0, done.stderr
    path = folder / "issues" / "0002.md"
    assert done.stdout.splitlines()[0] == str(path) and "validate" in done.stdout
    issue, warnings = parse_issue_file(path)
    assert (issue.number, issue.date.isoformat(), issue.draft, issue.title) == (
        2,
        "2019-05-31",
        True,
        "뉴랄브리핑",
    )
    headings = [
        line[3:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")
    ]
    assert (
        headings[:2] == ["구글블로그", "AWS Machine Learning Blog"]
        and headings[-1] == "Useful links"
    )
    assert any("has no items" in p.message for p in warnings)
    again = run("new", "--config", str(config))
    assert again.returncode == 0 and again.stdout.startswith(str(folder / "issues" / "0003.md"))
    assert parse_issue_file(path)[0].date.isoformat() == "2019-05-31"  # 0002 untouched


def test_a_draft_is_shown_by_validate_and_preview_but_not_by_latest(
    config: Path, folder: Path
) -> None:
    (folder / "issues" / "0002.md").write_text(second_issue("draft = true\n"), encoding="utf-8")
    checked = run("validate", "--config", str(config))
    assert checked.returncode == 0, checked.stderr
    assert (
        "ok: 2 issues" in checked.stdout
        and "issue 2 (" in checked.stdout
        and "a draft" in checked.stdout
    )
    shown = run("preview", "2", "--config", str(config))
    assert shown.returncode == 0 and "is a draft" in shown.stderr and "제 0002호" in shown.stdout
    console = run("console", "--config", str(config), stdin="/latest\n/search 제2호\n/issue 2\n")
    assert "제 0001호" in console.stdout and "제 0002호" not in console.stdout


def test_validate_lists_what_is_released_next_and_when(config: Path, folder: Path) -> None:
    (folder / "issues" / "0002.md").write_text(
        second_issue("publish_at = 2999-12-02T08:30:00+09:00\n"), encoding="utf-8"
    )
    checked = run("validate", "--config", str(config))
    assert (
        "issue 2 (" in checked.stdout and "released at 2999-12-02T08:30:00+09:00" in checked.stdout
    )


def test_publish_at_without_a_zone_is_an_error_at_its_line(config: Path, folder: Path) -> None:
    path = folder / "issues" / "0002.md"
    path.write_text(second_issue("publish_at = 2026-12-02T08:30:00\n"), encoding="utf-8")
    checked = run("validate", "--config", str(config))
    assert checked.returncode == 2 and f"{path}:3: 'publish_at' needs a zone" in checked.stderr


def test_import_writes_the_seed_as_a_new_issue_and_refuses_an_existing_number(
    config: Path, folder: Path
) -> None:
    existing = folder / "issues" / "0001.md"
    before = existing.read_bytes()
    refused = run("import", str(SEED), "--config", str(config))
    assert refused.returncode == 2 and "0001.md already exists" in refused.stderr
    assert existing.read_bytes() == before
    done = run("import", str(SEED), "--number", "2", "--config", str(config))
    assert done.returncode == 0, done.stderr
    path = folder / "issues" / "0002.md"
    assert done.stdout.splitlines()[0] == str(path)
    assert parse_issue_file(path)[0].number == 2
    assert run("validate", "--config", str(config)).returncode == 0


def test_import_check_prints_the_issue_and_writes_nothing(config: Path, folder: Path) -> None:
    before = sorted(p.name for p in (folder / "issues").iterdir())
    done = run("import", str(SEED), "--number", "5", "--check", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("+++\nnumber = 5\n") and "## 구글블로그" in done.stdout
    assert sorted(p.name for p in (folder / "issues").iterdir()) == before


def test_import_reports_a_line_it_cannot_place_and_keeps_it(
    config: Path, folder: Path, tmp_path: Path
) -> None:
    source = tmp_path / "issue.txt"
    source.write_text(
        "2019년 5월 31일\n\n제 0002호 뉴랄브리핑\n\n소스\n - stray\n- Item\n", encoding="utf-8"
    )
    done = run("import", str(source), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert f"{source}:6: warning: a note before any item" in done.stderr
    written = (folder / "issues" / "0002.md").read_text(encoding="utf-8")
    assert "stray" in written and "Item" in written  # kept as a note of the nearest item
