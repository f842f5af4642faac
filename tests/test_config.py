"""Config: the example loads; every kind of mistake is one clear `path:line` line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Settings
from bot.config import ConfigError, load_settings
from tests.conftest import ROOT


def test_the_example_config_loads_with_every_documented_key() -> None:
    settings, warnings = load_settings(ROOT / "config.example.toml", Settings)
    assert warnings == []
    assert settings.bot.timezone == "Asia/Seoul" and settings.schedule.cron == "30 8 * * *"
    assert settings.console.enabled and not settings.slack.enabled and not settings.telegram.enabled
    assert settings.telegram.chats == (-1001234567890,) and settings.slack.http_port == 3000
    assert settings.web.enabled and (settings.web.host, settings.web.port) == ("127.0.0.1", 8080)
    assert settings.web.base_url == "" and settings.web.feed_issues == 20


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, Settings)
    return [p.replace(f"{tmp_path}/", "") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("[bot]\nlanguage = 'fr'\n", "c.toml:2: [bot] language: Input should be 'ko' or 'en'"),
     ("[slack]\nhttp_port = 'x'\n", "c.toml:2: [slack] http_port: Input should be a valid integer"),
     ("[slack]\nhttp_port = 70000\n", "c.toml:2: [slack] http_port: Input should be less than or equal to 65535"),
     ("[schedule]\ncron = '61 8 * * *'\n", "c.toml:2: [schedule] cron: '61 8 * * *' is not a 5-field cron"),
     ("[bot]\ntimezone = 'Mars/Base'\n", "c.toml:2: [bot] timezone: unknown time zone 'Mars/Base'"),
     ("[bot]\nadmins = ['U1']\n", "c.toml:2: [bot] admins: 'U1' is not platform:user"),
     ("[bot]\neditors = ['x']\n", "c.toml:2: [bot] editors: 'x' is not platform:user"),
     ("[telegram]\nchanels = [1]\n", "c.toml:2: [telegram] chanels: unknown key"),
     ("[teelgram]\nenabled = true\n", "c.toml:1: [teelgram]: unknown key"),
     ("[web]\nbase_url = 'briefing.example.com'\n", "c.toml:2: [web] base_url: 'briefing.example.com' is not an absolute http(s) URL"),
     ("[web]\nport = 0\n", "c.toml:2: [web] port: Input should be greater than or equal to 1"),
     ("[web]\nfeed_issues = 0\n", "c.toml:2: [web] feed_issues: must be 1 or more (how many newest issues the feed holds), not 0"),
     ("[web]\nfeed_issues = 'all'\n", "c.toml:2: [web] feed_issues: Input should be a valid integer"),
     ("[bot\n", "c.toml:1: not valid TOML")],
)  # fmt: skip
def test_each_mistake_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_token_in_the_file_warns_and_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[slack]\nenabled = false\nbot_token = 'xoxb-secret-value'\n", encoding="utf-8")
    settings, warnings = load_settings(path, Settings)
    warnings = [w.replace(f"{tmp_path}/", "") for w in warnings]
    assert len(warnings) == 1 and warnings[0].startswith(
        "c.toml:3: warning: [slack] bot_token looks like a secret"
    )
    assert "xoxb-secret-value" not in warnings[0]
    assert not settings.slack.enabled


def test_the_environment_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_BOT__LANGUAGE", "en")
    settings, _ = load_settings(ROOT / "config.example.toml", Settings)
    assert settings.bot.language == "en"


@pytest.mark.parametrize("text", ["", "[bot]\n", "[slack]\n[telegram]\n"])
def test_every_key_has_a_default_so_nothing_is_required(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    settings, warnings = load_settings(path, Settings)
    assert warnings == [] and settings.console.enabled and settings.bot.language == "ko"


def test_a_section_that_is_not_a_table_is_one_clear_line(tmp_path: Path) -> None:
    assert problems(tmp_path, 'bot = "x"\n') == [
        "c.toml:1: [bot]: Input should be a valid dictionary or instance of BotSection"
    ]
