"""Benchmark the site search on a built site: the index's size and what a first query fetches.

    python -m benchmarks.search SITE                 # the index MkDocs wrote, queried
    python -m benchmarks.search SITE --copies 10     # re-index every page 10 times first

SITE is a built site (``python -m builder build --output OUT`` → ``OUT/site``). With
``--copies K`` the index in ``SITE/search`` is rebuilt from the site's HTML with every page
indexed K times (its copies at other addresses), the index of a portal K times larger whose
pages are like these (the synthetic corpus is copies of the seeds anyway); the time of that
indexing is reported. Then each query of the query set (``tests/browser/test_search.py``)
runs in a fresh Chromium context (empty cache) against the site served locally, and the
files under ``search/`` that it fetched are counted, as stored (the term and page files are
stored gzipped) and gzipped (level 6, as a static host compresses JSON). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import socketserver
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "三公经费",
    "公务接待费",
    "机关运行经费",
    "政府采购",
    "招商引资",
    "基本支出",
    "山西省投资促进局",
    "招商引资专项经费",
]


def reindex(site: Path, copies: int) -> dict[str, float]:
    """Index every page of ``site`` ``copies`` times into ``site/search``; time and sizes."""
    from builder.pages.search import index_page, write_index  # noqa: PLC0415

    pages = [
        path
        for path in sorted(site.rglob("index.html"))
        if path.relative_to(site).parts[0] not in {"search", "assets"}
    ]
    start = time.perf_counter()
    indexed = []
    for path in pages:
        html = path.read_text(encoding="utf-8")
        url = path.parent.relative_to(site).as_posix() + "/"
        title = html.split("<title>", 1)[1].split("</title>", 1)[0].split(" - ")[0]
        page = index_page("" if url == "./" else url, title, html)
        indexed.append(page)
        for copy in range(1, copies):
            indexed.append(replace(page, url=f"{url}copy-{copy}/"))
    parsed = time.perf_counter() - start
    written = write_index(indexed, str(site / "search"))
    total = time.perf_counter() - start
    return {**written, "parse_seconds": parsed, "seconds": total}


def index_sizes(site: Path) -> dict[str, float]:
    folder = site / "search"
    terms = [p.stat().st_size for p in (folder / "terms").glob("*.json*")]
    pages = [p.stat().st_size for p in (folder / "pages").glob("*.json*")]
    return {
        "index_mb": (sum(terms) + sum(pages)) / 2**20,
        "term_files": len(terms),
        "largest_term_kb": max(terms) / 1024,
        "page_files": len(pages),
        "largest_page_kb": max(pages) / 1024,
    }


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def first_queries(site: Path, port: int) -> list[dict[str, object]]:
    """What each query fetches from ``search/`` on a first visit (empty cache)."""
    from playwright.sync_api import Response, sync_playwright  # noqa: PLC0415

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows: list[dict[str, object]] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for query in QUERIES:
            context = browser.new_context()
            page = context.new_page()
            fetched: dict[str, tuple[int, int]] = {}

            def record(response: Response, into: dict[str, tuple[int, int]] = fetched) -> None:
                if "/search/" in response.url and response.ok:
                    body = response.body()
                    into[response.url] = (len(body), len(gzip.compress(body, 6)))

            page.on("response", record)
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/?q={quote(query)}")
            page.wait_for_function(
                "() => /找到|没有找到|无法加载/.test(document.querySelector("
                "'.portal-search .md-search-result__meta').textContent)",
                timeout=60_000,
            )
            page.wait_for_load_state("networkidle")
            seconds = time.perf_counter() - start
            meta = page.locator(".portal-search .md-search-result__meta").text_content() or ""
            first = page.eval_on_selector_all(
                ".portal-search__hit > a:first-child", "els => els.slice(0, 1).map(e => e.href)"
            )
            rows.append(
                {
                    "query": query,
                    "found": meta.strip(),
                    "first": first[0].split("?")[0].split(f":{port}/")[1] if first else "",
                    "files": len(fetched),
                    "kb": sum(raw for raw, _ in fetched.values()) / 1024,
                    "kb_gzip": sum(small for _, small in fetched.values()) / 1024,
                    "seconds": seconds,
                }
            )
            context.close()
        browser.close()
    server.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark the site search")
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--copies", type=int, default=0, help="re-index every page K times")
    parser.add_argument("--port", type=int, default=8799, help="the site's port (its SITE_URL)")
    args = parser.parse_args(argv)
    if args.copies:
        built = reindex(args.site, args.copies)
        print(
            f"indexed {built['pages']} pages in {built['seconds']:.1f} s "
            f"(HTML parsing {built['parse_seconds']:.1f} s): "
            f"{built['terms']} terms in {built['shards']} shards"
        )
    sizes = index_sizes(args.site)
    print(
        f"index: {sizes['index_mb']:.1f} MB; {sizes['term_files']} term files "
        f"(largest {sizes['largest_term_kb']:.0f} KB), {sizes['page_files']} page files "
        f"(largest {sizes['largest_page_kb']:.0f} KB)\n"
    )
    print("| query | found | first hit | files | KB | KB gzipped | s |")
    print("|---|---|---|---|---|---|---|")
    for row in first_queries(args.site, args.port):
        print(
            f"| {row['query']} | {row['found']} | {row['first']} | {row['files']} "
            f"| {row['kb']:.0f} | {row['kb_gzip']:.0f} | {row['seconds']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
