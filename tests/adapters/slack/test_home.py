"""The App Home tab: the latest issue with a send-to-my-DM button and the last ten issues, within
Block Kit's limits at 1,100 issues; pressing an issue's button sends it to the presser's DM;
the subscribe button subscribes and republishes; a rate-limited tab is published on the next visit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bench.generate import _vocabulary, issue_text
from bot.adapters.slack import home
from bot.content.archive import Archive, Entry, pack
from bot.content.loader import Content
from bot.core.conversation.destinations import DestinationPolicy
from bot.core.conversation.service import CommandService
from bot.core.i18n import Language
from bot.core.live_content import LiveContent
from bot.core.platforms import PlatformRegistry
from bot.core.ports import Command, DeliveryTime
from bot.core.testing import RecordingPlatform
from bot.store.tinydb.destinations import Destinations
from bot.store.tinydb.snapshot import Store
from bot.store.tinydb.subscriptions import Subscriptions
from tests.fakes.slack_api import block_actions
from tests.fakes.slack_blocks import home_view
from tests.support.slack import Harness, button_of, home_button, issue, press
from tests.support.slack import buttons as nav_buttons
from tests.support.wait import until

JsonDict = dict[str, Any]


def big_archive(content: Content, issues: int) -> Content:
    """`issues` generated issues, kept as the archive keeps them (each parsed only if asked)."""
    rng, words = random.Random(7), _vocabulary()
    entries = [
        Entry(n, dt.date(2019, 5, 30) + dt.timedelta(days=n - 1), "뉴랄브리핑",
              f"issues/{n:04d}.md", pack(issue_text(n, rng, words)), 9, 18, ())
        for n in range(1, issues + 1)
    ]  # fmt: skip
    return dataclasses.replace(content, archive=Archive(entries))


def buttons(view: JsonDict, block_id: str) -> list[JsonDict]:
    return [e for b in view["blocks"] if b.get("block_id") == block_id for e in b["elements"]]


@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_the_home_view_stays_within_block_kit_at_1100_issues(
    content: Content, tmp_path: Path, lang: str
) -> None:
    store = Store.open(tmp_path / "d.json")
    subscriptions, platforms = Subscriptions(store), PlatformRegistry(RecordingPlatform())
    language: Language = "en" if lang == "en" else "ko"
    policy = DestinationPolicy(Destinations(store), subscriptions, platforms, language=language)
    service = CommandService(LiveContent(big_archive(content, 1100)), subscriptions, platforms,
                             language=language, policy=policy)  # fmt: skip
    reader = Command("slack", "", "U1", "", is_dm=True)
    await service.handle(
        dataclasses.replace(reader, name="briefing", text="time 23:45 Europe/Zurich")
    )
    notice = "<!channel> " + "x" * 4000  # the longest answer there could be, and markup
    view = home.home_view(await service.home(reader, notice), "America/Argentina/Buenos_Aires")
    assert home_view(view) is view  # the fake's Block Kit check: ≤100 blocks, every length
    [time, zone, words] = buttons(view, "settings")
    assert time["initial_time"] == "23:45"
    assert zone["initial_option"]["value"] == "Europe/Zurich"
    assert zone["options"][1]["value"] == "America/Argentina/Buenos_Aires"  # Slack's tz for them
    assert words["initial_option"]["value"] == lang
    assert "<!channel>" not in json.dumps(view)
    assert view["blocks"][0]["text"]["text"].startswith("제 1100호")  # the author's heading
    [latest] = buttons(view, "latest")
    assert (latest["action_id"], latest["value"]) == ("home_send", "1100")
    recent = buttons(view, "recent")
    assert [b["value"] for b in recent] == [str(n) for n in range(1100, 1090, -1)]
    assert len({b["action_id"] for b in [latest, *recent]}) == 11  # unique in the view
    assert buttons(view, "subscription")[0]["action_id"] == "home_subscribe"


def dm_messages(h: Harness) -> list[Any]:
    dm = h.fake.dm_channel("U1")
    return h.fake.messages(dm) if dm else []


def pressed(button: JsonDict) -> str:
    """The signed form body of a press on a Home tab button."""
    return urlencode({"payload": json.dumps(block_actions({**button, "block_id": "recent"}))})


async def test_an_issue_button_sends_that_issue_to_the_pressers_dm(two: Harness) -> None:
    await two.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, "Ev1")
    await until(lambda: two.fake.views("U1"))
    view = two.fake.views("U1")[0]
    assert [b["value"] for b in buttons(view, "recent")] == ["2", "1"]

    status, _ = await two.post(pressed(buttons(view, "recent")[1]))
    assert status == 200
    await until(lambda: len(dm_messages(two)) > 1)
    parent, *replies = dm_messages(two)
    assert parent.text is not None and parent.text.startswith("제 0001호")
    assert replies and all(r.thread_ts == parent.ts for r in replies)


async def test_a_forged_issue_button_gets_a_short_answer_in_the_dm(two: Harness) -> None:
    forged = {"type": "button", "action_id": "home_send_3", "value": "<!channel> 99"}
    status, _ = await two.post(pressed(forged))
    assert status == 200
    await until(lambda: dm_messages(two))
    [answer] = dm_messages(two)
    assert answer.text is not None and "&lt;!channel&gt;" in answer.text
    assert "<!channel>" not in json.dumps(answer.blocks)


def changed(element: JsonDict, selected: object) -> str:
    """The signed form body of a change of a Home tab setting (a timepicker's time, a
    static_select's option)."""
    payload = block_actions({**element, "block_id": "settings"}, selected=selected)
    return urlencode({"payload": json.dumps(payload)})


async def home_after(h: Harness, body: str | None = None) -> JsonDict:
    """The Home tab published after opening it (body None) or after posting `body`."""
    count = len(h.fake.views("U1"))
    if body is None:
        await h.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, f"Ev{count}")
    else:
        assert (await h.post(body))[0] == 200
    await until(lambda: len(h.fake.views("U1")) > count)
    return h.fake.views("U1")[-1]


