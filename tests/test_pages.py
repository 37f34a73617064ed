"""Pages: what ``write_pages`` writes for the seeds, with findings and a package directory.

The packages here are a tiny stand-in (a datapackage.json, a CSV, a README), so the tests
do not depend on the publish stage; the browser tests build the real packages.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from builder.pages import write_pages
from builder.pages.catalog import DisclosureEntry, Portal, unit_id, url_root
from builder.pages.comparisons import comparisons
from builder.pages.disclosure import describe_finding
from builder.pages.home import HOME_YEARS, _by_year, ranking
from builder.pages.markup import GENERATED_BANNER, HtmlTable, amount, plain_title, raw_html, text
from builder.pages.parts import Parts
from builder.pages.site_hooks import unwrap_raw
from builder.parse import parse_file
from tests.conftest import ROOT, SEEDS, page_parts, with_parts
from tests.test_audit import documents

FINAL_000 = "000_127416229ccdc025"
BUDGET_002 = "002_6a7fbe393d7e6d53"
NOT_AUDITED = "001_417cec5d1b5bc998"
SITE_URL = "https://example.org/portal/"
FINDING = {
    "disclosure_id": FINAL_000,
    "check_id": "hierarchy-sum",
    "severity": "error",
    "tables": ["expenditure_by_function"],
    "rows": [179, 180],
    "field": "total_expenditure_10k_yuan",
    "expected": "5837.92",
    "actual": "5837.90",
    "difference": "-0.02",
    "message_zh": "类 201 不等于其下各款之和",
    "message_en": "Class 201 is not the sum of its 款 rows",
}
PACKAGE_CSV = "function_code,amount_10k_yuan\r\n201,5837.92\r\n"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pages")
    packages = base / "packages"
    package = packages / FINAL_000
    (package / "csv").mkdir(parents=True)
    (package / "csv" / "expenditure_by_function.csv").write_text(PACKAGE_CSV, encoding="utf-8")
    (package / "datapackage.json").write_text('{"name": "x"}\n', encoding="utf-8")
    (package / "README.md").write_text("# 说明\n", encoding="utf-8")
    (packages / "portal").mkdir()
    (packages / "portal" / "datapackage.json").write_text('{"name": "p"}\n', encoding="utf-8")
    docs = base / "docs"
    (docs / "disclosures").mkdir(parents=True)
    (docs / "disclosures" / "stale.md").write_text("# old\n", encoding="utf-8")
    (docs / "methodology.md").write_text("# 方法说明\n", encoding="utf-8")
    parsed = [(path.stem, parse_file(path)) for path in SEEDS]
    findings: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in parsed if key != NOT_AUDITED}
    findings[FINAL_000] = [FINDING]
    write_pages(parsed, findings, packages, docs, site_url=SITE_URL)
    return docs


def _read(docs: Path, path: str) -> str:
    return (docs / path).read_text(encoding="utf-8")


def test_pages_are_written(docs: Path) -> None:
    expected = [
        "index.md",
        "units/index.md",
        "disclosures/index.md",
        "data.md",
        "dictionary.md",
        "quality.md",
        "glossary.md",
        *[f"disclosures/{path.stem}.md" for path in SEEDS],
    ]
    for path in expected:
        text_ = _read(docs, path)
        assert text_.startswith("---\ntitle: "), path
        assert GENERATED_BANNER in text_, path
    assert not (docs / "disclosures" / "stale.md").exists()  # generated folders are replaced
    assert _read(docs, "methodology.md") == "# 方法说明\n"  # hand-written pages are kept


def test_budget_and_final_of_one_unit_share_a_page(docs: Path) -> None:
    unit = unit_id("山西省投资促进局")
    assert re.fullmatch(r"unit-[0-9a-f]{10}", unit)
    assert unit == unit_id("山西省 投资促进局")  # spaces do not change the id
    page = _read(docs, f"units/{unit}.md")
    assert f"../disclosures/{FINAL_000}.md" in page
    assert f"../disclosures/{BUDGET_002}.md" in page
    assert len(list((docs / "units").glob("unit-*.md"))) == 4


def test_amounts_are_formatted_the_chinese_way(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    assert "6,382.69 万元" in page  # 本年收入合计
    tables = with_parts(docs / "disclosures" / f"{FINAL_000}.md")  # loaded when opened
    assert '<td class="num">5,837.92</td>' in tables  # a table cell, thousands separator
    assert amount(None) == ""


def test_source_text_and_package_files_are_published(docs: Path) -> None:
    source = docs / "sources" / f"{FINAL_000}.txt"
    assert source.read_bytes() == (ROOT / "datasets" / "sources" / f"{FINAL_000}.txt").read_bytes()
    page = with_parts(docs / "disclosures" / f"{FINAL_000}.md")  # the per-table files too
    csv_file = docs / "downloads" / FINAL_000 / "csv" / "expenditure_by_function.csv"
    digest = hashlib.sha256(csv_file.read_bytes()).hexdigest()
    assert digest in page
    # Raw HTML, so the link is relative to the page's URL (disclosures/<id>/).
    assert 'href="../../downloads/000_127416229ccdc025/csv/expenditure_by_function.csv"' in page
    # A Markdown file would become a page; it is published under a .txt name instead.
    assert (docs / "downloads" / FINAL_000 / "README.txt").exists()
    assert "33f1803c6cd3342b92db581bcd374b603c2792d1edcb30724c48e451993c1b06" in page
    other = _read(docs, f"disclosures/{BUDGET_002}.md")
    assert "开放数据包尚未生成" in other


def test_findings_in_plain_words(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    assert "类 201 不等于其下各款之和" in page
    assert "应为 5,837.92 万元，实际 5,837.90 万元，相差 -0.02 万元" in page
    assert "涉及公开03表 支出决算表" in page
    assert "原文第 179、180 行" in page
    assert "全部核查通过" in _read(docs, f"disclosures/{BUDGET_002}.md")
    assert "尚未经过核查" in _read(docs, f"disclosures/{NOT_AUDITED}.md")
    quality = _read(docs, "quality.md")
    # Rule ids stay in the data (findings.csv); the pages speak Chinese only.
    assert "hierarchy-sum" not in quality
    assert "hierarchy-sum" not in page
    assert "。。" not in page
    # hierarchy-sum (undeclared here): failed by 000, passed by 002-004, 001 not audited
    assert "| 未声明的核查规则 | 3 | 1 | 1 | 0 | 0 | 0 | 1 |" in quality


def test_charts_are_embedded_with_their_data(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    spec_urls = re.findall(r'data-spec-(?:template|values)="([^"]+)"', page)
    assert len(spec_urls) == 16  # a template and the values of each of eight charts
    for url in spec_urls:
        assert url.startswith("../../assets/charts/")  # relative to the page's URL
        assert (docs / url.removeprefix("../../")).is_file()
    # The CSV under each chart: HTML (MkDocs does not check it), so checked here.
    csv_urls = re.findall(r'<a href="([^"]+)">图表数据（CSV）</a>', page)
    assert len(csv_urls) == 8
    for url in csv_urls:
        assert url.startswith("../../assets/charts/")  # relative to the page's URL
        assert (docs / url.removeprefix("../../")).is_file()
    home = _read(docs, "index.md")
    assert 'data-spec-values="assets/charts/portal-units-compared-2024.values.json.gz"' in home
    assert 'data-spec-template="assets/charts/templates/' in home


def test_schema_org_dataset_json_ld(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert raw is not None
    data = json.loads(raw.group(1))
    assert isinstance(data, list)  # a JSON array: also a harmless JavaScript expression
    dataset = data[0]
    assert dataset["@type"] == "Dataset"
    assert dataset["url"] == f"{SITE_URL}disclosures/{FINAL_000}/"
    urls = [d["contentUrl"] for d in dataset["distribution"]]
    assert f"{SITE_URL}sources/{FINAL_000}.txt" in urls
    # The package as a whole; its per-table files are on the page and in data.json only.
    assert f"{SITE_URL}downloads/{FINAL_000}/datapackage.json" in urls
    assert not [url for url in urls if "/csv/" in url]
    per_table = f"{SITE_URL}downloads/{FINAL_000}/csv/expenditure_by_function.csv"
    catalogue = json.loads(_read(docs, "data.json"))
    listed = [d["downloadURL"] for s in catalogue["dataset"] for d in s["distribution"]]
    assert per_table in listed


def test_data_json_is_a_project_open_data_catalogue(docs: Path) -> None:
    catalogue = json.loads(_read(docs, "data.json"))
    assert catalogue["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert len(catalogue["dataset"]) == len(SEEDS) + 1  # plus the portal-wide package
    required = {
        "title",
        "description",
        "keyword",
        "modified",
        "publisher",
        "contactPoint",
        "identifier",
        "accessLevel",
        "distribution",
    }
    for dataset in catalogue["dataset"]:
        assert required <= dataset.keys()
        for distribution in dataset["distribution"]:
            assert distribution["downloadURL"].startswith(SITE_URL)


def test_data_dictionary_comes_from_the_schemas(docs: Path) -> None:
    dictionary = _read(docs, "dictionary.md")
    assert "`official_receptions_10k_yuan`" in dictionary
    assert "| `official_receptions_10k_yuan` | 公务接待费 | 数值 | 万元 |" in dictionary
    # the other resources are declared in the same folder and described too
    assert "## 其他资源" in dictionary
    assert "### 预算单位" in dictionary
    assert "### 项目支出绩效自评表" in dictionary


def test_glossary_merges_terms_and_cites_sources(docs: Path) -> None:
    glossary = _read(docs, "glossary.md")
    assert "### “三公”经费" in glossary
    assert glossary.count("### 基本支出\n") == 1


def test_url_roots() -> None:
    assert url_root("index.md") == ""
    assert url_root("data.md") == "../"
    assert url_root("units/index.md") == "../"
    assert url_root("disclosures/x.md") == "../../"


HOSTILE = "<script>alert(1)</script>[x](javascript:alert(2))![i](http://evil.example/x.png)&amp;"


def test_text_escapes_html_and_markdown() -> None:
    escaped = text(HOSTILE)
    for raw in ("<", ">", "[", "]", "(", ")", "!"):
        assert raw not in escaped
    assert "&amp;amp;" in escaped
    assert "<" not in plain_title(HOSTILE)
    assert "[" not in plain_title(HOSTILE)


def test_data_tables_are_raw_html_left_out_of_search() -> None:
    table = HtmlTable(headers=["名称", "金额（万元）"], numeric={1})
    table.add(["一般公共服务支出 -- 合计", "5,837.92"], "level-total")
    rendered = table.render()
    assert rendered.startswith('<div class="portal-table-wrap" data-search-exclude>\n<!--')
    # Published as it is once the site's MkDocs hook takes the comment markers away.
    published = unwrap_raw(rendered)
    assert "<!--" not in published
    assert '<tr class="level-total"><td>一般公共服务支出 -&#45; 合计</td>' in published
    assert '<td class="num">5,837.92</td>' in published
    # Indexed tables are ordinary HTML.
    assert "<!--" not in table.render(search=True)


def test_raw_html_cannot_end_its_comment_early() -> None:
    for hostile in ("-->", "--!>", "-- >", "a---b", "x-"):
        wrapped = raw_html(f"<p>{hostile}</p>")
        body = wrapped.removeprefix("<!--portal-raw\n").removesuffix("\n-->")
        assert "--" not in body, wrapped
        assert unwrap_raw(f"a{wrapped}b") == f"a{body}b"
    with pytest.raises(ValueError, match="not closed"):
        unwrap_raw("<!--portal-raw\n<table>")


def test_disclosure_page_search_index_choices(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    # Downloads, the glossary (the glossary page has it) and the project summary: excluded,
    # the blocks loaded when opened (builder.pages.parts) as well as their placeholders.
    glossary = '<details data-search-exclude data-part="glossary">'
    assert f"{glossary}\n<summary>本文件的名词解释" in page
    downloads = page[page.index("## 下载与引用") :]
    assert '<div class="portal-table-wrap" data-search-exclude>' in downloads
    files = '<details id="files" data-search-exclude data-part="files">'
    assert f"{files}\n<summary>逐表文件" in downloads
    # Every block loaded when opened is excluded: search reads the page alone. A project's
    # funding table is loaded into the block of its targets and results, which stay searched:
    # the table's placeholder is excluded (as the table was).
    funding = page.count("<details data-part=")
    assert funding == page.count('<p class="portal-part" data-search-exclude>') == 5
    assert page.count("data-part=") == page.count("data-search-exclude data-part=") + funding > 20
    assert "项目资金预算安排及执行" not in page  # the funding tables' captions: in the parts
    assert "年度目标" in page
    # Narrative stays ordinary Markdown/HTML, indexed.
    narrative = page[page.index("## 情况说明") : page.index("## 项目绩效自评")]
    assert "data-search-exclude" not in narrative
    assert "portal-raw" not in narrative


def test_quality_scores_completeness_and_consistency(docs: Path) -> None:
    with (docs / "downloads" / "quality" / "quality_scores.csv").open(encoding="utf-8-sig") as f:
        rows = {row["disclosure_id"]: row for row in csv.DictReader(f)}
    final = rows[FINAL_000]
    # seed 000 prints all 10 of its standard tables (two of them 本表无数据) ...
    assert (final["tables_expected"], final["tables_parsed"], final["tables_empty"]) == (
        "10",
        "8",
        "2",
    )
    # ... and fails the one check it is audited on here (the planted hierarchy-sum error)
    assert (final["checks_applicable"], final["checks_passed"], final["errors"]) == ("1", "0", "1")
    assert (rows[BUDGET_002]["checks_passed"], rows[BUDGET_002]["errors"]) == ("1", "0")
    assert rows[NOT_AUDITED]["audited"] == "false"
    assert rows[NOT_AUDITED]["checks_passed"] == ""  # never counted as passing
    quality = _read(docs, "quality.md")
    # consistency: 002, 003, 004 at 100 %, 000 below 50 %; 001 not audited
    assert "| 100% | 3 | 3 |" in quality
    assert "| 低于 50% | 0 | 1 |" in quality
    assert "| 未核查 | — | 1 |" in quality


def test_a_recomputed_share_is_shown_in_percent() -> None:
    finding = {
        "check_id": "narrative/share",
        "severity": "error",
        "tables": [],
        "rows": [444],
        "field": "percent",
        "expected": "23.11",
        "actual": "0",
        "difference": "-23.11",
        "message_zh": "比例应为 23.11%，文中为 0%。",
        "pages": [21],
    }
    shown = describe_finding(finding, parse_file(SEEDS[0]))
    assert "应为 23.11%，实际 0%，相差 -23.11%" in shown
    assert "原文第 444 行；PDF 第 21 页" in shown
    assert "万元" not in shown


def test_unit_page_says_nothing_of_pairs_it_does_not_have(docs: Path) -> None:
    # the seeds hold 山西省投资促进局's 2024 final account and its 2023 budget: no pair
    page = _read(docs, f"units/{unit_id('山西省投资促进局')}.md")
    assert "预算与决算、相邻年度核对" not in page
    assert "各单位页面的“预算与决算、相邻年度核对”" in _read(docs, "quality.md")


def test_unit_page_sets_a_units_budget_beside_its_final_account() -> None:
    entries = []
    for key, doc in documents().items():
        doc["document"].update(kind_zh={"final": "决算", "budget": "预算"}[key], scope="单位")
        entries.append(DisclosureEntry(key, doc, []))
    html = comparisons(entries, "units/unit-x.md")
    assert "示例单位 2024年度单位决算](../disclosures/" in html
    # 本年支出合计: budget 130.00, final 115.00, difference -15.00, 88.46% executed
    assert "| 本年支出合计 | 130.00 万元 | 115.00 万元 | -15.00 万元 | 88.46% |" in html


def test_home_ranking_shows_the_top_and_loads_the_rest(tmp_path: Path) -> None:
    parsed = parse_file(SEEDS[0])  # a 2024 final account
    entries = []
    for n in range(12):
        document = copy.deepcopy(parsed)
        document["document"]["unit_name"] = f"第{n:02d}局"
        entries.append(DisclosureEntry(f"d{n:02d}", document, findings=[]))
    portal = cast("Portal", SimpleNamespace(disclosures=entries))
    parts = Parts(tmp_path, "index.md", "开放预算门户")
    block = ranking(portal, 2024, parts)
    parts.write()
    shown, _, rest = block.partition("<details")
    assert shown.count("](disclosures/d") == 10  # the top ten, as Markdown links
    assert "<summary>查看全部 12 个单位的排名</summary>" in rest
    part = page_parts(tmp_path / "index.md")["ranking-2024.html"]
    for n in range(12):  # every unit, linked from the home page's URL
        assert f'<a href="disclosures/d{n:02d}/">第{n:02d}局</a>' in part


def test_home_shows_the_latest_years_and_loads_the_others(tmp_path: Path) -> None:
    parsed = parse_file(SEEDS[0])  # a final account
    entries = []
    for year in range(2001, 2001 + HOME_YEARS + 2):
        document = copy.deepcopy(parsed)
        document["document"]["year"] = year
        entries.append(DisclosureEntry(f"d{year}", document, findings=[]))
    years = list(range(2001, 2001 + HOME_YEARS + 2))
    portal = cast("Portal", SimpleNamespace(disclosures=entries, years=years))
    parts = Parts(tmp_path, "index.md", "开放预算门户")
    block = _by_year(portal, parts)
    parts.write()
    shown, _, rest = block.partition("<details")
    assert "| 2012年度 | 1 份 |" in shown
    assert "| 2003年度 | 1 份 |" in shown
    assert "2002年度" not in shown  # the 11th and 12th latest years: when opened
    assert "<summary>查看全部 12 个年度</summary>" in rest
    part = page_parts(tmp_path / "index.md")["years-final.html"]
    for year in years:
        assert f"{year}年度" in part


def test_home_lists_every_units_documents_when_opened(docs: Path) -> None:
    home = _read(docs, "index.md")
    assert 'data-part="units-by-year"' in home
    part = page_parts(docs / "index.md")["units-by-year.html"]
    unit = unit_id("山西省投资促进局")
    assert f'<a href="units/{unit}/">山西省投资促进局</a>' in part
    assert f'<a href="disclosures/{FINAL_000}/">决算</a>' in part
    assert f'<a href="disclosures/{BUDGET_002}/">预算</a>' in part
