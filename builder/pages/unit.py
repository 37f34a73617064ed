"""The page of one publishing unit (``units/<unit id>.md``) and the list of units.

A unit page lists the unit's disclosures over time (budgets and final accounts) with their
headline totals, links to each, and charts the totals over time.
"""

from __future__ import annotations

from pathlib import Path

from builder.charts import facts, unit_over_time
from builder.pages.catalog import Portal, UnitEntry, link
from builder.pages.embed import embed_chart
from builder.pages.markup import front_matter, md_link, md_table, number, text

INDEX = "units/index.md"


def _totals_row(page: str, unit: UnitEntry) -> list[list[str]]:
    rows = []
    for entry in unit.disclosures:
        three = facts.three_public_totals(entry.parsed)
        rows.append(
            [
                text(entry.year),
                md_link(
                    f"{entry.document.get('scope') or ''}{entry.kind_zh}", link(page, entry.page)
                ),
                text(number(facts.total_income(entry.parsed))),
                text(number(facts.total_expenditure(entry.parsed))),
                text(number(three.get("预算数"))),
                text(number(three.get("决算数"))),
                text(entry.audit_summary),
            ]
        )
    return rows


HEADERS = [
    "年度",
    "公开文件",
    "本年收入合计（万元）",
    "本年支出合计（万元）",
    "“三公”经费预算数（万元）",
    "“三公”经费决算数（万元）",
    "核查发现",
]
ALIGN = ["left", "left", "right", "right", "right", "right", "center"]


def unit_page(unit: UnitEntry, portal: Portal, docs_dir: Path) -> str:
    out = [front_matter(unit.unit_name, f"{unit.unit_name}历年预算和决算公开")]
    out.append(f"# {text(unit.unit_name)}\n")
    kinds = "、".join(dict.fromkeys(e.when for e in unit.disclosures))
    out.append(
        f"<p>本门户收录该单位 {len(unit.disclosures)} 份公开文件：{text(kinds)}。"
        "金额单位：万元。</p>\n"
    )
    out.append("## 历年公开文件\n")
    out.append(md_table(HEADERS, _totals_row(unit.page, unit), ALIGN))
    chart = unit_over_time(
        unit.unit_id, unit.unit_name, [(e.disclosure_id, e.parsed) for e in unit.disclosures]
    )
    if chart is not None:
        out.append("## 历年收入与支出\n")
        out.append(embed_chart(chart, unit.page, docs_dir))
    years: dict[int, set[str]] = {}
    for entry in unit.disclosures:
        years.setdefault(entry.year, set()).add(entry.kind)
    paired = [year for year, kinds_of_year in years.items() if kinds_of_year == {"budget", "final"}]
    if not paired:
        out.append(
            '<p class="portal-muted">预算与决算对比：本门户尚未收录该单位同一年度的预算和决算，'
            "暂不能逐项对比；各决算公开09表列有“三公”经费的预算数和决算数。</p>\n"
        )
    out.append("\n" + md_link("返回单位列表", link(unit.page, INDEX)) + "\n")
    return "\n".join(out)


def units_index(portal: Portal) -> str:
    out = [front_matter("单位", "本门户收录的预算单位")]
    out.append("# 单位\n")
    out.append(f"<p>本门户收录 {len(portal.units)} 个单位的预算和决算公开文件。</p>\n")
    rows = []
    for unit in portal.units:
        docs = "，".join(md_link(e.when, link(INDEX, e.page)) for e in unit.disclosures)
        rows.append([md_link(unit.unit_name, link(INDEX, unit.page)), docs])
    out.append(md_table(["单位", "公开文件"], rows))
    return "\n".join(out)