def settings(view: JsonDict) -> dict[str, JsonDict]:
    return {e["action_id"]: e for e in buttons(view, "settings")}


def said(view: JsonDict) -> list[str]:
    """The context lines under the settings: what they are now, and the last answer."""
    return [
        b["elements"][0]["text"]
        for b in view["blocks"]
        if str(b.get("block_id", "")).startswith("settings_")
    ]


async def test_an_english_reader_gets_an_english_home_tab(two: Harness) -> None:
    two.fake.add_user("U1", locale="en-US", tz="America/New_York")
    view = await home_after(two)
    texts = json.dumps(view, ensure_ascii=False)
    assert "Recent issues" in texts and "Send to my DM" in texts and "지난 호" not in texts
    picks = settings(view)
    assert picks["home_time"]["initial_time"] == "08:30"  # the edition's, in bot.timezone
    assert picks["home_zone"]["initial_option"]["value"] == "Asia/Seoul"
    assert picks["home_zone"]["options"][1]["value"] == "America/New_York"  # Slack's tz
    assert picks["home_lang"]["initial_option"]["value"] == "en"
    assert said(view) == ["Now: every day at 08:30 (Asia/Seoul), in English"]


async def test_an_english_reader_gets_english_buttons_and_notices(two: Harness) -> None:
    two.fake.add_user("U1", locale="en-GB")
    first = await issue(two, "1")
    [forward] = nav_buttons(first)
    assert forward["text"]["text"] == "Issue 2 ▶"
    second = await press(two, forward)
    assert nav_buttons(second)[0]["text"]["text"] == "◀ Issue 1"
    forged = {**forward, "value": "nav:x"}
    assert (await press(two, forged))["text"] == "This button is not one of mine."


async def test_time_zone_and_language_changed_on_the_home_tab(two: Harness) -> None:
    view = await home_after(two)
    assert buttons(view, "subscription")[0]["action_id"] == "home_subscribe"

    view = await home_after(two, changed(settings(view)["home_time"], "07:15"))
    assert settings(view)["home_time"]["initial_time"] == "07:15"
    assert buttons(view, "subscription")[0]["action_id"] == "home_unsubscribe"  # subscribed
    assert said(view)[1].endswith("매일 07:15 (Asia/Seoul)에 보내 드립니다.")

    view = await home_after(two, changed(settings(view)["home_zone"], "Europe/Berlin"))
    assert settings(view)["home_zone"]["initial_option"]["value"] == "Europe/Berlin"
    assert said(view)[1] == "매일 07:15 (Europe/Berlin)에 보내 드립니다."

    view = await home_after(two, changed(settings(view)["home_lang"], "en"))
    assert said(view) == [
        "Now: every day at 07:15 (Europe/Berlin), in English",
        "I will answer in English from now on.",
    ]
    assert "Recent issues" in json.dumps(view)

    # the scheduler's view: U1's DM is due at 07:15 Berlin time, its words in English
    store = two.app.store.destinations
    assert await store.delivery_times() == {("07:15", "Europe/Berlin")}
    [dm] = [d for d in await two.app.engine.destinations() if d.user == "U1"]
    assert (dm.time, dm.language) == (DeliveryTime("07:15", "Europe/Berlin"), "en")
    url = await two.command("/term", "zzqqxx")  # and the bot's next answer is in English
    await until(lambda: two.fake.responses(url))
    assert "is not in the glossary" in two.fake.responses(url)[0]["text"]


