"""Settings: `config.toml` (see config.example.toml) plus the environment, validated by pydantic.

One model per section, unknown keys rejected. Environment variables override the file as
`BRIEFING_<SECTION>__<KEY>` (e.g. `BRIEFING_BOT__LANGUAGE=en`); secrets come only from the
environment (`DATABASE_URL`, each platform's tokens). Every problem is reported as
`path:line: message`.

The platforms' sections and secrets are theirs (`bot/adapters/<platform>/settings.py`): the
composition root composes the whole model from its platform list (`settings_model`), so this
module names no platform.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from croniter import croniter
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

_SECRET_KEY = re.compile(r"token|secret|password", re.IGNORECASE)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlatformSection(_Section):
    """A platform's section (`[slack]`, ...): each platform's own settings model extends it."""

    enabled: bool = False


class BotSection(_Section):
    platforms: ClassVar[frozenset[str]] = frozenset()  # the admins' prefixes (`settings_model`)
    content_dir: Path = Path("content")
    data_path: Path = Path("data/briefing.json")
    timezone: str = "Asia/Seoul"
    language: Literal["ko", "en"] = "ko"
    admins: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()  # may test, approve, see reports and diagnose (admins too)
    channel_opt_in: Literal["admins", "members"] = "admins"  # who may /briefing here in a channel
    feedback: bool = True  # 👍/👎 on delivered threads' parents, reactions counted per section
    # per user and per chat, in any minute (admins exempt; 0: no quota)
    commands_per_minute: int = Field(20, ge=0, le=10_000)
    audit_days: int = Field(365, ge=1, le=36_500)  # how long the audit log keeps an entry
    require_approval: bool = False  # true: an issue is released only once an editor approved it

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Asia/Seoul)"
            ) from None
        return value

    @field_validator("admins", "editors")
    @classmethod
    def _platform_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for admin in value:
            platform, _, user = admin.partition(":")
            if platform not in cls.platforms or not user:
                raise ValueError(
                    f"{admin!r} is not platform:user (e.g. slack:U0123, telegram:123456)"
                )
        return value


_BotSection = BotSection


class ScheduleSection(_Section):
    cron: str = "30 8 * * *"
    catch_up_minutes: int = Field(180, ge=0, le=24 * 60)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a 5-field cron expression (e.g. '30 8 * * *')")
        return value


class DeliverySection(_Section):
    """Corrections of issues already delivered (bot/core/delivery/corrections.py)."""

    corrections: Literal["edit", "off"] = "edit"  # edit every sent copy of a changed issue
    correction_days: int = Field(14, ge=1, le=365)  # how long sent parts' ids are kept


class WebSection(_Section):
    """The web archive and feed (bot/web). `base_url` set → chat messages link to its pages."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: str = ""
    feed_issues: int = 20  # the newest issues in full in /feed.xml and the site's feed.xml

    @field_validator("feed_issues")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError(
                f"must be 1 or more (how many newest issues the feed holds), not {value}"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(
                f"{value!r} is not an absolute http(s) URL (e.g. https://briefing.example.com/)"
            )
        return value


class MetricsSection(_Section):
    """`GET /metrics`, `/livez`, `/readyz` on a port of their own (Socket Mode, polling); every
    HTTP server of the bot serves them anyway. Unset: no server of its own."""

    port: int | None = Field(None, ge=1, le=65535)
    host: str = "0.0.0.0"


class LogSection(_Section):
    """`text`: one line per record, for a person; `json`: one object per line, for a collector."""

    format: Literal["text", "json"] = "text"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        extra="forbid", env_prefix="BRIEFING_", env_nested_delimiter="__", frozen=True
    )

    bot: BotSection = BotSection()
    schedule: ScheduleSection = ScheduleSection()
    delivery: DeliverySection = DeliverySection()
    web: WebSection = WebSection()
    metrics: MetricsSection = MetricsSection()
    log: LogSection = LogSection()
    # a platform's environment variables, by its section, named when the file holds a secret
    env_secrets: ClassVar[Mapping[str, str]] = {}

    def section(self, name: str) -> PlatformSection:
        """The platform section `[name]` (the composed model has one field per platform)."""
        found = getattr(self, name)
        assert isinstance(found, PlatformSection)
        return found

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # the environment overrides the file


class Secrets(BaseSettings):
    """Tokens, read only from the environment; SecretStr keeps them out of reprs and logs. A
    platform's tokens are its own model of this kind (`SlackSecrets`, ...)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: SecretStr | None = None  # its password is masked in logs (bot/cli/logsafe.py)


def settings_model(platforms: Mapping[str, tuple[type[PlatformSection], str]]) -> type[Settings]:
    """`Settings` with a section per platform (`{"slack": (SlackSection, "SLACK_BOT_TOKEN, …")}`,
    the second the environment variables its secrets come from); `[bot] admins` may name only
    these platforms."""

    names = frozenset(platforms)

    class BotSection(_BotSection):  # named as the errors name it ("instance of BotSection")
        platforms: ClassVar[frozenset[str]] = names

    fields: dict[str, Any] = {
        name: (section, section()) for name, (section, _) in platforms.items()
    }
    model = create_model("Settings", __base__=Settings, bot=(BotSection, BotSection()), **fields)
    model.env_secrets = {name: env for name, (_, env) in platforms.items() if env}
    assert issubclass(model, Settings)
    return model


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_settings(path: str | Path | None, model: type[Settings]) -> tuple[Settings, list[str]]:
    """Settings (the `model` composed by `settings_model`) and warnings from a TOML file (None:
    defaults + environment only)."""
    data: dict[str, Any] = {}
    warnings: list[str] = []
    lines: list[str] = []
    where = str(path) if path else "<defaults>"
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{where}: cannot read the config file ({exc})"]) from None
        lines = text.split("\n")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
            raise ConfigError([f"{where}:{line}: not valid TOML: {exc}"]) from None
        warnings = _drop_secrets(data, lines, where, model.env_secrets)
    try:
        return model(**data), warnings
    except ValidationError as exc:
        raise ConfigError([_describe(err, lines, where) for err in exc.errors()]) from None


def _drop_secrets(
    data: dict[str, Any], lines: list[str], where: str, env_secrets: Mapping[str, str]
) -> list[str]:
    warnings = []
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        for key in [k for k in values if _SECRET_KEY.search(k)]:
            del values[key]
            env = env_secrets.get(section, "an environment variable")
            line = _line_of(lines, (section, key))
            warnings.append(
                f"{where}:{line}: warning: [{section}] {key} looks like a secret; secrets are read "
                f"only from the environment ({env}), so this value is ignored"
            )
    return warnings


def _describe(err: Any, lines: list[str], where: str) -> str:
    loc = tuple(str(part) for part in err["loc"])
    line = _line_of(lines, loc)
    name = f"[{loc[0]}] {'.'.join(loc[1:])}" if len(loc) > 1 else f"[{loc[0]}]" if loc else "config"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against config.example.toml)"
    return f"{where}:{line}: {name}: {message}"


def _line_of(lines: list[str], loc: tuple[str, ...]) -> int:
    """Best line for a (section, key) location: the key's line, else the section's, else 1."""
    section_line = 0
    current = ""
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            current = stripped.strip("[]").strip()
            if loc and current == loc[0]:
                section_line = number
        elif len(loc) > 1 and current == loc[0] and re.match(rf"{re.escape(loc[1])}\s*=", stripped):
            return number
    return section_line or 1
