"""The one catalogue of every word the bot says, in Korean and English (`bot.language`).

Adapters included: a platform's own answers (Slack's "could not open a DM", the App Home, the
Telegram command menu) are keys here too, so a test can check that every key has both languages
and that no adapter sends a literal of its own (tests/core/test_i18n.py).
"""

from __future__ import annotations

from typing import Literal

Language = Literal["ko", "en"]

_STRINGS: dict[str, tuple[str, str]] = {
    # key: (ko, en)
    "contents": ("목차", "Contents"),
    "keywords": ("키워드", "Keywords"),
    "useful_links": ("Useful links", "Useful links"),
    "web_view": ("웹에서 보기", "View on the web"),
    "section_of": ("제 {number:04d}호 · {section}", "Issue {number} · {section}"),
    "items": ("{count}개", "{count} items"),
    "term_link": ("→ 용어집: {term}", "→ Glossary: {term}"),
    "term_hint": ("(용어집: /term {term})", "(glossary: /term {term})"),
    "term_aliases": ("다른 이름: {aliases}", "Also known as: {aliases}"),
    "term_first": ("처음 나온 곳: 제 {number:04d}호 ({date}) · {section}", "First appeared: issue {number} ({date}) · {section}"),
    "term_missing_arg": ("찾을 용어를 적어 주세요. 예: /term NP-hard", "Which term? For example: /term NP-hard"),
    "term_miss": ("'{query}'은(는) 용어집에 없습니다.", "'{query}' is not in the glossary."),
    "did_you_mean": ("혹시 이 용어인가요?", "Did you mean:"),
    "no_suggestion": ("비슷한 용어도 없습니다. /search 로 본문을 찾아보세요.", "Nothing close either. Try /search to look through the issues."),
    "issue_missing_arg": ("몇 호를 볼까요? 예: /issue 1", "Which issue? For example: /issue 1"),
    "issue_bad_number": ("'{arg}'은(는) 호수가 아닙니다. 예: /issue 1", "'{arg}' is not an issue number. For example: /issue 1"),
    "issue_not_found": ("제 {number}호는 없습니다. 있는 호: {available}", "There is no issue {number}. Available: {available}"),
    "archive_empty": ("아직 발행된 호가 없습니다.", "No issue has been published yet."),
    "nav_previous": ("◀ 제 {number:04d}호", "◀ Issue {number}"),
    "nav_next": ("제 {number:04d}호 ▶", "Issue {number} ▶"),
    "nav_stale": ("그 호는 더 이상 볼 수 없습니다. /latest 로 최신 호를 보세요.", "That issue is no longer available; /latest shows the newest one."),
    "button_unknown": ("이 버튼은 알 수 없는 버튼입니다.", "This button is not one of mine."),
    "search_missing_arg": ("찾을 말을 적어 주세요. 예: /search EfficientNet", "What should I search for? For example: /search EfficientNet"),
    "search_results": ("'{query}' 검색 결과", "Results for '{query}'"),
    "search_none": ("'{query}'에 맞는 글이 없습니다.", "Nothing matches '{query}'."),
    "search_where": ("제 {number:04d}호 · {section}", "issue {number} · {section}"),
    "subscribed": ("구독했습니다. 매일 아침 뉴랄브리핑을 DM으로 보내 드립니다. 그만 받으려면 /unsubscribe", "Subscribed: you will get 뉴랄브리핑 by direct message every morning. /unsubscribe to stop."),
    "already_subscribed": ("이미 구독 중입니다. 그만 받으려면 /unsubscribe", "You are already subscribed. /unsubscribe to stop."),
    "unsubscribed": ("구독을 취소했습니다. 다시 받으려면 /subscribe", "Unsubscribed. /subscribe to start again."),
    "not_subscribed": ("구독 중이 아닙니다. 구독하려면 /subscribe", "You are not subscribed. /subscribe to start."),
    "admin_only": ("관리자만 쓸 수 있는 명령입니다. ([bot] admins)", "Only admins can use this command ([bot] admins)."),
    "editors_only": ("편집자와 관리자만 쓸 수 있는 명령입니다. ([bot] editors, admins)", "Only editors and admins can use this command ([bot] editors, admins)."),
    "too_many_commands": ("명령이 너무 많습니다. {seconds}초 뒤에 다시 해 주세요.", "Too many commands; please try again in {seconds} s."),
    "unknown_command": ("'{name}'은(는) 모르는 명령입니다. /help 로 명령 목록을 보세요.", "Unknown command '{name}'. Try /help for the list."),
    "too_long": ("입력이 너무 깁니다 ({length}자). {limit}자 이내로 적어 주세요.", "That is too long ({length} characters); keep it under {limit}."),
    "reloaded": ("콘텐츠를 다시 읽었습니다: 호 {issues}개, 용어 {terms}개.", "Content reloaded: {issues} issues, {terms} terms."),
    "reload_failed": ("새 콘텐츠에 문제가 있어 이전 콘텐츠를 계속 씁니다:", "The new content has problems; still serving the previous content:"),
    "stats": ("통계", "Stats"),
    "stats_line": ("호 {issues}개 (최신 제 {latest}호), 용어 {terms}개, 구독자 {subscribers}명", "{issues} issues (latest {latest}), {terms} terms, {subscribers} subscribers"),
    "post_unavailable": ("이 실행에서는 발송 기능이 꺼져 있습니다.", "Delivery is not available in this run."),
    "store_unavailable": ("⚠️ 잠시 저장소에 연결할 수 없습니다. 조금 뒤 다시 시도해 주세요.", "⚠️ The bot is briefly unavailable (its database cannot be reached); please try again in a moment."),
    "post_queued": ("발송 요청을 받았습니다. 발송을 맡은 인스턴스가 곧 보내고, 결과를 DM으로 알려 드립니다.", "Delivery queued: the replica that delivers will send it shortly and tell you the result by direct message."),
    "post_done": ("발송 완료: 대상 {destinations}곳, 메시지 {sent}개, 실패 {failed}곳", "Delivery done: {destinations} destinations, {sent} messages, {failed} failed"),
    "help_title": ("뉴랄브리핑 봇 명령", "뉴랄브리핑 (Neural Briefing) commands"),
    "help_term": ("/term <용어> — 용어 풀이 (예: /term NP-hard)", "/term <term> — look up a term (e.g. /term NP-hard)"),
    "help_issue": ("/issue <번호> — 지난 호 보기 (예: /issue 1)", "/issue <n> — show an issue (e.g. /issue 1)"),
    "help_latest": ("/latest — 최신 호 보기", "/latest — show the latest issue"),
    "help_search": ("/search <검색어> — 지난 글 찾기", "/search <words> — search the archive"),
    "help_subscribe": ("/subscribe [07:30 Asia/Seoul], /unsubscribe — 매일 DM 구독 켜기/끄기 (받을 시각도)", "/subscribe [07:30 Asia/Seoul], /unsubscribe — daily DM on/off (at a time of your own)"),
    "help_help": ("/help — 이 도움말", "/help — this help"),
    "help_post": ("/post [번호]", "/post [n]"),
    "help_reload": ("/reload", "/reload"),
    "help_stats": ("/stats", "/stats"),
    "help_admins": ("관리자: {commands}", "Admins: {commands}"),
    "help_editors": ("편집자: {commands}", "Editors: {commands}"),
    "menu_term": ("용어 풀이 (예: /term NP-hard)", "Look up a term (e.g. /term NP-hard)"),
    "menu_issue": ("지난 호 보기 (예: /issue 1)", "Show an issue (e.g. /issue 1)"),
    "menu_latest": ("최신 호 보기", "Show the latest issue"),
    "menu_search": ("지난 글 찾기", "Search the archive"),
    "menu_subscribe": ("매일 아침 DM으로 받기", "Get the daily briefing by direct message"),
    "menu_unsubscribe": ("DM 구독 끄기", "Stop the daily direct message"),
    "menu_help": ("명령 목록", "List the commands"),
    "internal_error": ("⚠️ 내부 오류가 났습니다. 운영자가 로그를 확인합니다.", "⚠️ Internal error; the operator has been notified in the log."),
    "failed": ("⚠️ 처리 중 오류가 났습니다. 운영자가 로그를 확인합니다.", "⚠️ Something went wrong; the operator can see it in the log."),
    "no_dm": ("DM을 열 수 없어 구독하지 못했습니다. 앱의 메시지 탭을 한 번 연 뒤 다시 시도해 주세요.", "Could not open a direct message with you, so you are not subscribed. Open the app's Messages tab once, then try again."),
    "dm_rate_limited": ("메신저가 지금 요청을 잠시 막고 있어 DM을 열지 못했습니다. {seconds}초 뒤에 다시 /subscribe 해 주세요.", "The platform is rate limiting the bot right now, so no direct message could be opened; try /subscribe again in {seconds} s."),
    "not_posted": ("⚠️ 이 채널에 올리지 못했습니다. 잠시 뒤 다시 시도해 주세요.", "⚠️ Could not post in this channel; please try again in a moment."),
    "open_dm_first": ("DM으로 받으려면 먼저 봇과 1:1 대화를 열어 주세요. 이 링크로 시작하면 바로 구독됩니다:", "To subscribe by direct message, open a private chat with me first. Starting it from this link subscribes you:"),
    "home_subscribe": ("DM으로 받기", "Subscribe"),
    "home_unsubscribe": ("DM 구독 취소", "Unsubscribe"),
    "home_is_subscribed": ("매일 아침 이 앱의 메시지 탭으로 뉴랄브리핑을 받고 있습니다.", "You get 뉴랄브리핑 in this app's Messages tab every morning."),
    "home_not_subscribed": ("구독하면 매일 아침 이 앱의 메시지 탭으로 뉴랄브리핑을 보내 드립니다.", "Subscribe to get 뉴랄브리핑 in this app's Messages tab every morning."),
    "home_send": ("내 DM으로 보내기", "Send to my DM"),
    "home_recent": ("지난 호", "Recent issues"),
    "home_issue": ("제 {number:04d}호 · {date}", "Issue {number} · {date}"),
    "home_settings": ("받는 시각 · 시간대 · 언어", "Delivery time · time zone · language"),
    "home_timing": ("지금은 매일 {time} ({zone}), {words}", "Now: every day at {time} ({zone}), in {words}"),
    "home_pick_time": ("받을 시각", "Delivery time"),
    "home_pick_zone": ("시간대", "Time zone"),
    "home_pick_language": ("언어", "Language"),
    "language_name_ko": ("한국어", "Korean (한국어)"),
    "language_name_en": ("영어 (English)", "English"),
    "slack_workspaces": ("Slack 워크스페이스 {installed}곳에 설치됨 (시작 뒤 떠난 곳 {left}곳)", "Slack: installed in {installed} workspaces ({left} left since the start)"),
    "slack_installed": ("뉴랄브리핑 앱을 설치했습니다", "뉴랄브리핑 is installed"),
    "slack_installed_next": ("{team} 워크스페이스에 설치되었습니다. 브리핑을 받을 채널에 앱을 초대하고(/invite @newsbot) 그 채널에서 /briefing here 를 입력하세요. 개인 DM으로 받으려면 /subscribe.", "Installed in {team}. Invite the app to the channel that should get the briefing (/invite @newsbot) and type /briefing here there. For a private DM, type /subscribe."),
    "slack_install_failed": ("설치하지 못했습니다", "The installation did not finish"),
    "slack_install_failed_why": ("설치 링크가 만료되었거나 이미 쓰였습니다 ({reason}). 설치 페이지에서 다시 시작해 주세요.", "The install link expired or was already used ({reason}). Please start again from the install page."),
    "console_hint": ("/help 로 명령 목록을 봅니다. Ctrl-D 로 끝냅니다.", "/help lists the commands. Ctrl-D ends."),
    "start": ("안녕하세요! 뉴랄브리핑 봇입니다. 매일 아침 머신러닝 소식을 정리해 드립니다. /subscribe 하면 DM으로 받아 보실 수 있어요.", "Hello! This is the 뉴랄브리핑 (Neural Briefing) bot, a daily machine-learning briefing in Korean. Send /subscribe to get it here every morning."),
    # destinations: channels that opt in themselves, times, languages (bot/core/conversation/destinations.py)
    "help_briefing": ("/briefing here, stop, status — 이 채널로 매일 받기/그만/상태 (time 07:30 Asia/Seoul, lang en)", "/briefing here, stop, status — daily thread in this channel on/off/status (time 07:30 Asia/Seoul, lang en)"),
    "help_lang": ("/lang ko|en — 봇이 쓰는 언어", "/lang ko|en — the bot's language for you"),
    "menu_briefing": ("이 채널로 매일 받기: /briefing here", "Daily thread in this chat: /briefing here"),
    "menu_lang": ("봇의 언어 (ko, en)", "The bot's language (ko, en)"),
    "briefing_usage": ("쓰는 법: /briefing here, /briefing stop, /briefing status, /briefing time 07:30 Asia/Seoul, /briefing lang en", "Usage: /briefing here, /briefing stop, /briefing status, /briefing time 07:30 Asia/Seoul, /briefing lang en"),
    "bad_time": ("'{arg}'은(는) 시각이 아닙니다. 예: 07:30 Europe/Berlin", "'{arg}' is not a time of day. For example: 07:30 Europe/Berlin"),
    "bad_zone": ("'{arg}'은(는) 모르는 시간대입니다. 예: 07:30 Europe/Berlin", "'{arg}' is not a time zone I know. For example: 07:30 Europe/Berlin"),
    "bad_language": ("ko 또는 en 중에서 골라 주세요. 예: /lang en", "Choose ko or en. For example: /lang en"),
    "language_set": ("이제 한국어로 답합니다.", "I will answer in English from now on."),
    "channel_language_set": ("이 채널에는 이제 한국어로 씁니다.", "This channel gets the bot's words in English from now on."),
    "channel_only": ("이 명령은 채널이나 그룹에서 씁니다. DM으로 받으려면 /subscribe", "This command is for a channel or group. To get it by direct message: /subscribe"),
    "opt_in_who_admins": ("이 채널의 관리자만 /briefing {action} 할 수 있습니다.", "Only this channel's admins can use /briefing {action}."),
    "channel_opted_in": ("매일 {time} ({zone})에 이 채널로 뉴랄브리핑을 보냅니다. 그만 받으려면 /briefing stop", "Every day at {time} ({zone}) 뉴랄브리핑 will be posted in this channel. /briefing stop ends it."),
    "channel_already": ("이미 매일 {time} ({zone})에 이 채널로 보내고 있습니다.", "This channel already gets it every day at {time} ({zone})."),
    "channel_stopped": ("이 채널로는 더 보내지 않습니다. 다시 받으려면 /briefing here", "No more daily threads in this channel. /briefing here starts them again."),
    "channel_not_opted": ("이 채널은 받고 있지 않습니다. 받으려면 /briefing here", "This channel does not get the briefing. /briefing here starts it."),
    "channel_pinned": ("이 채널은 운영자가 설정에 고정해 두어 여기서 멈출 수 없습니다. 운영자에게 말씀해 주세요.", "The operator pinned this channel in the configuration, so it cannot be stopped here; ask the operator."),
    "channel_time_set": ("이 채널로 매일 {time} ({zone})에 보냅니다.", "This channel gets it every day at {time} ({zone})."),
    "status_pinned": ("운영자가 설정에 고정한 채널", "pinned by the operator in the configuration"),
    "status_opted_in": ("{since}에 {by} 님이 신청", "opted in by {by} on {since}"),
    "status_line": ("이 채널: {how} · 매일 {time} ({zone}) · 언어 {words} · 마지막으로 받은 호: {last}", "This channel: {how} · every day at {time} ({zone}) · language {words} · last issue: {last}"),
    "reader_status": ("구독 중 · 매일 {time} ({zone}) · 언어 {words} · 마지막으로 받은 호: {last}. 바꾸기: /subscribe 07:30 Europe/Berlin, /lang en", "Subscribed · every day at {time} ({zone}) · language {words} · last issue: {last}. To change: /subscribe 07:30 Europe/Berlin, /lang ko"),
    "reader_status_off": ("구독하지 않았습니다. /subscribe 로 매일 DM으로 받습니다.", "You are not subscribed. /subscribe to get it by direct message every day."),
    "not_in_channel": ("봇이 이 채널에 없습니다. 먼저 /invite @뉴랄브리핑 으로 앱을 초대한 뒤 다시 /briefing here 해 주세요.", "The app is not in this channel. Invite it first (/invite @뉴랄브리핑), then /briefing here again."),
    "welcome_channel": ("안녕하세요, 뉴랄브리핑 봇입니다. 이 채널로 매일 받으려면 /briefing here ({who}). 명령 목록은 /help", "Hello, this is the 뉴랄브리핑 bot. To get the daily briefing in this channel: /briefing here ({who}). /help lists the commands."),
    "who_admins": ("채널 관리자만", "channel admins only"),
    "who_members": ("누구나", "anyone here"),
    "reader_time": ("매일 {time} ({zone})에 보내 드립니다.", "It comes every day at {time} ({zone})."),
    "stats_destinations": ("대상: {destinations}", "Destinations: {destinations}"),
    "stats_times": ("구독자 발송 시각: {times}", "Readers by delivery time: {times}"),
    "corrected_mark": ("✎ 수정됨 {time}", "✎ corrected {time}"),
    "corrected_moved": ("✎ 수정됨: 이 부분은 위 메시지로 옮겼습니다.", "✎ corrected: this part moved into the messages above."),
}  # fmt: skip


KEYS = frozenset(_STRINGS)


def translations(key: str) -> tuple[str, str]:
    """(ko, en) of `key`, for tests of the catalogue."""
    return _STRINGS[key]


def t(language: Language, key: str, **values: object) -> str:
    ko, en = _STRINGS[key]
    return (en if language == "en" else ko).format(**values)
