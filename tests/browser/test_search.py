"""The site search in Chromium: a set of real queries with their expected first hits.

Each query is one a citizen types first; its expected first hits are the pages that answer
it on the seeds (written down by reading the seeds, not by running the search). For every
query the test checks the first hit, that every highlighted word in the results is the query
itself (never one of its characters), and that opening the first hit (by instant navigation)
highlights the query on that page. Searches fetch a few index files, never the whole index.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, Response, Route, expect

from builder.pages.catalog import unit_id
from builder.pages.search import encode_numbers, shard_of, terms_of
from tests.browser.sitebuild import SEED_IDS, SHANGHAI_IDS

pytestmark = pytest.mark.browser

FINALS = [f"disclosures/{i}/" for i in SEED_IDS if not i.startswith("002")] + [
    f"disclosures/{SHANGHAI_IDS[0]}/"
]
BUDGET_002 = "disclosures/002_6a7fbe393d7e6d53/"
FINAL_000 = "disclosures/000_127416229ccdc025/"
EVERY_DISCLOSURE = [*FINALS, BUDGET_002, f"disclosures/{SHANGHAI_IDS[1]}/"]
QUOTES = re.compile("[“”‘’\"'《》〈〉「」『』]")
HTTP_OK = 200
# Index files a search may fetch on the seeds (meta, term shards, the pages shown).
SEARCH_BYTES_LIMIT = 300 * 1024

# query → the pages acceptable as its first hit, and why.
QUERIES: dict[str, list[str]] = {
    # Every disclosure has a 三公 table and section; the glossary defines the term; the home
    # page shows the 三公经费 of each year. Never the data dictionary or a page that matches
    # on 经 alone.
    "三公经费": [*EVERY_DISCLOSURE, "glossary/", ""],
    # The glossary's definition of 三公经费 names 公务接待费 (and the disclosures report it);
    # the comparison pages and the query page's first example list every unit's 公务接待费.
    # Never a passage about 公务用车.
    "公务接待费": ["glossary/", *EVERY_DISCLOSURE, "compare/", "compare/2024/", "query/"],
    # 002 has a section 机关运行经费增减变动原因说明 and table 11 of that name; the comparison
    # pages compare the units' 机关运行经费.
    "机关运行经费": [BUDGET_002, "glossary/", "compare/", "compare/2024/", "compare/2023/"],
    # Sections 政府采购情况(说明) in the Shanxi disclosures; the Shanghai finance bureau, whose
    # duties include 政府采购 and whose final reports it.
    "政府采购": [
        f"disclosures/{SHANGHAI_IDS[0]}/",
        FINAL_000,
        BUDGET_002,
        "disclosures/003_664a31573f3e6641/",
        "disclosures/004_c9b7d00ba9827a50/",
    ],
    # The investment promotion bureau: 招商引资 is its duty and its projects' name.
    "招商引资": [FINAL_000, BUDGET_002],
    # A table of every disclosure is about 基本支出; the glossary defines it.
    "基本支出": [*EVERY_DISCLOSURE, "glossary/"],
    # A unit name: the unit's page.
    "山西省投资促进局": [f"units/{unit_id('山西省投资促进局')}/"],
    # A project name: the bureau's budget (target) and final (self-assessment) pages.
    "招商引资专项经费": [BUDGET_002, FINAL_000],
}


def _search(page: Page, base_url: str, query: str) -> list[str]:
    """Open the site with ``?q=query``; the result pages' paths, in order."""
    page.goto(f"{base_url}?q={quote(query)}")
    meta = page.locator(".portal-search .md-search-result__meta")
    expect(meta).to_contain_text(re.compile("找到|没有找到"), timeout=15_000)
    page.wait_for_load_state("networkidle")
    hrefs: list[str] = page.eval_on_selector_all(
        ".portal-search__hit > a:first-child", "els => els.map(e => e.href)"
    )
    return [href.split("?")[0].removeprefix(base_url) for href in hrefs]


def _marks(page: Page, selector: str) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")
    return [QUOTES.sub("", text) for text in texts]