@pytest.mark.parametrize(
    ("action", "value", "answer"),
    [
        ("home_time", "25:99", "'25:99'은(는) 시각이 아닙니다."),
        ("home_time", None, "'-'은(는) 시각이 아닙니다."),
        ("home_time", {"not": "a time"}, "은(는) 시각이 아닙니다."),
        ("home_zone", "Mars/Olympus_Mons", "'Mars/Olympus_Mons'은(는) 모르는 시간대입니다."),
        ("home_zone", "<!channel> Asia/Seoul", "은(는) 시각이 아닙니다."),
        ("home_lang", "fr", "ko 또는 en 중에서 골라 주세요."),
        ("home_lang", "x" * 5000, "너무 깁니다"),
    ],
)
async def test_a_forged_setting_gets_a_short_answer_on_the_home_tab(
    two: Harness, action: str, value: object, answer: str
) -> None:
    view = await home_after(two)
    view = await home_after(two, changed(settings(view)[action], value))
    assert answer in said(view)[-1] and len(said(view)) == 2
    assert "<!channel>" not in json.dumps(view)
    assert await two.app.store.destinations.all_settings() == {}  # nothing saved
    assert not await two.app.store.subscriptions.is_subscribed("slack", "U1")


# App Home ----------------------------------------------------------------------------------


async def test_home_tab_shows_the_latest_issue_and_a_subscribe_button(slack: Harness) -> None:
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, "Ev1")

    await until(lambda: slack.fake.views("U1"))
    view = slack.fake.views("U1")[0]
    assert view["blocks"][0]["text"]["text"] == "제 0001호 뉴랄브리핑(2019년 5월 30일)"
    assert any("구글블로그" in b.get("text", {}).get("text", "") for b in view["blocks"])
    assert button_of(view)["action_id"] == "home_subscribe"


async def test_a_rate_limited_home_tab_is_published_on_the_next_visit(slack: Harness) -> None:
    slack.fake.fail_next("U1", "ratelimited", retry_after=30, method="views.publish")
    opened = {"type": "app_home_opened", "user": "U1", "tab": "home"}

    first = await slack.event(opened, "Ev1")
    await until(lambda: slack.fake.calls_to("views.publish"))
    second = await slack.event(opened, "Ev2")

    await until(lambda: slack.fake.views("U1"))
    assert first == second == (200, "")
    assert len(slack.fake.calls_to("views.publish")) == 2  # the 429 was not retried here
    assert button_of(slack.fake.views("U1")[0])["action_id"] == "home_subscribe"


async def test_pressing_the_home_button_subscribes_and_republishes(slack: Harness) -> None:
    status, _ = await slack.post(home_button("home_subscribe"))

    assert status == 200
    await until(lambda: slack.fake.views("U1"))
    assert await slack.app.store.subscriptions.is_subscribed("slack", "U1")
    assert button_of(slack.fake.views("U1")[-1])["action_id"] == "home_unsubscribe"
    dm = slack.fake.dm_channel("U1")
    assert dm is not None
    await until(lambda: slack.fake.messages(dm), "the welcome in the DM")
    [welcome] = slack.fake.messages(dm)
    assert "구독했습니다" in str(welcome.text) and "최신 호: 제 0001호" in str(welcome.text)


async def test_pressing_the_home_unsubscribe_button_unsubscribes_and_republishes(
    slack: Harness,
) -> None:
    await slack.app.store.subscriptions.subscribe("slack", "U1", "DU1")

    status, _ = await slack.post(home_button("home_unsubscribe"))

    assert status == 200
    await until(lambda: slack.fake.views("U1"))
    assert not await slack.app.store.subscriptions.is_subscribed("slack", "U1")
    assert button_of(slack.fake.views("U1")[-1])["action_id"] == "home_subscribe"


async def test_unsubscribe_ends_a_subscription(slack: Harness) -> None:
    await slack.app.store.subscriptions.subscribe("slack", "U1", "DU1")

    url = await slack.command("/unsubscribe")

    await until(lambda: slack.fake.responses(url))
    (answer,) = slack.fake.responses(url)
    assert answer["response_type"] == "ephemeral"
    assert "구독을 취소했습니다" in answer["text"]
    assert await slack.app.store.subscriptions.count() == 0
