"""The page of one publishing unit (``units/<unit id>.md``) and the list of units.

A unit page lists the unit's disclosures over time with their headline totals and charts
them; compares each year with the year before, like with like only (final accounts with
final accounts, budgets with budgets); and, for a year with both a budget and final
accounts, sets 年初预算 (the budget), 全年预算 (the 预算数 of the final accounts' 三公
table, the adjusted budget) and 决算 side by side with the 完成率; and sets each pair of its
disclosures against each other item by item (``builder.pages.comparisons``: a budget and
its final account, two consecutive years' 上年 figures).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from builder.charts import Chart, facts, unit_over_time
from builder.charts.execution import FULL_YEAR, INITIAL, Executed, execution_chart, rate_of
from builder.charts.spec import Frame
from builder.pages.catalog import DisclosureEntry, Portal, UnitEntry, link
from builder.pages.comparisons import comparisons
from builder.pages.embed import embed_chart
from builder.pages.markup import UNIT_10K as UNIT
from builder.pages.markup import front_matter, md_link, md_table, number, percent, text
from builder.pages.paging import PAGE_ROWS, Listing
from builder.pages.parts import Parts
from builder.pages.templating import render

INDEX = "units/index.md"
UNITS_PER_PAGE = PAGE_ROWS  # rows of the list of units on one page


def _headers() -> list[str]:
    """The columns of a unit's table, the 三公 phases named as declared (预算数, 决算数)."""
    return [
        "年度",
        "公开文件",
        f"本年收入合计（{UNIT}）",
        f"本年支出合计（{UNIT}）",
        f"“三公”经费{facts.phase_label(facts.BUDGET)}（{UNIT}）",
        f"“三公”经费{facts.phase_label(facts.FINAL)}（{UNIT}）",
        "核查发现",
    ]


ALIGN = ["left", "left", "right", "right", "right", "right", "center"]


def _totals(page: str, unit: UnitEntry) -> str:
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
                text(number(facts.spending_of_year(entry.parsed))),
                # A budget prints its 年初 三公 budget; final accounts the 全年 (adjusted) one.
                text(
                    _phase(
                        three.get(facts.BUDGET), INITIAL if entry.kind == "budget" else FULL_YEAR
                    )
                ),
                text(number(three.get(facts.FINAL))),
                text(entry.audit_summary),
            ]
        )
    return md_table(_headers(), rows, ALIGN, caption=f"{unit.unit_name}：历年公开文件")


def _phase(value: Decimal | None, which: str) -> str:
    return f"{number(value)}（{which}）" if value is not None else ""


def _change(now: Decimal | None, before: Decimal | None) -> list[str]:
    if now is None or before is None:
        return [text("—"), text("—")]
    rate = (now - before) * 100 / before if before else None
    sign = "+" if now >= before else ""
    return [text(f"{sign}{number(now - before)}"), text(percent(rate) if rate is not None else "—")]


def year_over_year(unit: UnitEntry) -> str:
    """Each disclosure against the unit's disclosure of the same kind a year before."""
    rows = []
    for entry in unit.disclosures:
        before = next(
            (e for e in unit.disclosures if e.kind == entry.kind and e.year == entry.year - 1),
            None,
        )
        if before is None:
            continue
        phase = facts.FINAL if entry.kind == "final" else facts.BUDGET
        for what, now, then in (
            (
                "本年支出合计",
                facts.spending_of_year(entry.parsed),
                facts.spending_of_year(before.parsed),
            ),
            (
                f"“三公”经费{facts.phase_label(phase)}",
                facts.three_public_totals(entry.parsed).get(phase),
                facts.three_public_totals(before.parsed).get(phase),
            ),
        ):
            rows.append(
                [
                    text(f"{entry.year}年度{entry.kind_zh}比{before.year}年度{before.kind_zh}"),
                    text(what),
                    text(number(then)),
                    text(number(now)),
                    *_change(now, then),
                ]
            )
    if not rows:
        return ""
    return md_table(
        ["对比", "项目", f"上年（{UNIT}）", f"本年（{UNIT}）", f"增减（{UNIT}）", "增减率"],
        rows,
        ["left", "left", "right", "right", "right", "right"],
        caption=f"{unit.unit_name}：逐年对比（同类文件）",
    )