@pytest.mark.parametrize("query", list(QUERIES))
def test_query_finds_its_page_and_highlights_it(page: Page, base_url: str, query: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    hits = _search(page, base_url, query)
    assert hits, query
    assert hits[0] in QUERIES[query], (query, hits[:3])
    marks = _marks(page, ".portal-search mark")
    assert marks, query
    assert set(marks) == {query}, (query, sorted(set(marks)))  # whole words only
    # Open the first hit as a reader would: instant navigation, then the words highlighted.
    page.evaluate("window.__instant = true")
    page.locator(".portal-search__hit > a").first.click()
    page.wait_for_url(f"**/{hits[0]}?h=*")
    highlighted = page.locator("article mark.portal-highlight")
    expect(highlighted.first).to_be_attached()
    assert set(_marks(page, "article mark.portal-highlight")) == {query}
    assert page.evaluate("window.__instant === true")
    assert page.evaluate("document.getElementById('__search').checked") is False
    assert errors == []


def test_pasted_query_is_searched_at_once(page: Page, base_url: str) -> None:
    page.goto(base_url)
    search_box = page.locator(".portal-search .md-search__input")
    search_box.click()  # the header's search box (at 1280 px wide)
    expect(search_box).to_be_focused()
    # A paste (or an input method) inserts text with no key pressed.
    page.keyboard.insert_text("公务接待费")
    meta = page.locator(".portal-search .md-search-result__meta")
    expect(meta).to_contain_text("找到", timeout=15_000)
    expect(page.locator(".portal-search__hit").first).to_be_visible()


@pytest.mark.parametrize("query", ["row_number", "Order of the row", "_10k_yuan"])
def test_field_names_and_english_are_not_found(page: Page, base_url: str, query: str) -> None:
    assert _search(page, base_url, query) == []
    expect(page.locator(".portal-search .md-search-result__meta")).to_contain_text("没有找到")


def test_a_search_fetches_a_few_small_files(page: Page, base_url: str) -> None:
    fetched: dict[str, tuple[int, int]] = {}
    bodies: dict[str, bytes] = {}

    def record(response: Response) -> None:
        if "/search/" in response.url and response.status == HTTP_OK:
            body = bodies[response.url] = response.body()
            fetched[response.url] = (len(body), len(gzip.compress(body, 6)))

    page.on("response", record)
    _search(page, base_url, "三公经费")
    terms = [url for url in fetched if "/search/terms/" in url]
    pages = [url for url in fetched if "/search/pages/" in url]
    assert 1 <= len(terms) <= 3  # the shards of 三公 公经 经费, nothing else
    assert 1 <= len(pages) <= 5  # the page files of the five hits shown first
    # Stored gzipped and fetched as stored (no Content-Encoding): decoded by the page.
    assert all(url.endswith(".json.gz") for url in terms + pages), terms + pages
    assert all(bodies[url][:2] == b"\x1f\x8b" for url in terms + pages)
    report = {
        "query": "三公经费",
        "files": len(fetched),
        "bytes": sum(size for size, _ in fetched.values()),
        "bytes_gzip": sum(size for _, size in fetched.values()),
    }
    out = Path(__file__).resolve().parents[2] / "test-output" / "search-weight.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    assert report["bytes"] < SEARCH_BYTES_LIMIT, report


def test_index_files_a_server_sends_decoded_are_read_as_they_come(
    page: Page, base_url: str
) -> None:
    """A host that serves ``*.json.gz`` with ``Content-Encoding: gzip`` hands the page the
    JSON itself: the search takes it as it is (its first bytes are no gzip header)."""
    served: list[str] = []

    def decoded(route: Route) -> None:
        response = route.fetch()
        body = response.body()
        assert body[:2] == b"\x1f\x8b", route.request.url  # stored gzipped
        served.append(route.request.url)
        route.fulfill(response=response, body=gzip.decompress(body))

    page.route("**/search/**/*.json.gz", decoded)
    hits = _search(page, base_url, "招商引资专项经费")
    assert hits[0] in QUERIES["招商引资专项经费"], hits[:3]
    assert any("/search/terms/" in url for url in served)
    assert any("/search/pages/" in url for url in served)


def test_the_search_dialog_is_written_by_the_script_not_the_page(page: Page, base_url: str) -> None:
    """The page's HTML has the header's search button only; search.js writes the dialog
    after it, once (instant navigation keeps the header)."""
    html = page.request.get(base_url).text()
    assert 'for="__search"' in html
    assert "portal-search" not in html
    page.goto(base_url)
    dialog = page.locator(".md-header__inner > label[for='__search'] + .portal-search")
    expect(dialog).to_have_count(1)
    expect(dialog.locator("input.md-search__input")).to_have_attribute("aria-label", "搜索")
    search_box = page.locator(".portal-search .md-search__input")
    search_box.click()  # the header's search box (at 1280 px wide)
    expect(search_box).to_be_focused()
    # Searched, and a hit opened by instant navigation: the header and its one dialog stay.
    hits = _search(page, base_url, "招商引资专项经费")
    page.evaluate("window.__instant = true")
    page.locator(".portal-search__hit > a").first.click()
    page.wait_for_url(f"**/{hits[0]}?h=*")
    expect(page.locator("article mark.portal-highlight").first).to_be_attached()
    assert page.evaluate("window.__instant === true")
    expect(page.locator(".portal-search")).to_have_count(1)
    page.locator(".portal-search .md-search__input").fill("公务接待费")
    expect(page.locator(".portal-search .md-search-result__meta")).to_contain_text("找到")


@pytest.mark.parametrize(("form", "width"), [("desktop", 1280), ("phone", 390)])
def test_search_screenshots(
    page: Page, base_url: str, screenshots: Path, form: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _search(page, base_url, "公务接待费")
    page.screenshot(path=screenshots / f"search-{form}.png")
    page.locator(".portal-search__hit > a").first.click()
    expect(page.locator("article mark.portal-highlight").first).to_be_attached()
    page.wait_for_timeout(500)  # the search dialog's closing transition (Material: 250 ms)
    page.screenshot(path=screenshots / f"search-opened-{form}.png")


TWIN_TEXTS = [
    "财政拨款“三公”经费支出决算表",
    "《中华人民共和国预算法》第二十二条",
    "ＡＢＣ１２３ 全角字母和数字",
    "row_number 2024年 5,256.96 万元",
    "单",
    "中国（太原）国际能源产业博览会",
    "㐀丽𠀀",  # extension A, a compatibility ideograph (NFKC folds it), extension B
]


def test_browser_cuts_a_text_as_the_index_does(page: Page, base_url: str) -> None:
    page.goto(base_url)
    for text in TWIN_TEXTS:
        terms = page.evaluate("text => window.portalSearch.termsOf(text)", text)
        assert terms == terms_of(text), text
        shards = page.evaluate(
            "terms => terms.map(t => window.portalSearch.shardOf(t, 512))", terms
        )
        assert shards == [shard_of(term, 512) for term in terms], text
    numbers = [0, 5, 31, 32, 1023, 1024, 20_079, 2**30 + 7]
    decoded = page.evaluate(
        "text => window.portalSearch.decodeNumbers(text)", encode_numbers(numbers)
    )
    assert decoded == numbers
