"""Pages a citizen can trust at first sight (issue 14): figures that cannot mislead, a
story per disclosure, the narrative repaired, Chinese only, and the templates' escaping.

Every expected figure is a literal read from the seeds (line numbers given), never
computed by the code under test.
"""

from __future__ import annotations

import copy
import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import markdown
import pytest
from markupsafe import Markup

from builder.pages import write_pages
from builder.pages.catalog import DisclosureEntry, UnitEntry
from builder.pages.disclosure import describe_finding, licence_zh
from builder.pages.site_hooks import caption_tables
from builder.pages.templating import environment
from builder.pages.unit import budget_lines, year_over_year
from builder.parse import parse_file
from tests.chart_parts import page_charts
from tests.conftest import BUNDLED, SOURCES

FINAL_000 = "000_127416229ccdc025"
FINAL_001 = "001_417cec5d1b5bc998"
BUDGET_002 = "002_6a7fbe393d7e6d53"
FINAL_003 = "003_664a31573f3e6641"
FINAL_004 = "004_c9b7d00ba9827a50"
PARSED = {path.stem: parse_file(path) for path in BUNDLED}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("citizen")
    docs = base / "docs"
    findings: dict[str, list[dict[str, Any]]] = {key: [] for key in PARSED}
    write_pages(list(PARSED.items()), findings, base / "packages", docs, sources_dir=SOURCES)
    return docs


def _read(docs: Path, path: str) -> str:
    return (docs / path).read_text(encoding="utf-8")


def test_home_never_sums_across_years(docs: Path) -> None:
    home = _read(docs, "index.md")
    # 本年支出合计 of the 2024 finals: 000 6,280.94 + 001 1,218.99 + 004 4,056.95 +
    # Shanghai 2,940.05 = 14,496.93; the 2023 final (003) is 5,987.71.
    assert "14,496.93 万元" in home
    assert "20,484.64" not in home  # 14,496.93 + 5,987.71: 2023 and 2024 added together
    # 三公 决算数: 2024 77.68 + 29.28 + 13.44 = 120.40; with 2023 (1.44) it would be 121.84
    assert "120.40 万元" in home
    assert "121.84" not in home
    for what in re.findall(r'<span class="what">([^<]*之和)</span>', home):
        assert len(re.findall(r"\d{4}年度", what)) == 1, what  # says which year it sums
        assert "决算" in what or "预算" in what, what  # and which kind of document


def test_home_ranks_units_within_one_year(docs: Path) -> None:
    home = _read(docs, "index.md")
    ranking_2024 = home.split("## 2024年度决算：支出最多的单位")[1].split("## ")[0]
    assert "003_664a31573f3e6641" not in ranking_2024
    assert ranking_2024.count("](disclosures/") == 4
    # the other years' rankings are on their comparison pages, linked by year
    assert "## 2023年度决算：支出最多的单位" not in home
    assert "其他年度决算的排名：[2023年度](compare/2023.md#ranking)。" in home
    compared = _read(docs, "compare/2023.md")
    ranking_2023 = compared.split("## 支出最多的单位 { #ranking }")[1].split("## ")[0]
    assert ranking_2023.count("](../disclosures/") == 1  # 003 alone
    # 按年度: finals and budgets in separate tables, never side by side in one row
    assert "决算（万元，同一年度的决算相加）" in home
    assert "预算（万元，同一年度的预算相加）" in home
    assert "| 2023年度 | 1 份 | 5,987.71 | 1.44 |" in home
    assert "| 2023年度 | 1 份 | 6,559.72 | 89.60 |" in home  # the budget 002, alone


def test_budget_summary_balances_with_the_carry_over(docs: Path) -> None:
    page = _read(docs, f"disclosures/{BUDGET_002}.md")
    # seed 002, 预算公开表1: 本年收入合计 5,256.96, 上年结转 1,302.76, 收入总计 6,559.72,
    # 本年支出合计 6,559.72, 支出总计 6,559.72
    assert "| 收入：本年收入合计 | 5,256.96 |" in page
    assert "| ＋ 上年结转 | 1,302.76 |" in page
    assert "| ＝ 收入总计 | 6,559.72 |" in page
    assert "| ＝ 支出总计 | 6,559.72 |" in page
    assert "另有上年结转 1,302.76 万元，收入共计 6,559.72 万元" in page
    assert '<span class="value">1,302.76 万元</span><span class="what">上年结转</span>' in page


