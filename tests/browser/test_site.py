"""The built site in headless Chromium: pages, charts, search, downloads, offline, layout.

Every page is opened from the local server at its ``SITE_URL``; a test fails on any
JavaScript page error, on a chart that did not render as SVG, and on any request that
leaves the origin. Screenshots go to ``test-output/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from builder.pages.catalog import unit_id
from tests.browser.sitebuild import SEED_IDS, SHANGHAI_IDS

pytestmark = pytest.mark.browser

INVESTMENT_BUREAU = unit_id("山西省投资促进局")  # seeds 000 (2024 决算) and 002 (2023 预算)
FIRST = "000_127416229ccdc025"
NO_PACKAGE_TABLES = "004_c9b7d00ba9827a50"  # tables 02 and 03 missing in the source
SCREENSHOT_MAX_HEIGHT = 6000
HTTP_OK = 200


class PageErrors:
    """JavaScript errors and console errors of a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )


@pytest.fixture
def errors(page: Page) -> Iterator[PageErrors]:
    watcher = PageErrors(page)
    yield watcher
    assert watcher.errors == [], watcher.errors


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _expect_charts(page: Page, at_least: int = 1) -> int:
    """Every ``div.vega-chart`` of the page rendered an SVG; returns how many there are."""
    charts = page.locator("div.vega-chart")
    count = charts.count()
    assert count >= at_least
    expect(page.locator("div.vega-chart[data-chart-ok] svg.marks")).to_have_count(count)
    failed = page.eval_on_selector_all(
        "div.vega-chart[data-chart-error]", "els => els.map(e => e.dataset.chartError)"
    )
    assert failed == []
    return count


def test_home_page(page: Page, base_url: str, errors: PageErrors) -> None:
    _open(page, base_url)
    expect(page.locator("h1")).to_contain_text("开放预算门户")
    _expect_charts(page, at_least=2)
    # Chinese number formatting: 万元 with thousands separators (the ranking's cell, and the
    # chart's description beside its data, loaded when that block is opened).
    expect(page.locator("article table", has_text="6,280.94").first).to_be_visible()
    chart_data = page.locator("details[id$='-data']").first
    chart_data.locator("> summary").click()
    expect(chart_data).to_contain_text("6,280.94 万元")
    # Every unit's documents by year: loaded when the block is opened (a row per unit).
    page.locator("details#units-by-year > summary").click()
    expect(page.locator(f"article a[href*='{INVESTMENT_BUREAU}']").first).to_be_visible()


def test_unit_page_links_both_disclosures(page: Page, base_url: str, errors: PageErrors) -> None:
    _open(page, f"{base_url}units/{INVESTMENT_BUREAU}/")
    expect(page.locator("h1")).to_contain_text("山西省投资促进局")
    for disclosure in ("000_127416229ccdc025", "002_6a7fbe393d7e6d53"):
        expect(page.locator(f"article a[href*='{disclosure}']").first).to_be_visible()
    _expect_charts(page)


@pytest.mark.parametrize("disclosure_id", [*SEED_IDS, *SHANGHAI_IDS])
def test_disclosure_page(page: Page, base_url: str, errors: PageErrors, disclosure_id: str) -> None:
    _open(page, f"{base_url}disclosures/{disclosure_id}/")
    expect(page.locator("h1")).to_be_visible()
    _expect_charts(page, at_least=4)
    # The charts are described for screen readers (vega-embed puts it on the container).
    labels = page.eval_on_selector_all(
        "div.vega-chart", "els => els.map(e => e.getAttribute('aria-label') || '')"
    )
    assert all(label.startswith("条形图：") for label in labels), labels
    # Every standard table is listed; tables that exist render with units in the headings
    # when their block is opened (each is loaded then: builder.pages.parts).
    expect(page.locator("h2#公开表格")).to_be_visible()
    first_table = page.locator("h2#公开表格 ~ details[data-part]").first
    first_table.locator("> summary").click()
    expect(first_table).to_have_attribute("data-part-loaded", "1")
    assert first_table.locator("table.portal-table th", has_text="（万元）").count() > 0
    # schema.org Dataset JSON-LD: a JSON array with one Dataset.
    raw = page.locator("script[type='application/ld+json']").text_content()
    data = json.loads(raw or "")
    assert data[0]["@type"] == "Dataset"
    assert data[0]["identifier"] == disclosure_id


def test_missing_tables_are_explained(page: Page, base_url: str, errors: PageErrors) -> None:
    _open(page, f"{base_url}disclosures/{NO_PACKAGE_TABLES}/")
    notes = page.locator(".admonition.warning")
    expect(notes).to_contain_text("公开02表 收入决算表：原文缺失")
    expect(notes).to_contain_text("公开03表 支出决算表：原文缺失")


