"""Message and view payload validation for the fake Slack Web API (see `slack_api.py`).

`message_content(params)` checks the ``text``/``blocks`` of ``chat.postMessage`` and
``chat.postEphemeral``; `home_view(raw)` checks the ``view`` of ``views.publish``. Both raise
`SlackError`, which the fake answers as ``{"ok": false, "error": code, **extra}``.

`block_errors(blocks, max_blocks=50)` returns Slack-style error strings such as
``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``; an empty list means
the blocks are valid. The real API answers ``invalid_blocks`` and lists these strings under
``errors`` and, prefixed with ``"[ERROR] "``, under ``response_metadata.messages``.

Limits come from docs.slack.dev/reference/block-kit and `slack_sdk/models/blocks` (see
docs/platforms.md §1.5). Only the block types a newsletter bot uses are accepted:
section, header, context, divider, actions, rich_text, markdown and image. Unknown keys are
rejected, like the real API's "invalid additional property" errors. The exact wording of
messages other than the item-count and length ones is the fake's own.
"""

from __future__ import annotations

import json
import re
from typing import Any

TEXT_TYPES = ("mrkdwn", "plain_text")
RICH_TEXT_ELEMENTS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
)
INTERACTIVE_ELEMENTS = frozenset(
    {
        "button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons",
        "static_select", "external_select", "users_select", "conversations_select",
        "channels_select", "multi_static_select", "multi_external_select", "multi_users_select",
        "multi_conversations_select", "multi_channels_select", "timepicker",
    }
)  # fmt: skip
ELEMENT_KEYS: dict[str, frozenset[str]] = {  # the elements checked in full
    "timepicker": frozenset({"initial_time", "confirm", "focus_on_load", "placeholder",
                             "timezone"}),
    "static_select": frozenset({"options", "option_groups", "initial_option", "confirm",
                                "focus_on_load", "placeholder"}),
    "checkboxes": frozenset({"options", "initial_options", "confirm", "focus_on_load"}),
}  # fmt: skip
_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
BLOCK_KEYS: dict[str, frozenset[str]] = {
    "section": frozenset({"text", "fields", "accessory", "expand"}),
    "header": frozenset({"text"}),
    "context": frozenset({"elements"}),
    "divider": frozenset(),
    "actions": frozenset({"elements"}),
    "rich_text": frozenset({"elements"}),
    "markdown": frozenset({"text"}),
    "image": frozenset({"image_url", "slack_file", "alt_text", "title"}),
}


JsonDict = dict[str, Any]
TEXT_LIMIT = 40_000
TRUNCATED = (
    "[WARN] Your message was truncated but still posted. "
    "The `text` field accepts up to 40,000 characters."
)


class SlackError(Exception):
    """Answered as ``{"ok": false, "error": code, **extra}`` with HTTP 200."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


def invalid_arguments(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


def flag(params: JsonDict, name: str) -> bool | None:
    """A boolean argument: JSON true/false or form "true"/"false"/"1"/"0"; None if absent."""
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "false", "0"):
        return str(value).lower() in ("true", "1")
    raise invalid_arguments(f"invalid `{name}`")


def message_content(params: JsonDict) -> tuple[str | None, list[Any] | None, JsonDict]:
    """Validated (text, blocks, extra response fields) of a message; text over 40k is truncated."""
    text, raw_blocks = params.get("text"), params.get("blocks")
    if text is not None and not isinstance(text, str):
        raise invalid_arguments("invalid `text`")
    blocks = None if raw_blocks in (None, "", []) else parse_blocks(raw_blocks)
    if raw_blocks not in (None, "", []) and blocks is None:
        raise SlackError("invalid_blocks_format")
    if blocks and (errors := block_errors(blocks)):
        messages = [f"[ERROR] {error}" for error in errors]
        raise SlackError("invalid_blocks", errors=errors, response_metadata={"messages": messages})
    if not text and not blocks:
        raise SlackError("no_text")
    if text is None or len(text) <= TEXT_LIMIT:
        return text, blocks, {}
    metadata = {"messages": [TRUNCATED], "warnings": ["message_truncated"]}
    return (
        text[:TEXT_LIMIT],
        blocks,
        {"warning": "message_truncated", "response_metadata": metadata},
    )


def home_view(raw: object) -> JsonDict:
    """The ``view`` argument of views.publish: a Home tab with at most 100 valid blocks."""
    try:
        view = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        view = None
    if not isinstance(view, dict) or view.get("type") != "home":
        raise invalid_arguments("invalid `view`")
    blocks = parse_blocks(view.get("blocks"))
    pointer = "/view/blocks"
    errors = (
        [f"must be an array [json-pointer:{pointer}]"]
        if blocks is None
        else block_errors(blocks, max_blocks=100, pointer=pointer)
    )
    if errors:
        raise invalid_arguments(*(f"[ERROR] {error}" for error in errors))
    return view


def parse_blocks(raw: object) -> list[Any] | None:
    """Blocks as sent (a list, or a JSON string in form posts); None if it is not a JSON list."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, list) else None


