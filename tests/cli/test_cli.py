"""The `briefing-bot` command as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONTENT
from tests.support.cli import run


def test_piped_console_answers_each_line_and_exits_0(config: Path) -> None:
    done = run("console", "--config", str(config), stdin="/term NP-hard\n/issue 1\n")
    assert done.returncode == 0, done.stderr
    assert "■ NP-hard" in done.stdout and "at least as difficult as NP-complete" in done.stdout
    assert "■ 제 0001호 뉴랄브리핑(2019년 5월 30일)" in done.stdout
    assert "└ 10/10" in done.stdout and "Microsoft Research Potcast" in done.stdout
    assert "Traceback" not in done.stderr


def test_subscription_made_in_the_console_survives_a_restart(config: Path) -> None:
    assert "구독했습니다" in run("console", "--config", str(config), stdin="/subscribe\n").stdout
    again = run("console", "--config", str(config), stdin="/subscribe\n/stats\n")
    assert "이미 구독 중" in again.stdout and "구독자 1명" in again.stdout
    assert (config.parent / "data" / "briefing.json").exists()


def test_run_with_only_the_console_shows_the_latest_issue_then_takes_commands(config: Path) -> None:
    done = run("run", "--config", str(config), stdin="/term BERT\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("제 0001호 뉴랄브리핑") < done.stdout.index("■ BERT")


def test_validate_prints_a_summary(config: Path) -> None:
    done = run("validate", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 1 issues, 9 sections, 15 items, 25 terms")


def test_validate_reports_path_and_line_and_exits_nonzero(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    broken = tmp_path / "content" / "issues" / "0002.md"
    broken.write_text(
        '+++\nnumber = 2\ndate = 2019-05-31\ntitle = "x"\n+++\n\n## arXiv\n\n- item\n  - [요엑] tag\n',
        encoding="utf-8",
    )
    done = run("validate", str(tmp_path / "content"))
    assert done.returncode == 2
    assert f"{broken}:10: unknown note tag [요엑]" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_config_is_one_line_per_problem_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot]\nlanguage = 'fr'\n[slack]\nhttp_port = -1\n", encoding="utf-8")
    done = run("console", "--config", str(bad))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"{bad}:2: [bot] language: Input should be 'ko' or 'en'",
        f"{bad}:4: [slack] http_port: Input should be greater than or equal to 1",
    ]


def test_a_corrupt_data_file_stops_start_up_clearly(config: Path) -> None:
    data = config.parent / "data"
    data.mkdir()
    (data / "briefing.json").write_text("{not json", encoding="utf-8")
    done = run("console", "--config", str(config), stdin="/help\n")
    assert done.returncode == 2
    assert (
        f"{data / 'briefing.json'}: not valid JSON" in done.stderr
        and "Traceback" not in done.stderr
    )
    assert (data / "briefing.json").read_text(encoding="utf-8") == "{not json"


def test_preview_prints_the_console_thread(config: Path) -> None:
    done = run("preview", "1", "--config", str(config))
    assert done.returncode == 0 and "└ 1/10" in done.stdout


@pytest.mark.parametrize(
    ("platform", "expected"),
    [("telegram", "--- message 11/11"), ("slack", '"thread_ts": "<parent ts>"')],
)
def test_preview_prints_what_each_platform_would_be_sent(
    config: Path, platform: str, expected: str
) -> None:
    done = run("preview", "1", "--platform", platform, "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_the_console_refuses_a_data_file_another_bot_holds(config: Path) -> None:
    from bot.store.lock import DataLock

    with DataLock(config.parent / "data" / "briefing.json") as lock:
        assert lock is not None
        done = run("console", "--config", str(config), stdin="/subscribe\n")
    assert done.returncode == 75
    assert "briefing-bot console:" in done.stderr and "Traceback" not in done.stderr


def test_a_content_dir_without_issues_names_the_key_and_the_folder(tmp_path: Path) -> None:
    empty = tmp_path / "content"
    empty.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ncontent_dir = "{empty}"\n', encoding="utf-8")
    done = run("console", "--config", str(config), stdin="/help\n")
    assert done.returncode == 2
    assert done.stderr.strip() == f"[bot] content_dir: {empty} has no issues/ folder"
    given = run("validate", str(empty))
    assert (given.returncode, given.stderr.strip()) == (2, f"{empty} has no issues/ folder")


def validate_with_issue_2(
    tmp_path: Path, note: str, front: str = ""
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`validate` of the real content plus an issue 2 whose one item has `note` (line 10, or
    11 with one more `front` matter line): what it said, and the file."""
    shutil.copytree(CONTENT, tmp_path / "content")
    extra = tmp_path / "content" / "issues" / "0002.md"
    head = f'+++\nnumber = 2\ndate = 2019-05-31\ntitle = "x"\n{front}+++\n\n## arXiv\n\n'
    extra.write_text(f"{head}- [p](https://arxiv.org/abs/1)\n  - {note}\n", encoding="utf-8")
    done = run("validate", str(tmp_path / "content"))
    assert done.returncode == 0, done.stderr
    return done, extra


def test_validate_warns_of_tex_it_cannot_render_with_file_and_line(tmp_path: Path) -> None:
    done, extra = validate_with_issue_2(tmp_path, "[요약] ratio $\\frac{a}{b}$")
    assert f"{extra}:10: warning: TeX $\\frac{{a}}{{b}}$ kept as written" in done.stderr


def test_run_with_only_the_console_keeps_log_lines_out_of_the_conversation(
    config: Path,
) -> None:
    quiet = run("run", "--config", str(config), stdin="/term BERT\n")
    assert quiet.returncode == 0, quiet.stderr
    assert " INFO " not in quiet.stderr and " INFO " not in quiet.stdout
    assert "web archive: http://127.0.0.1:" in quiet.stderr  # the one line the console shows
    loud = run("run", "-v", "--config", str(config), stdin="/term BERT\n")
    assert "INFO bot.core.conversation.service: command term" in loud.stderr


def test_validate_warns_of_trivia_and_keywords_the_glossary_does_not_know(tmp_path: Path) -> None:
    done, extra = validate_with_issue_2(
        tmp_path,
        "**[토막상식]** 양자요리란 아무도 모르는 것임.",
        'keywords = ["AutoML", "양자요리"]\n',
    )
    assert f"{extra}:11: warning: 토막상식 with no glossary entry: '양자요리란" in done.stderr
    assert f"{extra}: warning: keyword '양자요리' has no glossary entry" in done.stderr
    assert "keyword 'AutoML'" not in done.stderr  # known terms are not reported
    seed = run("validate")  # the real content: every 토막상식 and keyword has its entry
    assert "glossary entry" not in seed.stderr
