"""The web archive shows when an issue's sent copies were last corrected (the ledger's
revision), and picks up a correction that finishes while its pages are cached."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bot.core.delivery.ports import Revision
from bot.core.live_content import LiveContent
from bot.store.backend import open_tinydb
from bot.web.server import application
from bot.web.site import WebArchive
from tests.support.ports import free_port


async def test_the_issue_page_shows_its_correction_time(live: LiveContent, tmp_path: Path) -> None:
    store = open_tinydb(tmp_path / "d.json")
    ledger = store.ledger

    def corrected() -> dict[int, datetime]:
        found = ledger.revised_issues().items()
        return {n: r.corrected_at for n, r in found if r.corrected_at is not None}

    archive = WebArchive(lambda: live.current, corrected=corrected)
    server = TestServer(application(archive), host="127.0.0.1", port=free_port())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            url = str(server.make_url("/issues/1"))
            released = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
            ledger.set_revision(1, Revision("a", released))
            async with session.get(url) as first:
                assert first.status == 200 and "corrected" not in await first.text()
            at = datetime(2026, 12, 8, 3, 5, tzinfo=UTC)
            ledger.set_revision(1, Revision("b", released, True, at))
            async with session.get(url) as again:
                page = await again.text()
            assert '<time datetime="2026-12-08T03:05:00+00:00">2026-12-08 03:05 UTC</time>' in page
            assert "✎ 수정됨" in page
    finally:
        await server.close()
        await store.close()
