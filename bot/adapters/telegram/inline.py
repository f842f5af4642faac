"""Telegram inline mode: `@bot NP-hard` typed in any chat is an `inline_query`; the core finds
the results (`Conversation.find`) and they go back with `answerInlineQuery` as articles whose
chosen one posts the entry or item as escaped HTML.

Each answer is one page (`bot.core.conversation.finder.PAGE` results) with `next_offset` for the
next;
`cache_time` is five minutes (the archive changes once a day) and the results are cached per
reader (`is_personal`): they are in the reader's language. An answer is not retried: the
reader has typed on by then, and a later answer would be for a query no longer shown (the next
keystroke asks again).
"""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.adapters.telegram.render import render
from bot.core.conversation.finder import Page

log = logging.getLogger(__name__)
CACHE_SECONDS = 300
TITLE_LIMIT = 256  # characters of a result's title (the chooser shows far fewer)


def articles(page: Page) -> list[InlineQueryResultArticle]:
    """The page's results as articles; the message each posts is its first Telegram part
    (within 4,096 characters after parsing, like every message the bot sends)."""
    out = []
    for found in page.results:
        parts = render(found.message)
        if not parts:
            continue
        content = InputTextMessageContent(
            parts[0],
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        title = found.title[:TITLE_LIMIT] or found.key
        out.append(
            InlineQueryResultArticle(
                found.key, title, content, description=found.description or None
            )
        )
    return out