def block_errors(blocks: list[Any], *, max_blocks: int = 50, pointer: str = "/blocks") -> list[str]:
    checker = _Checker()
    if len(blocks) > max_blocks:
        checker.fail(pointer, f"no more than {max_blocks} items allowed")
        return checker.errors
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{index}", seen_ids)
    return checker.errors


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    def block(self, block: object, at: str, seen_ids: set[str]) -> None:
        if not isinstance(block, dict):
            self.fail(at, "must be an object")
            return
        kind = block.get("type")
        if kind not in BLOCK_KEYS:
            self.fail(f"{at}/type", f"unsupported block type: {kind!r}")
            return
        for key in block.keys() - BLOCK_KEYS[kind] - {"type", "block_id"}:
            self.fail(at, f"invalid additional property: {key}")
        if "block_id" in block:
            block_id = block["block_id"]
            self.string(block_id, f"{at}/block_id", max_len=255)
            if block_id in seen_ids:
                self.fail(f"{at}/block_id", "duplicate block_id")
            seen_ids.add(str(block_id))
        getattr(self, f"_{kind}")(block, at)

    def _section(self, block: dict[str, Any], at: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(at, "must provide either text or fields")
        if "text" in block:
            self.text_object(block["text"], f"{at}/text", max_len=3000)
        if "fields" in block:
            for i, field in enumerate(self.array(block["fields"], f"{at}/fields", max_items=10)):
                self.text_object(field, f"{at}/fields/{i}", max_len=2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{at}/accessory", allow_image=True)

    def _header(self, block: dict[str, Any], at: str) -> None:
        self.text_object(block.get("text"), f"{at}/text", max_len=150, plain_only=True)

    def _context(self, block: dict[str, Any], at: str) -> None:
        for i, element in enumerate(self.array(block.get("elements"), f"{at}/elements", 10)):
            if isinstance(element, dict) and element.get("type") == "image":
                self.image(element, f"{at}/elements/{i}")
            else:
                self.text_object(element, f"{at}/elements/{i}", max_len=3000)

    def _divider(self, block: dict[str, Any], at: str) -> None:
        pass

    def _actions(self, block: dict[str, Any], at: str) -> None:
        for i, element in enumerate(self.array(block.get("elements"), f"{at}/elements", 25)):
            self.element(element, f"{at}/elements/{i}", allow_image=False)

    def _rich_text(self, block: dict[str, Any], at: str) -> None:
        for i, element in enumerate(self.array(block.get("elements"), f"{at}/elements", 100)):
            if not isinstance(element, dict) or element.get("type") not in RICH_TEXT_ELEMENTS:
                self.fail(f"{at}/elements/{i}", "must be a rich text element")

    def _markdown(self, block: dict[str, Any], at: str) -> None:
        self.string(block.get("text"), f"{at}/text", max_len=12000, required=True)

    def _image(self, block: dict[str, Any], at: str) -> None:
        self.image(block, at)
        if "title" in block:
            self.text_object(block["title"], f"{at}/title", max_len=2000, plain_only=True)

    def image(self, image: dict[str, Any], at: str) -> None:
        if "image_url" not in image and "slack_file" not in image:
            self.fail(at, "must provide either image_url or slack_file")
        if "image_url" in image:
            self.string(image["image_url"], f"{at}/image_url", max_len=3000, required=True)
        self.string(image.get("alt_text"), f"{at}/alt_text", max_len=2000, required=True)

    def element(self, element: object, at: str, *, allow_image: bool) -> None:
        if not isinstance(element, dict):
            self.fail(at, "must be an object")
            return
        kind = element.get("type")
        if kind == "image" and allow_image:
            self.image(element, at)
            return
        if kind not in INTERACTIVE_ELEMENTS:
            self.fail(f"{at}/type", f"unsupported element type: {kind!r}")
            return
        if "action_id" in element:
            self.string(element["action_id"], f"{at}/action_id", max_len=255)
        if kind == "button":
            self.text_object(element.get("text"), f"{at}/text", max_len=75, plain_only=True)
            for key, limit in (("value", 2000), ("url", 3000)):
                if key in element:
                    self.string(element[key], f"{at}/{key}", max_len=limit)
            if element.get("style", "primary") not in ("primary", "danger"):
                self.fail(f"{at}/style", "must be a valid enum value")
        if kind in ELEMENT_KEYS:
            for key in element.keys() - ELEMENT_KEYS[kind] - {"type", "action_id"}:
                self.fail(at, f"invalid additional property: {key}")
            if "placeholder" in element:
                self.text_object(element["placeholder"], f"{at}/placeholder", max_len=150,
                                 plain_only=True)  # fmt: skip
        initial = element.get("initial_time")
        if kind == "timepicker" and initial is not None and not _HH_MM.fullmatch(str(initial)):
            self.fail(f"{at}/initial_time", "must match the format HH:mm")
        if kind == "static_select":
            self.select(element, at)
        if kind == "checkboxes":
            self.checkboxes(element, at)

    def checkboxes(self, element: dict[str, Any], at: str) -> None:
        """Checkboxes: 1–10 options, the initial ones among them."""
        options = self.array(element.get("options"), f"{at}/options", max_items=10)
        for i, option in enumerate(options):
            self.option(option, f"{at}/options/{i}")
        initial = element.get("initial_options")
        chosen = [] if initial is None else self.array(initial, f"{at}/initial_options", 10)
        for i, option in enumerate(chosen):
            if option not in options:
                self.fail(f"{at}/initial_options/{i}", "must match one of the options")

    def select(self, element: dict[str, Any], at: str) -> None:
        """A static_select: 1–100 options (text ≤75, value ≤150), an initial option that is
        one of them."""
        options = self.array(element.get("options"), f"{at}/options", max_items=100)
        for i, option in enumerate(options):
            self.option(option, f"{at}/options/{i}")
        if "initial_option" in element:
            self.option(element["initial_option"], f"{at}/initial_option")
            if element["initial_option"] not in options:
                self.fail(f"{at}/initial_option", "must match one of the options")

    def option(self, option: object, at: str) -> None:
        if not isinstance(option, dict):
            self.fail(at, "must be an object")
            return
        for key in option.keys() - {"text", "value", "description", "url"}:
            self.fail(at, f"invalid additional property: {key}")
        self.text_object(option.get("text"), f"{at}/text", max_len=75, plain_only=True)
        self.string(option.get("value"), f"{at}/value", max_len=150, required=True)

    def text_object(self, obj: object, at: str, *, max_len: int, plain_only: bool = False) -> None:
        if not isinstance(obj, dict):
            self.fail(at, "must be an object" if obj is not None else "missing required field")
            return
        allowed = ("plain_text",) if plain_only else TEXT_TYPES
        if obj.get("type") not in allowed:
            self.fail(f"{at}/type", "must be a valid enum value")
            return
        extra = {"emoji"} if obj["type"] == "plain_text" else {"verbatim"}
        for key in obj.keys() - {"type", "text"} - extra:
            self.fail(at, f"invalid additional property: {key}")
        self.string(obj.get("text"), f"{at}/text", max_len=max_len, required=True)

    def string(self, value: object, at: str, *, max_len: int, required: bool = False) -> None:
        if value is None:
            if required:
                self.fail(at, "missing required field")
        elif not isinstance(value, str):
            self.fail(at, "must be a string")
        elif not value:
            self.fail(at, "must be more than 0 characters")
        elif len(value) > max_len:
            self.fail(at, f"must be less than {max_len + 1} characters")

    def array(self, value: object, at: str, max_items: int) -> list[Any]:
        if not isinstance(value, list):
            self.fail(at, "must be an array")
            return []
        if not value:
            self.fail(at, "must contain at least 1 item")
        elif len(value) > max_items:
            self.fail(at, f"no more than {max_items} items allowed")
            return []
        return value