def test_downloads_resolve_with_listed_checksums(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}disclosures/{FIRST}/")
    page.locator("details#files > summary").click()  # the per-table files, loaded on opening
    expect(page.locator("details#files")).to_have_attribute("data-part-loaded", "1")
    rows = page.eval_on_selector_all(
        "table:has(code.sha256) tbody tr",
        "rows => rows.map(r => [r.querySelector('a').href, r.querySelector('code').textContent])",
    )
    assert len(rows) >= 1  # the source text at least; the package files when they exist
    for href, sha256 in rows:
        response = page.request.get(href)
        assert response.status == HTTP_OK, href
        assert hashlib.sha256(response.body()).hexdigest() == sha256, href
    csv_links = page.eval_on_selector_all("a[href$='.csv']", "els => els.map(e => e.href)")
    assert any("/assets/charts/" in href for href in csv_links)
    for href in csv_links:
        assert page.request.get(href).status == HTTP_OK, href


def test_no_request_leaves_the_origin(page: Page, base_url: str) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((base_url, "data:", "blob:"))
            else None
        ),
    )
    # The home page with a search (loads the search index files), then a chart page.
    for path in (f"?q={quote('三公')}", f"disclosures/{FIRST}/"):
        _open(page, base_url + path)
    assert outside == []


def test_chart_renders_after_instant_navigation(
    page: Page, base_url: str, errors: PageErrors
) -> None:
    _open(page, base_url)
    page.evaluate("window.__instant = true")
    page.locator(f"article a[href*='{FIRST}']").first.click()
    page.wait_for_url(f"**/disclosures/{FIRST}/")
    # The URL changes before the content is swapped: wait for the new page's content.
    expect(page.locator("h1")).to_contain_text("2024年度单位决算")
    expect(page.locator("div.vega-chart")).to_have_count(8)  # six of tables, two of execution
    _expect_charts(page, at_least=8)
    # The window survived: the navigation was instant, not a page load.
    assert page.evaluate("window.__instant === true")
    # And back to a page with charts of its own.
    page.locator(f"article a[href*='units/{INVESTMENT_BUREAU}']").first.click()
    page.wait_for_url(f"**/units/{INVESTMENT_BUREAU}/")
    expect(page.locator("h2#历年公开文件")).to_be_visible()
    _expect_charts(page)
    assert page.evaluate("window.__instant === true")


def test_each_heading_gets_its_section_link_in_the_browser(
    page: Page, base_url: str, errors: PageErrors
) -> None:
    """The HTML carries the headings' ids, not their ¶ links: permalinks.js adds one to
    each heading with an id, on a page loaded and after instant navigation."""
    path = f"disclosures/{FIRST}/"
    html = page.request.get(base_url + path).text()
    assert 'class="headerlink"' not in html
    assert 'id="公开表格"' in html
    _open(page, base_url)
    page.evaluate("window.__instant = true")
    page.locator(f"article a[href*='{FIRST}']").first.click()
    page.wait_for_url(f"**/{path}")
    expect(page.locator("h1")).to_contain_text("2024年度单位决算")
    links = page.eval_on_selector_all(
        "article :is(h1, h2, h3, h4, h5, h6)[id]",
        "hs => hs.map(h => [h.id, [...h.querySelectorAll('a.headerlink')]"
        ".map(a => [a.getAttribute('href'), a.title, a.textContent])])",
    )
    assert len(links) > 10  # the sections, tables and projects of a page
    for heading_id, found in links:
        assert found == [[f"#{heading_id}", "本节链接", "¶"]], heading_id
    assert page.evaluate("window.__instant === true")
    link = page.locator("article h2#公开表格 a.headerlink")
    link.click()
    assert page.url.endswith("#公开表格") or page.url.endswith(
        "#%E5%85%AC%E5%BC%80%E8%A1%A8%E6%A0%BC"
    )


@pytest.mark.usefixtures("errors")
@pytest.mark.parametrize(("form", "width"), [("desktop", 1280), ("phone", 390)])
def test_screenshots(page: Page, base_url: str, screenshots: Path, form: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in (
        ("home", ""),
        ("compare", "compare/2024/"),
        ("unit", f"units/{INVESTMENT_BUREAU}/"),  # a unit with two years (2023 预算, 2024 决算)
        ("disclosure-000", f"disclosures/{FIRST}/"),
        ("disclosure-budget-002", "disclosures/002_6a7fbe393d7e6d53/"),
        ("disclosure-shanghai-final", f"disclosures/{SHANGHAI_IDS[0]}/"),
        ("disclosure-shanghai-budget", f"disclosures/{SHANGHAI_IDS[1]}/"),
    ):
        _open(page, base_url + path)
        if path.startswith(("disclosures/", "compare/")) or not path:
            _expect_charts(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(
            path=screenshots / f"{name}-{form}.png",
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": min(height, SCREENSHOT_MAX_HEIGHT)},
        )
        # No horizontal scrolling of the page itself (wide tables scroll in their box).
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (name, form, overflow)
