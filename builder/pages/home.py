"""The home page (``index.md``) and the list of all disclosures (``disclosures/index.md``).

The home page says what the portal is, gives the headline figures (spending per year of
final accounts, the largest units, the 三公 totals), compares the units in two charts and
offers the entry points by unit and by year.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from builder.charts import facts, three_public_by_unit, units_compared
from builder.charts.portal import latest_final
from builder.pages.catalog import DisclosureEntry, Portal, link
from builder.pages.embed import embed_chart
from builder.pages.markup import amount, front_matter, md_link, md_table, number, text

HOME = "index.md"
DISCLOSURES = "disclosures/index.md"


def _sum(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def _year_figures(portal: Portal) -> list[list[str]]:
    rows = []
    for year in portal.years:
        finals = [e for e in portal.disclosures if e.year == year and e.kind == "final"]
        budgets = [e for e in portal.disclosures if e.year == year and e.kind == "budget"]
        spending = _sum([facts.total_expenditure(e.parsed) for e in finals])
        planned = _sum([facts.total_expenditure(e.parsed) for e in budgets])
        three = _sum([facts.three_public_totals(e.parsed).get("决算数") for e in finals])
        rows.append(
            [
                text(f"{year}年度"),
                text(f"{len(finals)} 个单位" if finals else "—"),
                text(number(spending) if finals else "—"),
                text(number(three) if finals else "—"),
                text(f"{len(budgets)} 个单位" if budgets else "—"),
                text(number(planned) if budgets else "—"),
            ]
        )
    return rows


def _largest(portal: Portal) -> list[list[str]]:
    by_id = {e.disclosure_id: e for e in portal.disclosures}
    latest = latest_final([(e.disclosure_id, e.parsed) for e in portal.disclosures])
    ranked: list[tuple[Decimal, DisclosureEntry]] = []
    for disclosure_id, _ in latest.values():
        entry = by_id[disclosure_id]
        spending = facts.total_expenditure(entry.parsed)
        if spending is not None:
            ranked.append((spending, entry))
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    rows = []
    for rank, (spending, entry) in enumerate(ranked, start=1):
        three = facts.three_public_totals(entry.parsed).get("决算数")
        rows.append(
            [
                text(rank),
                md_link(entry.unit_name, link(HOME, entry.unit_page)),
                md_link(entry.when, link(HOME, entry.page)),
                text(number(spending)),
                text(number(three)),
            ]
        )
    return rows


def _entry_points(portal: Portal) -> list[list[str]]:
    rows = []
    for unit in portal.units:
        cells = [md_link(unit.unit_name, link(HOME, unit.page))]
        for year in portal.years:
            of_year = [e for e in unit.disclosures if e.year == year]
            cells.append("，".join(md_link(e.kind_zh, link(HOME, e.page)) for e in of_year) or "—")
        rows.append(cells)
    return rows


def home_page(portal: Portal, docs_dir: Path) -> str:
    finals = [e for e in portal.disclosures if e.kind == "final"]
    out = [front_matter("开放预算门户", "山西省部门预算和决算公开数据：表格、图表、下载、核查")]
    out.append("# 开放预算门户\n")
    out.append(
        "<p>政府各部门、各单位每年公开<strong>预算</strong>（年初的收支计划）和<strong>决算</strong>"
        "（年度结束后的实际收支）。本站把这些公开文件中的标准表格整理成开放数据：每张表都可以在线查看、"
        "下载（CSV、Parquet、Excel），配有图表、情况说明和名词解释；我们还核对每份文件的合计与"
        "表间关系，把不一致之处原样公布。金额单位均为万元。</p>\n"
    )
    units = portal.units
    figures = [
        (f"{len(units)} 个", "单位"),
        (f"{len(portal.disclosures)} 份", "公开文件"),
        ("、".join(str(y) for y in portal.years), "年度"),
        (
            amount(_sum([facts.total_expenditure(e.parsed) for e in finals])),
            "各决算本年支出合计之和",
        ),
        (
            amount(_sum([facts.three_public_totals(e.parsed).get("决算数") for e in finals])),
            "各决算“三公”经费决算数之和",
        ),
    ]
    out.append(
        '<div class="portal-figures">\n'
        + "\n".join(
            f'<div class="portal-figure"><span class="value">{text(v)}</span>'
            f'<span class="what">{text(w)}</span></div>'
            for v, w in figures
        )
        + "\n</div>\n"
    )
    out.append("## 按年度\n")
    out.append(
        md_table(
            [
                "年度",
                "决算单位数",
                "决算本年支出合计（万元）",
                "“三公”经费决算数（万元）",
                "预算单位数",
                "预算本年支出合计（万元）",
            ],
            _year_figures(portal),
            ["left", "right", "right", "right", "right", "right"],
        )
    )
    out.append("## 支出最多的单位\n")
    out.append("<p>按各单位最近一次决算的本年支出合计排序。</p>\n")
    out.append(
        md_table(
            ["排名", "单位", "公开文件", "本年支出合计（万元）", "“三公”经费决算数（万元）"],
            _largest(portal),
            ["right", "left", "left", "right", "right"],
        )
    )
    pairs = [(e.disclosure_id, e.parsed) for e in portal.disclosures]
    for chart in (units_compared(pairs), three_public_by_unit(pairs)):
        if chart is not None:
            out.append(embed_chart(chart, HOME, docs_dir))
    out.append("## 按单位和年度查看\n")
    out.append(md_table(["单位", *[f"{y}年度" for y in portal.years]], _entry_points(portal)))
    out.append(
        "\n## 更多\n\n"
        f"- {md_link('全部公开文件', link(HOME, DISCLOSURES))}\n"
        f"- {md_link('数据下载与数据字典', link(HOME, 'data.md'))}\n"
        f"- {md_link('数据质量：核查结果', link(HOME, 'quality.md'))}\n"
        f"- {md_link('名词解释', link(HOME, 'glossary.md'))}\n"
        f"- {md_link('方法说明', link(HOME, 'methodology.md'))}\n"
    )
    return "\n".join(out)


def disclosures_index(portal: Portal) -> str:
    out = [front_matter("公开文件", "本门户收录的全部预算和决算公开文件")]
    out.append("# 公开文件\n")
    out.append(f"<p>共 {len(portal.disclosures)} 份公开文件，按年度排列。金额单位：万元。</p>\n")
    rows = []
    for entry in sorted(portal.disclosures, key=lambda e: (-e.year, e.unit_name, e.kind)):
        rows.append(
            [
                text(entry.year),
                md_link(entry.unit_name, link(DISCLOSURES, entry.unit_page)),
                md_link(
                    f"{entry.document.get('scope') or ''}{entry.kind_zh}",
                    link(DISCLOSURES, entry.page),
                ),
                text(number(facts.total_expenditure(entry.parsed))),
                text(entry.audit_summary),
            ]
        )
    out.append(
        md_table(
            ["年度", "单位", "公开文件", "本年支出合计（万元）", "核查发现"],
            rows,
            ["left", "left", "left", "right", "center"],
        )
    )
    return "\n".join(out)
