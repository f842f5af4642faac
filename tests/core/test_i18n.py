"""The one string catalogue: every key in both languages with the same placeholders, every key
the code asks for exists, and no adapter (nor the conversation) says anything that is not from it."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.core import i18n
from bot.core.conversation.commands import COMMANDS

BOT = Path(__file__).resolve().parents[2] / "bot"
# Where the words a user sees are put together: every adapter, and the conversation's handlers.
SPEAKERS = [
    *sorted((BOT / "adapters").rglob("*.py")),
    *sorted((BOT / "core" / "conversation").rglob("*.py")),
]
MESSAGE_BUILDERS = {"simple", "text", "bold", "italic", "code"}


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("key", sorted(i18n.KEYS))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    ko, en = i18n.translations(key)
    assert ko.strip() and en.strip()
    assert placeholders(ko) == placeholders(en)


def keys_asked_for() -> set[tuple[str, str]]:
    """(file, key) of every `t(language, "key", ...)` with a literal key in bot/."""
    asked = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                asked.add((path.name, node.args[1].value))
    return asked


def test_every_key_the_code_asks_for_exists() -> None:
    asked = keys_asked_for()
    assert len(asked) > 20  # the scan does find them
    assert {(file, key) for file, key in asked if key not in i18n.KEYS} == set()
    table = {k for spec in COMMANDS for k in (spec.help, spec.menu) if k}
    assert table - i18n.KEYS == set()


def literals_said(path: Path) -> list[str]:
    """`simple("…")`, `text("…")`, `{"text": "…"}` with a non-empty literal: words that did
    not come from the catalogue."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = node.func.id if isinstance(node.func, ast.Name) else name
            first = node.args[0]
            blank = isinstance(first, ast.Constant) and not str(first.value).strip()
            literal = isinstance(first, ast.Constant | ast.JoinedStr) and not blank
            if name in MESSAGE_BUILDERS and literal:
                found.append(f"{path.name}:{node.lineno}: {name}({ast.unparse(first)})")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "text"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and value.value.strip()
                ):
                    found.append(f"{path.name}:{node.lineno}: text: {value.value!r}")
    return found


def test_no_adapter_says_a_literal_of_its_own() -> None:
    assert len(SPEAKERS) > 10
    said = [line for path in SPEAKERS for line in literals_said(path)]
    assert said == []


def test_the_scan_would_catch_a_literal(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('simple("hello")\nm.text(f"hi {x}")\nd = {"text": "Subscribe"}\n')
    assert len(literals_said(sample)) == 3