def test_final_spending_cards_add_up(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    # seed 000, 公开03表 合计 row: 基本 1,451.33 + 项目 4,332.09 + 经营 497.51 = 6,280.93;
    # 本年支出合计 (01) is 6,280.94: the cent of rounding is said, not hidden
    for value, what in (("1,451.33", "基本支出"), ("4,332.09", "项目支出"), ("497.51", "经营支出")):
        assert f'<span class="value">{value} 万元</span><span class="what">{what}</span>' in page
    assert "基本支出 + 项目支出 + 经营支出 = 6,280.93 万元" in page
    assert "相差 0.01 万元（尾数误差）" in page
    assert "| ＋ 年末结转和结余 | 101.75 |" in page


def test_story_at_the_top_then_duties(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    order = [page.index(h) for h in ("## 概要", "## 单位职责与机构", "## 图表", "## 公开表格")]
    assert order == sorted(order)
    story = page.split("## 概要")[1].split("## ")[0]
    assert "2024年度本年收入 6,382.69 万元" in story
    assert "主要来自一般公共预算财政拨款收入（5,885.11 万元，占 92.20%）" in story
    assert "“三公”经费决算 77.68 万元，全年预算 77.68 万元" in story
    # seed 000 line 472: 年初预算6,721.42万元，支出决算5,783.36万元，完成年初预算的86.04%
    assert "年初预算 6,721.42 万元，决算 5,783.36 万元，完成年初预算的 86.04%" in story
    assert "核查未发现表格数字或文字说明中的问题" in story  # the fixture passes no findings


def test_broken_duty_item_is_joined_back(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_004}.md")
    # seed 004 line 54-55: （八）提出……使用建 / 议，负责…… (a line break, not a heading)
    assert "<p>（八）提出政府扶持民营经济资金的筹集、管理、使用建议，负责省级财政" in page
    assert "<summary>（八）" not in page
    assert "### （八）" not in page


def test_parts_with_sub_sections_have_no_empty_note(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_004}.md")
    part = page.split("<summary>五、一般公共预算财政拨款支出决算情况说明</summary>")[1]
    part = part.split("</details>")[0]
    assert "原文此节无正文" not in part
    assert "（一）一般公共预算财政拨款支出决算总体情况" in part


def test_decimals_are_consistent(docs: Path) -> None:
    page = _read(docs, f"disclosures/{FINAL_000}.md")
    # 招商引资专项经费: 全年执行数 3621.803 万元, 执行率 97.89; 业务经费 执行率 99.1 / 99.10
    assert "3,621.803 万元" not in page
    assert "3,621.80 万元" in page
    assert "99.1%" not in page
    assert "99.10%" in page


def test_comparison_page_within_a_year_with_its_data(docs: Path) -> None:
    page = _read(docs, "compare.md")  # a line per year, each year a page of its own
    assert "[2024年度决算：4 个单位](compare/2024.md)" in page
    assert "[2023年度决算：1 个单位](compare/2023.md)" in page
    assert "新材料产业招商服务中心" in _read(docs, "compare/2023.md")
    section = _read(docs, "compare/2024.md")
    assert "新材料产业招商服务中心" not in section  # 003 is 2023
    # 001: 公务接待费 11.11 (公开09表), 机关运行经费 110.49 (公开10表)
    assert "| 1,218.99 | 29.28 | 11.11 | 110.49 |" in section
    # 001 公开06表: 人员经费 918.12, 公用经费 110.49: 918.12 / 1,028.61 = 89.26%
    assert "| 918.12 | 110.49 | 89.26 |" in section
    with (docs / "assets/charts/compare-2024.csv").open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    guangzhou = next(r for r in rows if r["单位"] == "山西省政府驻广州办事处")
    assert guangzhou["公务接待费决算数（万元）"] == "11.11"
    assert guangzhou["机关运行经费（万元）"] == "110.49"
    charts = page_charts(docs, docs / "compare/2024.md")
    assert (
        charts["compare-2024-receptions"]["title"]["text"] == "2024年度决算：各单位公务接待费决算数"
    )


def test_unit_year_over_year_compares_like_with_like() -> None:
    final = DisclosureEntry(FINAL_000, PARSED[FINAL_000], [])
    earlier = copy.deepcopy(PARSED[FINAL_004])  # stands in for the same unit's 2023 final
    earlier["document"].update(year=2023, unit_name="山西省投资促进局")
    budget = DisclosureEntry(BUDGET_002, PARSED[BUDGET_002], [])
    unit = UnitEntry("u", "山西省投资促进局", [budget, DisclosureEntry("x", earlier, []), final])
    table = year_over_year(unit)
    # 6,280.94 − 4,056.95 = +2,223.99, +54.82% (2,223.99 / 4,056.95)
    assert (
        "| 2024年度决算比2023年度决算 | 本年支出合计 | 4,056.95 | 6,280.94 | +2,223.99 | 54.82% |"
        in (table)
    )
    assert "预算比" not in table  # the 2023 budget is compared with no final


def test_budget_against_final_of_the_same_year() -> None:
    budget = copy.deepcopy(PARSED[BUDGET_002])  # the unit's budget, as if for 2024
    budget["document"]["year"] = 2024
    lines = {
        line.label: line
        for line in budget_lines(
            DisclosureEntry(BUDGET_002, budget, []),
            DisclosureEntry(FINAL_000, PARSED[FINAL_000], []),
        )
    }
    receptions = lines["“三公”公务接待费"]
    # 预算公开表10 公务接待费 30.00; 公开09表 预算数 1.87, 决算数 1.87 → 6.23% of 年初预算
    assert (receptions.initial, receptions.adjusted, receptions.actual) == (
        Decimal("30.00"),
        Decimal("1.87"),
        Decimal("1.87"),
    )
    assert str(receptions.rate) == "6.23"
    assert str(lines["本年支出合计"].rate) == "95.75"  # 6,280.94 / 6,559.72


def test_pages_speak_chinese(docs: Path) -> None:
    dictionary = _read(docs, "dictionary.md")
    assert "Order of the row" not in dictionary  # English descriptions stay in the data
    assert licence_zh(
        "Government public information (政府信息公开); redistributed as published"
    ) == ("政府信息公开，按原样转载")
    page = _read(docs, f"disclosures/{FINAL_000}.md").split("<script")[0]  # not the JSON-LD
    assert "Government public information" not in page
    finding = {
        "check_id": "completeness/empty-table",
        "severity": "info",
        "message_zh": "公开07表本表无数据。",
        "message_en": "Table 07 is empty.",
    }
    said = describe_finding(finding, PARSED[FINAL_000], {"completeness/empty-table": "空表"})
    assert "completeness" not in said
    assert "。。" not in said
    assert "（核查项：空表）" in said


MARKDOWN_AND_HTML = "&<>\"'\\`*_{}[]()#|!~"


def test_templates_escape_every_meaningful_character() -> None:
    hostile = f"a{MARKDOWN_AND_HTML}b <script>alert(1)</script> [x](javascript:y) | c"
    template = environment().from_string(
        "| {{ value }} | {{ safe }} |\n| --- | --- |\n| {{ value }} | 2 |\n"
    )
    rendered = template.render(value=hostile, safe=Markup("<em>ours</em>"))
    body = rendered.split("\n", 2)[2]
    cell = re.sub(r"&#?\w+;", "", body.split("|")[1])  # the entities taken out
    for char in MARKDOWN_AND_HTML:
        assert char not in cell, char  # only the table's own pipes remain
    assert "<em>ours</em>" in rendered  # what is marked safe is kept
    html = markdown.markdown(rendered, extensions=["tables"])
    assert "<script>" not in html
    assert "<a " not in html
    assert html.count("<td>") == 2
    assert "a&amp;&lt;&gt;" in html


def test_table_captions_move_into_the_table() -> None:
    html = '<p class="portal-caption">标题</p>\n<table>\n<thead>'
    assert caption_tables(html) == "<table>\n<caption>标题</caption>\n<thead>"


def test_every_generated_table_has_a_caption(docs: Path) -> None:
    for page in docs.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if line.startswith("| ---") or line.startswith("| :---"):
                before = "\n".join(lines[max(0, number - 3) : number - 1])
                assert 'class="portal-caption"' in before, (page.name, lines[number - 1])
        for match in re.finditer(r'<table class="portal-table">\n(.*)', text):
            assert match.group(1).startswith("<caption>"), (page.name, match.group(1)[:80])


def test_open_graph_template_and_share_picture() -> None:
    theme = Path(__file__).resolve().parents[1] / "builder" / "pages" / "theme" / "main.html"
    template = theme.read_text(encoding="utf-8")
    for tag in ("og:title", "og:description", "og:image", "og:url", "twitter:card"):
        assert tag in template
    picture = Path(__file__).resolve().parents[1] / "site_src" / "assets" / "images" / "share.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unit_page_sets_one_units_disclosures_side_by_side() -> None:
    """A budget and the final account of its year, and two years of finals, each a linked
    pair over its table (the portal has no such pair: the pairs are made here)."""
    from builder.pages.comparisons import comparisons  # noqa: PLC0415 - the section alone

    budget = copy.deepcopy(PARSED[BUDGET_002])  # the unit's budget, as if for 2024
    budget["document"]["year"] = 2024
    earlier = copy.deepcopy(PARSED[FINAL_004])  # stands in for the same unit's 2023 final
    earlier["document"].update(year=2023, unit_name="山西省投资促进局")
    section = comparisons(
        [
            DisclosureEntry("a-budget", budget, []),
            DisclosureEntry(FINAL_000, PARSED[FINAL_000], []),
            DisclosureEntry("z-earlier", earlier, []),
        ],
        "units/unit-x.md",
    )
    first, second = section.split("\n<p>[")  # two pairs, in this order
    assert first.startswith(
        "<p>[山西省投资促进局 2024年度单位预算](../disclosures/a-budget.md) 与 ["
    )
    assert "| 项目 | 预算数 | 决算数 | 差额（决算－预算） | 执行率 |" in first
    # 002 budgets 6,559.72 (5,256.96 + 上年结转 1,302.76); 000 spent 6,280.94 (公开01表)
    assert "| 本年支出合计 | 6,559.72 万元 | 6,280.94 万元 | -278.78 万元 | 95.75% |" in first
    assert second.startswith("山西省投资促进局 2024年度单位决算](../disclosures/")
    assert "| 后一年的说明 | 据其推算的上年数 | 上年文件所列 | 差额 | 核对 |" in second
    assert section.endswith("</div>\n")
