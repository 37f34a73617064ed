"""Units compared within one year, category by category (the comparison page).

One row per unit's final accounts of the year: 本年支出合计, the 三公 决算数 and its
公务接待费, 机关运行经费, and 人员经费 / 公用经费 of basic spending with the 人员经费 share.
Only final accounts of the same year are compared; a blank means the document does not
print the figure (never zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from builder import declarations
from builder.charts import facts
from builder.charts.spec import UNIT, Chart, Column, Frame, Row, amount_chart, bar_chart

Parsed = dict[str, Any]
CENTS = Decimal("0.01")


def columns() -> tuple[Column, ...]:
    """The comparison's columns, named by the declared labels (决算数, 人员经费 …)."""
    final = facts.phase_label(facts.FINAL)
    ((_, receptions),) = facts.three_public_items("official_receptions")
    office = declarations.labels("supplementary_statistics", "section")["office_operating_costs"]
    return (
        Column("unit", "单位"),
        Column("spending", "本年支出合计", UNIT),
        Column("three_public", f"“三公”经费{final}", UNIT),
        Column("receptions", f"{receptions}{final}", UNIT),
        Column("office", office, UNIT),
        *_group_columns(),
    )


def _title(key: str) -> str:
    return next(column.title for column in columns() if column.key == key)


def _group_columns() -> tuple[Column, ...]:
    personnel, public = facts.group_label("personnel"), facts.group_label("public")
    return (
        Column("personnel", personnel, UNIT),
        Column("public", public, UNIT),
        Column("personnel_share", f"{personnel}占基本支出", "%"),
    )


@dataclass(frozen=True)
class UnitFigures:
    """One unit's comparable figures in one year's final accounts."""

    disclosure_id: str
    unit_name: str
    row: Row


def unit_figures(disclosure_id: str, parsed: Parsed) -> UnitFigures:
    groups = facts.basic_expenditure_groups(parsed)
    by_group = {item.key: item.amount for item in groups.items} if groups else {}
    personnel = by_group.get("personnel")
    public = by_group.get("public")
    share = None
    if personnel is not None and public is not None and personnel + public:
        share = (personnel * 100 / (personnel + public)).quantize(CENTS, ROUND_HALF_UP)
    name = str(parsed["document"]["unit_name"])
    return UnitFigures(
        disclosure_id,
        name,
        {
            "unit": name,
            "spending": facts.spending_of_year(parsed),
            "three_public": facts.three_public_totals(parsed).get(facts.FINAL),
            "receptions": facts.three_public_item(parsed, "official_receptions"),
            "office": facts.office_operating_costs(parsed),
            "personnel": personnel,
            "public": public,
            "personnel_share": share,
        },
    )


def _amount_chart(year: int, figures: list[UnitFigures], key: str, what: str) -> Chart | None:
    entries: list[tuple[str, str | None, Decimal]] = [
        (f.unit_name, None, value) for f in figures if isinstance(value := f.row.get(key), Decimal)
    ]
    if not entries:
        return None
    source = f"数据来源：各单位{year}年度决算公开表"
    title = f"{year}年度决算：各单位{what}"
    frame = Frame(
        chart_id=f"compare-{year}-{key}",
        title=title,
        heading=title,
        subtitle=(source, f"单位：{UNIT}；未列出该项的单位不在图中"),
        source=source,
        category_title="单位",
    )
    return amount_chart(frame, entries)


def _share_chart(year: int, figures: list[UnitFigures]) -> Chart | None:
    shown = [f for f in figures if isinstance(f.row.get("personnel_share"), Decimal)]
    if not shown:
        return None
    personnel, public = facts.group_label("personnel"), facts.group_label("public")
    title = f"{year}年度决算：各单位{personnel}占基本支出的比例"
    source = f"数据来源：各单位{year}年度决算一般公共预算财政拨款基本支出决算表"
    said = [f"{f.unit_name} {f.row['personnel_share']}%" for f in shown]
    description = f"条形图：{title}。{'；'.join(said)}。"
    values = [
        {
            "category": f.unit_name,
            "amount": float(Decimal(str(f.row["personnel_share"]))),
            "label": f"{f.unit_name}：{f.row['personnel_share']}%",
        }
        for f in shown
    ]
    spec = bar_chart(
        values=values,
        title=title,
        subtitle=[source, f"{personnel} ÷（{personnel} + {public}）"],
        description=description,
        category=("category", "单位"),
        amount=("amount", "占比（%）"),
        amount_format=".2f",
        amount_domain=(0.0, 115.0),
    )
    shown_columns = (Column("unit", "单位"), *_group_columns())
    rows = tuple(f.row for f in shown)
    return Chart(
        f"compare-{year}-personnel-share", title, description, source, shown_columns, rows, spec
    )


def comparison_charts(year: int, figures: list[UnitFigures]) -> list[Chart]:
    """The charts of one year's comparison, in page order."""
    charts = [
        _amount_chart(year, figures, "receptions", _title("receptions")),
        _amount_chart(year, figures, "office", _title("office")),
        _share_chart(year, figures),
    ]
    return [chart for chart in charts if chart is not None]