def budget_lines(budget: DisclosureEntry, final: DisclosureEntry) -> list[Executed]:
    """本年支出合计 and each 三公 item: 年初预算 (the budget), 全年预算 (the final
    accounts' 预算数) and 决算, with the 完成率 against the initial budget."""
    lines = []
    planned_total = facts.spending_of_year(budget.parsed)
    spent_total = facts.spending_of_year(final.parsed)
    if spent_total is not None:
        lines.append(
            Executed(
                "本年支出合计",
                planned_total,
                None,
                spent_total,
                rate_of(spent_total, planned_total),
                False,
            )
        )
    planned = {i.code: i.amount for i in (facts.three_public_costs(budget.parsed) or _none()).items}
    for key, label in facts.three_public_items():
        adjusted = facts.three_public_item(final.parsed, key, facts.BUDGET)
        actual = facts.three_public_item(final.parsed, key, facts.FINAL)
        initial = planned.get(key)
        if actual is None and adjusted is None and not initial:
            continue
        spent = actual if actual is not None else Decimal(0)
        lines.append(
            Executed(f"“三公”{label}", initial, adjusted, spent, rate_of(spent, initial), False)
        )
    return lines


def _none() -> facts.Breakdown:
    return facts.Breakdown("", ())


def _pairs(unit: UnitEntry) -> list[tuple[int, DisclosureEntry, DisclosureEntry]]:
    out = []
    for year in sorted({e.year for e in unit.disclosures}):
        kinds = {e.kind: e for e in unit.disclosures if e.year == year}
        if "budget" in kinds and "final" in kinds:
            out.append((year, kinds["budget"], kinds["final"]))
    return out


def _budget_against_final(unit: UnitEntry, parts: Parts) -> tuple[str, list[Markup]]:
    tables = []
    charts: list[Markup] = []
    for year, budget, final in _pairs(unit):
        lines = budget_lines(budget, final)
        rows = [
            [
                text(line.label),
                text(number(line.initial) or "—"),
                text(number(line.adjusted) or "—"),
                text(number(line.actual)),
                text(percent(line.rate)),
            ]
            for line in lines
        ]
        tables.append(
            md_table(
                [
                    "项目",
                    f"年初预算（{UNIT}）",
                    f"全年预算（{UNIT}）",
                    f"决算（{UNIT}）",
                    "完成年初预算",
                ],
                rows,
                ["left", "right", "right", "right", "right"],
                caption=f"{year}年度：预算与决算",
            )
        )
        source = f"数据来源：{year}年度预算公开与决算公开"
        frame = Frame(
            chart_id=f"{unit.unit_id}-{year}-budget-against-final",
            title=f"{unit.unit_name}：{year}年度预算与决算",
            heading=f"{year}年度预算与决算",
            subtitle=(unit.unit_name, source, f"单位：{UNIT}"),
            source=source,
            category_title="项目",
            group_title=facts.phase_title(),
        )
        chart: Chart = execution_chart(frame, lines, "完成年初预算")
        charts.append(Markup(embed_chart(chart, parts)))  # safe: escaped
    return "\n".join(tables), charts


def unit_page(unit: UnitEntry, portal: Portal, docs_dir: Path) -> str:
    chart = unit_over_time(
        unit.unit_id, unit.unit_name, [(e.disclosure_id, e.parsed) for e in unit.disclosures]
    )
    parts = Parts(docs_dir, unit.page, unit.unit_name)
    against, charts = _budget_against_final(unit, parts)
    by_id = sorted(unit.disclosures, key=lambda e: e.disclosure_id)
    body = render(
        "unit.md.j2",
        unit_name=unit.unit_name,
        count=len(unit.disclosures),
        kinds="、".join(dict.fromkeys(e.when for e in unit.disclosures)),
        totals=Markup(_totals(unit.page, unit)),  # safe: md_table cells are escaped
        over_time=Markup(embed_chart(chart, parts)) if chart else "",  # safe
        year_over_year=Markup(year_over_year(unit)),  # safe: md_table cells are escaped
        budget_against_final=Markup(against),  # safe: md_table cells are escaped
        charts=charts,
        # safe: md_table's cells are escaped where they are built
        comparisons=Markup(comparisons(by_id, unit.page)),
        back=link(unit.page, INDEX),
    )
    parts.write()
    return front_matter(unit.unit_name, f"{unit.unit_name}历年预算和决算公开") + body


def units_index(portal: Portal) -> dict[str, str]:
    """The list of units by name, a page per :data:`UNITS_PER_PAGE` units
    (``builder.pages.paging``): docs path → Markdown."""

    def cells(unit: UnitEntry, page: str) -> list[str]:
        docs = "，".join(md_link(e.when, link(page, e.page)) for e in unit.disclosures)
        return [md_link(unit.unit_name, link(page, unit.page)), docs]

    listing = Listing(
        INDEX,
        portal.units,
        lambda unit: unit.unit_name,
        cells,
        ["单位", "公开文件"],
        ["left", "left"],
        caption="本门户收录的单位",
        per_page=UNITS_PER_PAGE,
    )
    intro = f"本门户收录 {len(portal.units)} 个单位的预算和决算公开文件。"
    return listing.pages("单位", "本门户收录的预算单位", intro)
