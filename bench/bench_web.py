"""The web archive under load: 50 concurrent aiohttp clients against a server in its own process
(the other core), for `/issues/1`, `/search?q=EfficientNet` and `/feed.xml`, at the real archive
and at a generated 1,100-issue/10,000-term one; then `briefing-bot site` for the generated one.

Baseline: the same page rendered on every request (`WebArchive(cache=False)`), served by the
same process on a second port. The generated feed holds the newest 20 whole issues (`[web]
feed_issues`): it is measured with 100 requests and its uncached baseline with 5 clients and 5.
The feed's size at 1,100 issues is printed beside that of a feed of every issue (the baseline:
what `/feed.xml` held before `feed_issues`).
"""

from __future__ import annotations

import asyncio
import gzip
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import percentile, report
from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
PATHS = ["/issues/1", "/search?q=EfficientNet", "/feed.xml"]


async def _serve(content_dir: str) -> None:
    """The server process: a cached and an uncached archive, their ports on stdout, until EOF."""
    from aiohttp import web

    from bot.content.loader import load_content
    from bot.web.server import application
    from bot.web.site import WebArchive

    content = load_content(Path(content_dir), Path(content_dir) / "content-cache.json")
    content.archive.prepare_search()
    runners = []
    for cache in (True, False):
        runner = web.AppRunner(
            application(WebArchive(lambda: content, cache=cache)), access_log=None
        )
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
    print(*(r.addresses[0][1] for r in runners), flush=True)
    await asyncio.to_thread(sys.stdin.read)
    for runner in runners:
        await runner.cleanup()


async def _load(url: str, total: int, clients: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) of `total` GETs by `clients` concurrent clients."""
    samples: list[float] = []
    left = total
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        async with session.get(url) as warm:  # renders and caches the page, builds the index
            assert warm.status == 200, (url, warm.status)
            await warm.read()

        async def client() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                start = time.perf_counter()
                async with session.get(url) as resp:
                    await resp.read()
                samples.append((time.perf_counter() - start) * 1e3)

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    return len(samples) / elapsed, percentile(samples, 50), percentile(samples, 99)


async def _measure(label: str, content_dir: Path, generated: bool) -> list[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bench_web", "serve", str(content_dir),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    lines = []
    try:
        cached, uncached = (int(p) for p in (await proc.stdout.readline()).split())
        for path in PATHS:
            heavy = generated and path == "/feed.xml"
            total = 100 if heavy else 2000
            rps, p50, p99 = await _load(f"http://127.0.0.1:{cached}{path}", total, CLIENTS)
            base_total, base_clients = (5, 5) if heavy else (total // 4, CLIENTS)
            url = f"http://127.0.0.1:{uncached}{path}"
            b_rps, b_p50, b_p99 = await _load(url, base_total, base_clients)
            goal = "p99 < 20 ms" if path.startswith("/issues/") else ""
            clients = f"{CLIENTS} clients" + (f" (baseline {base_clients})" if heavy else "")
            name = f"{label}: GET {path}, {clients}"
            rate = f"{rps:,.0f} req/s (baseline: {b_rps:,.1f} req/s, ratio: {rps / b_rps:,.1f}x)"
            lines.append(f"{name}, requests/s: {rate}")
            lines.append(report(f"{name}, p50", p50, "ms", b_p50))
            lines.append(report(f"{name}, p99", p99, "ms", b_p99, goal=goal))
    finally:
        proc.stdin.close()
        await proc.wait()
    return lines


def _site(content_dir: Path, out: Path) -> str:
    from bot.content.loader import load_content
    from bot.web.export import write_site

    content = load_content(content_dir, content_dir / "content-cache.json")
    start = time.perf_counter()
    files = write_site(content, out)
    elapsed = time.perf_counter() - start
    return report(
        f"generated: briefing-bot site, 1,100 issues ({files:,} files)", elapsed, "s", goal="< 30 s"
    )


def _feed_size(content_dir: Path) -> str:
    from bot.content.loader import load_content
    from bot.web.feed import FEED_ISSUES, atom_feed
    from bot.web.pages import Pages
    from bot.web.urls import Urls

    content = load_content(content_dir, content_dir / "content-cache.json")
    pages, links = Pages(content), Urls.served()
    newest = atom_feed(pages, links, FEED_ISSUES)
    every = atom_feed(pages, links, len(content.archive))
    zipped, every_zipped = (len(gzip.compress(feed, 6)) for feed in (newest, every))
    return (
        f"generated: /feed.xml size, 1,100 issues, feed_issues = {FEED_ISSUES}: "
        f"{len(newest):,} bytes, {zipped:,} gzipped (baseline, every issue: {len(every):,} "
        f"bytes, {every_zipped:,} gzipped, ratio: {len(every) / len(newest):,.1f}x)"
    )


def main() -> list[str]:
    lines = asyncio.run(_measure("real archive", ROOT / "content", generated=False))
    with tempfile.TemporaryDirectory() as tmp:
        content_dir = generate(Path(tmp) / "content", issues=1100, terms=10_000)
        lines += asyncio.run(_measure("generated 1,100 issues", content_dir, generated=True))
        lines.append(_feed_size(content_dir))
        lines.append(_site(content_dir, Path(tmp) / "site"))
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        asyncio.run(_serve(sys.argv[2]))
    else:
        print("\n".join(main()))
