"""The web archive and feed (DESIGN.md, "Web archive and feed"): every issue and term as a page,
search, an Atom feed, and the same pages as static files.

urls.py (served and exported links) → pages.py (Jinja2 templates) and feed.py (feedgen) →
site.py (pages cached per content version) → server.py (aiohttp routes); export.py writes the
static copy. Only the composition root (bot/app/) imports this package; chat messages link
here through `bot.core.model.weblinks`, never by importing it.
"""
