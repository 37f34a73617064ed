"""Benchmark what the pages of a built site weigh: on disk, and what a first view transfers.

    python -m benchmarks.page_weight SITE
    python -m benchmarks.page_weight SITE --disclosure 000_127416229ccdc025

SITE is a built site (``python -m builder build --output OUT`` → ``OUT/site``). Prints
Markdown tables:

- the bytes of the site's pages on disk: every page's ``index.html``, the parts loaded on
  demand (``*/parts.html.gz``), the chart specs (each chart's ``assets/charts/*.values.json.gz``
  and the shared ``assets/charts/templates/*.json``) and the
  search index, each with its file count;
- for the home page, a disclosure page (the first one, or ``--disclosure``) and the page
  of its unit: what a first view in headless Chromium (fresh context, empty cache)
  transfers from the site, counted from the browser's responses once the network is idle
  (every chart drawn), by kind: the page's HTML, JSON (chart specs), the parts loaded,
  ``sitemap.xml`` (Material's instant navigation fetches it on every page load), the
  shared JavaScript and CSS (the same files on every page, cached after the first visit)
  and anything else (the favicon), raw and gzipped (level 6, as a static host compresses
  text). The page total leaves out the shared JavaScript and CSS.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import socketserver
import threading
from pathlib import Path

KINDS = ("html", "json", "parts", "sitemap", "js+css", "other")
KIB = 1024
DRAWN = """() => [...document.querySelectorAll('div.vega-chart')]
  .every((el) => el.dataset.chartOk || el.dataset.chartError)"""


def disk_sizes(site: Path) -> dict[str, tuple[int, int]]:
    """(files, bytes) of the site's pages, parts, chart specs and search index."""

    def total(paths: list[Path]) -> tuple[int, int]:
        return len(paths), sum(path.stat().st_size for path in paths)

    pages = [p for p in site.rglob("index.html") if p.relative_to(site).parts[0] not in {"assets"}]
    disclosures = [p for p in pages if p.relative_to(site).parts[0] == "disclosures"]
    return {
        "pages (index.html)": total(pages),
        "of which disclosure pages": total(disclosures),
        "parts loaded on demand": total(list(site.glob("**/parts.html*"))),
        "chart specs (values and templates)": total(
            list((site / "assets" / "charts").glob("**/*.json*"))
        ),
        "search index": total([p for p in (site / "search").rglob("*") if p.is_file()]),
    }


def _kind(url: str, resource_type: str) -> str:
    path = url.split("?", maxsplit=1)[0]
    if "/parts.html" in path:
        return "parts"
    if resource_type == "document":
        return "html"
    if path.endswith((".json", ".json.gz")):
        return "json"
    if path.endswith((".js", ".css")):
        return "js+css"
    if path.endswith("sitemap.xml"):  # fetched by Material's instant navigation
        return "sitemap"
    return "other"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def first_views(site: Path, port: int, paths: list[str]) -> list[dict[str, object]]:
    """Bytes (raw, gzipped) and files of each kind a first view of each path transfers."""
    from playwright.sync_api import Response, sync_playwright  # noqa: PLC0415

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{port}/"
    rows: list[dict[str, object]] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for path in paths:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            fetched: dict[str, tuple[str, int, int]] = {}

            def record(response: Response, into: dict[str, tuple[str, int, int]] = fetched) -> None:
                if response.url.startswith(origin) and response.ok:
                    body = response.body()
                    kind = _kind(response.url, response.request.resource_type)
                    into[response.url] = (kind, len(body), len(gzip.compress(body, 6)))

            page.on("response", record)
            page.goto(origin + path)
            page.wait_for_function(DRAWN, timeout=60_000)
            page.wait_for_load_state("networkidle")
            row: dict[str, object] = {"path": path or "(home)"}
            for kind in KINDS:
                mine = [v for v in fetched.values() if v[0] == kind]
                row[kind] = (len(mine), sum(v[1] for v in mine), sum(v[2] for v in mine))
            rows.append(row)
            context.close()
        browser.close()
    server.shutdown()
    return rows


def _unit_of(site: Path, disclosure: str) -> str:
    html = (site / "disclosures" / disclosure / "index.html").read_text(encoding="utf-8")
    found = re.search(r'href="\.\./\.\./(units/[^"/]+/)"', html)
    if found is None:
        msg = f"no unit link on the page of {disclosure}"
        raise SystemExit(msg)
    return found.group(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark the weight of the site's pages")
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--disclosure", help="the disclosure page to open (default: the first)")
    parser.add_argument("--port", type=int, default=8797, help="port of the local server")
    args = parser.parse_args(argv)
    site: Path = args.site
    pages = sorted(p.name for p in (site / "disclosures").iterdir() if (p / "index.html").is_file())
    disclosure = args.disclosure or pages[0]
    print("| part of the site | files | MB |")
    print("|---|---|---|")
    for name, (count, size) in disk_sizes(site).items():
        print(f"| {name} | {count:,} | {size / KIB / KIB:.1f} |")
    paths = ["", f"disclosures/{disclosure}/", _unit_of(site, disclosure)]
    print("\nfirst view, KB (gzipped KB) and files, by kind:\n")
    print("| page | " + " | ".join(KINDS) + " | page total (without js+css) |")
    print("|---|" + "---|" * (len(KINDS) + 1))
    for row in first_views(site, args.port, paths):
        cells = []
        for kind in KINDS:
            files, raw, small = row[kind]  # type: ignore[misc]
            cells.append(f"{raw / KIB:.1f} ({small / KIB:.1f}) in {files}")
        own = [row[k] for k in KINDS if k != "js+css"]
        raw_total = sum(v[1] for v in own)  # type: ignore[index]
        small_total = sum(v[2] for v in own)  # type: ignore[index]
        print(
            f"| {row['path']} | "
            + " | ".join(cells)
            + f" | **{raw_total / KIB:.1f} ({small_total / KIB:.1f})** |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
