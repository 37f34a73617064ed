"""The built site as a citizen reads it (issue 14): every page in Chinese, with no rule id
and no English interface text, and a home page that never adds up different years.

The visible text of a page is its rendered text and the text of its ``title``,
``aria-label``, ``alt`` and ``placeholder`` attributes, charts included; what is data
rather than interface is left out: ``<code>`` (column and resource names in the data
dictionary, checksums), the names of files offered for download, web addresses, and any
word the publishers themselves printed (``LED``, ``VR`` in a project's description): a
word on a page that no source text holds is the portal's own.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from builder.parse import parse_file
from tests.browser.sitebuild import SEED_IDS, SHANGHAI_IDS
from tests.conftest import BUNDLED, CASES

pytestmark = pytest.mark.browser

PAGES = [
    "",
    "compare/",
    "compare/2024/",
    "units/",
    "disclosures/",
    "data/",
    "dictionary/",
    "quality/",
    "glossary/",
    *(f"disclosures/{i}/" for i in [*SEED_IDS, *SHANGHAI_IDS]),
]
# Names of formats and standards a Chinese reader meets as they are (no Chinese name).
ALLOWED = {
    "CSV",
    "Parquet",
    "PARQUET",
    "Excel",
    "JSON",
    "JSON-LD",
    "README",
    "PDF",
    "SHA",
    "KB",
    "MB",
    "DCAT-US",
    "Frictionless",
    "PNG",
    "SVG",
    "XLSX",
    "UTF",
    # The template residue the form/placeholder check looks for, quoted in its explanation.
    "XX",
    "XXXX",
    "BOM",  # the downloads: CSV for Excel on Windows, and the tools that open the database
    "Windows",
    "SQLite",
    "DuckDB",
    "Datasette",
}
# A word, not a piece of an identifier such as 000_127416229ccdc025 or sh-putuo-czj-2024-final.
WORD = re.compile(r"(?<![A-Za-z0-9_./-])[A-Za-z][A-Za-z-]*[A-Za-z](?![A-Za-z0-9_./-])")
RULE_ID = re.compile(
    r"(?<![A-Za-z0-9_/-])[a-z]+(?:-[a-z]+)+(?:/[a-z0-9-]+)*(?![A-Za-z0-9_-])"
    r"|(?<![A-Za-z0-9_/-])[a-z]+/[a-z0-9-]+(?![A-Za-z0-9_-])"
)
URL = re.compile(r"https?://\S+")
PRINTED = {  # the words of the source texts, without the extraction's page markers
    word
    for path in BUNDLED
    for line in path.read_text(encoding="utf-8").splitlines()
    if not line.startswith("=== page")
    for word in WORD.findall(line)
}
VISIBLE_TEXT = """() => {
  const root = document.body.cloneNode(true);
  root.querySelectorAll('script, style, code, pre, .md-search, a[href*="/downloads/"], '
    + 'a[href$=".csv"], a[href$=".json"], a[href$=".txt"], a[download]')
    .forEach((el) => el.remove());
  const attrs = [];
  document.body.querySelectorAll('[title], [aria-label], [alt], [placeholder]').forEach((el) => {
    if (el.closest('code, pre')) return;
    for (const name of ['title', 'aria-label', 'alt', 'placeholder']) {
      if (el.hasAttribute(name)) attrs.push(el.getAttribute(name));
    }
  });
  const texts = [];  // one line per text node: neighbouring blocks never run together
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);
  return texts.join('\\n') + '\\n' + attrs.join('\\n');
}"""


def _visible(page: Page, url: str) -> str:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("div.vega-chart[data-chart-ok] svg, article", state="attached")
    # The blocks loaded when opened (tables, chart data, files): opened, so they are read too.
    page.evaluate(
        "document.querySelectorAll('details[data-part]').forEach(d => { d.open = true; })"
    )
    expect(page.locator("details[data-part]:not([data-part-loaded])")).to_have_count(0)
    text: str = page.evaluate(VISIBLE_TEXT)
    return URL.sub(" ", text)


@pytest.mark.parametrize("path", PAGES)
def test_no_english_interface_text_or_rule_id(page: Page, base_url: str, path: str) -> None:
    text = _visible(page, base_url + path)
    english = sorted({w for w in WORD.findall(text) if w not in ALLOWED | PRINTED})
    assert english == [], (path, english[:20])
    assert RULE_ID.findall(text) == [], path


def test_the_english_check_sees_what_it_should(page: Page, base_url: str) -> None:
    """The probe itself: a tooltip, a footer line and a rule id are all caught."""
    page.goto(base_url)
    page.evaluate(
        """() => {
          document.querySelector('article').insertAdjacentHTML('beforeend',
            '<a title="Permanent link">¶</a><p>核查项 completeness/empty-table</p>'
            + '<p>Made with Material for MkDocs</p>');
        }"""
    )
    text = page.evaluate(VISIBLE_TEXT)
    assert {"Permanent", "Made", "Material", "MkDocs"} <= set(WORD.findall(text)) - PRINTED
    assert "completeness/empty-table" in RULE_ID.findall(text)


def _spending_by_year() -> dict[int, list[Decimal]]:
    """本年支出合计 of each final account, by year, read from the parsed 01 tables."""
    found: dict[int, list[Decimal]] = {}
    for path in BUNDLED:
        parsed = parse_file(path)
        if parsed["document"]["kind"] != "final":
            continue
        table = next(t for t in parsed["tables"] if t["kind"] == "income_expenditure_summary")
        row = next(r for r in table["rows"] if r["item_key"] == "total_expenditure")
        found.setdefault(int(parsed["document"]["year"]), []).append(row["amount_10k_yuan"])
    return found


def test_home_page_never_adds_up_different_years(page: Page, base_url: str) -> None:
    by_year = _spending_by_year()
    assert len(by_year) >= 2
    cross_year = set()
    for size in range(2, len(by_year) + 1):
        for years in combinations(sorted(by_year), size):
            cross_year.add(sum((sum(by_year[y]) for y in years), Decimal(0)))
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    text = page.locator("article").inner_text()
    shown = {Decimal(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.\d+", text)}
    assert shown & cross_year == set(), sorted(shown & cross_year)
    for year, amounts in by_year.items():  # each year's own sum is there, named by its year
        assert f"{sum(amounts):,}" in text, year
    for label in page.locator(".portal-figure .what").all_inner_texts():
        if "之和" in label:
            assert len(re.findall(r"\d{4}年度", label)) == 1, label


def test_disclosure_page_is_short_with_the_story_first(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}disclosures/{SEED_IDS[0]}/")
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12000, height
    story = page.locator(".portal-story").bounding_box()
    duties = page.locator("h2#单位职责与机构").bounding_box()
    assert story is not None
    assert duties is not None
    assert story["y"] < 900
    assert duties["y"] < 2000


def test_chart_share_links_and_exports(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}disclosures/{SEED_IDS[0]}/")
    page.wait_for_load_state("networkidle")
    figure = page.locator("figure.portal-chart").first
    anchor = figure.get_attribute("id")
    assert anchor is not None
    assert anchor.startswith("chart-")
    page.wait_for_selector(
        f'button[data-chart="{anchor}"][data-chart-export="png"]:not([disabled])'
    )
    # charts.js adds the buttons once the chart is drawn, after the chart's link.
    expect(page.locator(f"figure#{anchor} + p.portal-chart-share")).to_have_text(
        "本图链接 下载图片（PNG） 下载图片（SVG） 下载图表定义（JSON） 图表数据（CSV）"
    )
    for kind in ("png", "svg"):
        with page.expect_download() as info:
            page.locator(f'button[data-chart="{anchor}"][data-chart-export="{kind}"]').click()
        download = info.value
        assert download.suggested_filename == f"{anchor.removeprefix('chart-')}.{kind}"
    with page.expect_download() as info:
        page.locator(f'button[data-chart="{anchor}"][data-chart-export="json"]').click()
    assert info.value.suggested_filename == f"{anchor.removeprefix('chart-')}.vl.json"
    # Material makes the link absolute: the page's address and the chart's anchor.
    link = page.locator(f'p.portal-chart-share a[href$="#{anchor}"]')
    assert link.count() == 1
    assert link.get_attribute("href") == f"{base_url}disclosures/{SEED_IDS[0]}/#{anchor}"
    og = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og is not None
    assert og.endswith("assets/images/share.png")
    assert page.request.get(og).status == 200


def test_every_chart_is_drawn_from_the_spec_of_its_golden(page: Page, base_url: str) -> None:
    """charts.js puts each chart's spec together from its shape's template and its values:
    the spec it draws (saved by the JSON button) is the seed's golden spec, chart by chart."""
    seed_id = SEED_IDS[0]
    goldens = CASES / seed_id / "expected" / "charts"
    page.goto(f"{base_url}disclosures/{seed_id}/")
    names = page.locator("div.vega-chart").evaluate_all("els => els.map(e => e.dataset.chartName)")
    assert len(names) == len(list(goldens.glob("*.vl.json")))
    for name in names:
        anchor = f"chart-{name}"
        button = page.locator(f'button[data-chart="{anchor}"][data-chart-export="json"]')
        expect(button).to_be_enabled()
        with page.expect_download() as info:
            button.click()
        drawn = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        golden = goldens / f"{name.removeprefix(f'{seed_id}-')}.vl.json"
        assert drawn == json.loads(golden.read_text(encoding="utf-8")), name
