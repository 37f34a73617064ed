"""Long lists cut into pages (``builder.pages.paging``), in Chromium: a reader reaches a row
that is on page 2, with and without JavaScript, and a glossary term's sources on their page.

The site is the seeds' with every list two rows a page (the page sizes set small), built
and served by this module; screenshots of the glossary and the comparison pages are kept
in ``test-output/screenshots``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import _free_port, _QuietHandler, _Server
from tests.browser.sitebuild import build_packages, generate_docs, mkdocs_build
from tests.test_paging import page_every

pytestmark = pytest.mark.browser

PER_PAGE = 2


@pytest.fixture(scope="module")
def paged_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds' site with two rows a page, served at its ``SITE_URL``."""
    dest = tmp_path_factory.mktemp("paged-site")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    packages = build_packages(dest / "packages")
    with pytest.MonkeyPatch.context() as patch:
        page_every(patch, PER_PAGE)
        docs = generate_docs(dest, url, packages)
    site = mkdocs_build(dest, docs, url)
    server = _Server(("127.0.0.1", port), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


def _reach_a_row_of_page_two(page: Page, url: str) -> None:
    page.goto(url + "disclosures/")
    first_rows = page.locator("article table tbody tr")
    expect(first_rows).to_have_count(PER_PAGE)
    on_first = set(
        first_rows.locator("td:nth-child(3) a").evaluate_all("as => as.map(a => a.href)")
    )
    page.locator("nav.portal-pager a[rel=next]").click()
    expect(page).to_have_url(url + "disclosures/pages/2/")
    expect(page.locator("nav.portal-pager strong[aria-current=page]")).to_have_text(
        re.compile(r"^第 2 页：")
    )
    row = page.locator("article table tbody tr").first
    unit_name = row.locator("td:nth-child(2)").inner_text()
    document = row.locator("td:nth-child(3) a")
    assert document.get_attribute("href") is not None
    assert document.evaluate("a => a.href") not in on_first  # only reachable from page 2
    document.click()
    expect(page).to_have_url(re.compile(re.escape(url) + r"disclosures/[^/]+/$"))
    expect(page.locator("article h1")).to_contain_text(unit_name)


def test_a_reader_reaches_a_disclosure_listed_on_page_two(page: Page, paged_url: str) -> None:
    _reach_a_row_of_page_two(page, paged_url)


def test_without_javascript_page_two_is_a_plain_link(browser: Browser, paged_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        _reach_a_row_of_page_two(context.new_page(), paged_url)
    finally:
        context.close()


def test_a_glossary_term_links_to_the_page_of_its_sources(
    page: Page, paged_url: str, screenshots: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(paged_url + "glossary/")
    page.screenshot(path=str(screenshots / "glossary-paged.png"), full_page=False)
    further = page.locator("article a", has_text=re.compile(r"^全部 \d+ 份公开文件$"))
    targets = further.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    index = next(i for i, href in enumerate(targets) if "/pages/" in href)
    heading = further.nth(index).locator("xpath=preceding::h3[1]").inner_text()
    term = heading.removesuffix("¶").strip()  # less its permalink
    further.nth(index).click()
    expect(page).to_have_url(re.compile(r"glossary/sources/pages/\d+/#w\d+-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    row = page.locator(f"tr:has(span[id='{anchor}'])")
    expect(row.locator("td").first).to_have_text(term)
    expect(row.locator("td:nth-child(3) a")).to_have_attribute("href", re.compile("disclosures/"))
    page.screenshot(path=str(screenshots / "glossary-sources-paged.png"), full_page=False)


def test_the_comparison_lists_its_years_and_each_year_pages_its_units(
    page: Page, paged_url: str, screenshots: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(paged_url + "compare/")
    page.screenshot(path=str(screenshots / "compare-years.png"), full_page=True)
    page.locator("article a", has_text=re.compile(r"^2024年度决算：\d+ 个单位$")).click()
    expect(page).to_have_url(paged_url + "compare/2024/")
    expect(page.locator("#ranking")).to_be_visible()
    expect(page.locator("article table").nth(1).locator("tbody tr")).to_have_count(PER_PAGE)
    page.screenshot(path=str(screenshots / "compare-2024.png"), full_page=True)
    page.locator("nav.portal-pager summary").click()  # every page, by its first and last units
    page.locator("nav.portal-pager a", has_text=re.compile(r"^第 2 页：")).click()
    expect(page).to_have_url(paged_url + "compare/2024/pages/2/")
    expect(page.locator("article table").first.locator("tbody tr")).not_to_have_count(0)
