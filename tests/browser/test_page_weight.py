"""What a disclosure page weighs in Chromium, and its data tables loaded when opened.

A first view transfers the page's HTML and its chart specs, within a stated budget, and
none of its parts (``builder.pages.parts``: the data tables, chart data, per-table files
and self-assessments, in one gzipped file beside the page). Opening a table's block shows the
rows of the table's published CSV; an address naming a table opens it; printing loads every
part; without JavaScript the block's link downloads the parts file, and the table's CSV is
linked beside the block.
"""

from __future__ import annotations

import csv
import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from builder.pages.parts import PARTS_FILE

pytestmark = pytest.mark.browser

FIRST = "000_127416229ccdc025"
# The page's own first-view bytes: its HTML and the JSON it fetches (each chart's values and
# the templates of their shapes), counted
# from the browser's responses. 210 KB before the tables were loaded on demand (README).
FIRST_VIEW_BUDGET = 150 * 1024
SHARED = (".js", ".css", ".png", ".svg", ".ico", ".woff2")  # cached, the same on every page
HTTP_OK = 200
TABLE = "income_by_function"  # 公开02表 收入决算表 of seed 000: 25 rows, codes and names


def _first_view(page: Page, url: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    origin = url.split("disclosures/", maxsplit=1)[0]

    def record(response: Response) -> None:
        if response.url.startswith(origin) and response.status == HTTP_OK:
            sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    expect(page.locator("div.vega-chart[data-chart-ok] svg.marks")).to_have_count(8)
    page.remove_listener("response", record)
    return sizes


def test_first_view_stays_within_its_budget(page: Page, base_url: str) -> None:
    sizes = _first_view(page, f"{base_url}disclosures/{FIRST}/")
    own = {url: size for url, size in sizes.items() if not url.endswith(SHARED)}
    parts = [url for url in own if PARTS_FILE in url]
    assert parts == []  # nothing collapsed is fetched before it is opened
    html = sum(size for url, size in own.items() if url.endswith("/"))
    specs = [url for url in own if url.endswith(".values.json.gz")]
    templates = [url for url in own if "/assets/charts/templates/" in url]
    report = {
        "page": f"disclosures/{FIRST}/",
        "html_bytes": html,
        "chart_spec_bytes": sum(own[url] for url in specs + templates),
        "chart_specs": len(specs),
        "chart_templates": len(templates),  # one per shape, cached for the next page
        "page_bytes": sum(own.values()),
        "page_bytes_gzip": sum(len(gzip.compress(page.request.get(url).body(), 6)) for url in own),
        "shared_bytes": sum(sizes.values()) - sum(own.values()),
    }
    out = Path(__file__).resolve().parents[2] / "test-output" / "page-weight.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    assert len(specs) == 8
    assert 1 <= len(templates) < len(specs)
    assert report["page_bytes"] <= FIRST_VIEW_BUDGET, report


def _csv_rows(site: Path) -> list[tuple[str, str, str]]:
    """(code, name, 本年收入合计 with thousands separators) of each row with an amount."""
    path = site / "downloads" / FIRST / "csv" / f"{TABLE}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    amounts = [name for name in rows[0] if name.endswith("_10k_yuan")]
    return [
        (row["function_code"], row["function_name"], f"{Decimal(row['total_income_10k_yuan']):,}")
        for row in rows
        if any(row[name] for name in amounts)
    ]


def _shown_rows(page: Page, block: str) -> list[tuple[str, str, str]]:
    cells: list[list[str]] = page.eval_on_selector_all(
        f"{block} table tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
    )
    return [(row[0], row[1], row[2]) for row in cells]


def test_opening_a_table_shows_the_rows_of_its_csv(
    page: Page, base_url: str, built_site: tuple[Path, int]
) -> None:
    page.goto(f"{base_url}disclosures/{FIRST}/")
    page.wait_for_load_state("networkidle")
    block = f"details#table-{TABLE}"
    expect(page.locator(f"{block} table")).to_have_count(0)  # not on the page yet
    page.locator(f"{block} > summary").click()
    expect(page.locator(f"{block}[data-part-loaded]")).to_have_count(1)
    expected = _csv_rows(built_site[0])
    assert len(expected) == 25
    assert _shown_rows(page, block) == expected
    expect(page.locator(f"{block} caption")).to_have_text("公开02表 收入决算表")


def test_an_address_naming_a_table_opens_it(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}disclosures/{FIRST}/#table-three_public_costs")
    block = page.locator("details#table-three_public_costs")
    expect(block).to_have_attribute("data-part-loaded", "1")
    expect(block.locator("table td", has_text="69.56").first).to_be_visible()  # 因公出国（境）费


def test_opening_a_projects_block_shows_its_funding_table_above_its_targets(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}disclosures/{FIRST}/")
    page.wait_for_load_state("networkidle")
    block = page.locator("details[data-part='evaluation-1-funding']")
    expect(block.locator("table")).to_have_count(0)  # not on the page yet
    block.locator(":scope > summary").click()
    expect(block).to_have_attribute("data-part-loaded", "1")
    expect(block.locator(":scope > div table caption")).to_have_text(
        "招商引资专项经费：项目资金预算安排及执行"
    )
    expect(block.locator(":scope > div table tbody tr").first).to_contain_text("资金总额")
    # The table comes first, then the targets and results that were on the page already.
    first, targets = block.evaluate(
        "b => [b.children[1].tagName,"
        " [...b.children].findIndex(c => c.textContent.startsWith('年度目标'))]"
    )
    assert first == "DIV"
    assert targets > 1


def test_printing_loads_every_part(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}disclosures/{FIRST}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("details[data-part]").count() > 20
    # The parts are loaded before beforeprint returns: the browser prints right after it.
    left = page.evaluate(
        "() => { window.dispatchEvent(new Event('beforeprint'));"
        " return document.querySelectorAll('details[data-part]:not([data-part-loaded])').length; }"
    )
    assert left == 0
    assert page.locator("details[data-part-error]").count() == 0


def test_without_javascript_the_link_downloads_the_parts_and_the_csv_is_beside(
    browser: Browser, base_url: str, built_site: tuple[Path, int], tmp_path: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base_url}disclosures/{FIRST}/")
    page.locator(f"details#table-{TABLE} > summary").click()
    with page.expect_download() as download:
        page.locator(f"details#table-{TABLE} .portal-part a").click()
    saved = tmp_path / PARTS_FILE
    download.value.save_as(saved)
    # Unpacked, the file is a page of every part (the one asked for among them), whose
    # relative links mean what they mean on the page: opened beside it, they resolve.
    unpacked = page.request.get(f"{base_url}disclosures/{FIRST}/{PARTS_FILE}").body()
    assert saved.read_bytes() == unpacked
    page.set_content(gzip.decompress(unpacked).decode("utf-8"))
    expect(page.locator("h1")).to_have_text("山西省投资促进局 2024年度单位决算")
    expect(page.locator(f"section#{TABLE} > h2")).to_have_text("公开02表 收入决算表")
    assert _shown_rows(page, f"section#{TABLE}") == _csv_rows(built_site[0])
    assert page.locator("section[data-portal-part]").count() > 20
    # Beside the block, the table's CSV: its rows without JavaScript.
    page.goto(f"{base_url}disclosures/{FIRST}/")
    csv_link = page.locator(f"details#table-{TABLE} + p a", has_text="CSV")
    href = csv_link.get_attribute("href")
    assert href is not None
    assert href.endswith(f"{TABLE}.csv")
    assert page.request.get(csv_link.evaluate("a => a.href")).status == HTTP_OK
    context.close()
