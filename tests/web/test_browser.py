"""The archive in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright.

`make test-browser` runs these (they are marked `browser`, which `make test` leaves out). At a
phone's 390×844 and a desktop's 1280×800: no console errors, no horizontal scroll on the
phone, the title and the first section visible, and dark mode changing the background.
Screenshots go to the test's temp folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, async_playwright

from tests.web.conftest import Client

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
PAGES = {  # path → what shows its first section
    "/": "ol.archive li",
    "/issues/1": "#section-1",
    "/terms/np-hard": "article.term p",
}
SIZES = [(390, 844), (1280, 800)]


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make test-browser`, which installs it")
    return CHROMIUM


@pytest.fixture
async def browser(tmp_path: Path, chromium: Path) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=str(chromium), headless=True, args=FLAGS
        )  # a fresh --user-data-dir for each test
        try:
            yield context
        finally:
            await context.close()


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize(("width", "height"), SIZES)
async def test_the_page_reads_well_at_phone_and_desktop_sizes(
    browser: BrowserContext, client: Client, tmp_path: Path, path: str, width: int, height: int
) -> None:
    page = await browser.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    await page.set_viewport_size({"width": width, "height": height})
    await page.emulate_media(color_scheme="light")
    response = await page.goto(client.base + path.lstrip("/"), wait_until="load")
    assert response is not None and response.status == 200
    await page.wait_for_load_state("networkidle")

    assert await page.locator("h1").first.is_visible()
    assert await page.locator(PAGES[path]).first.is_visible()
    assert await page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    if width < 400:
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    name = path.strip("/").replace("/", "-") or "index"
    await page.screenshot(path=tmp_path / f"{name}-{width}-light.png", full_page=True)

    light = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    await page.emulate_media(color_scheme="dark")
    dark = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    await page.screenshot(path=tmp_path / f"{name}-{width}-dark.png", full_page=True)
    assert (tmp_path / f"{name}-{width}-dark.png").stat().st_size > 0
    assert errors == []
