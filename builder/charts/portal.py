"""Charts across disclosures: one unit over time, and the units compared.

- :func:`unit_over_time`: a unit's income and spending totals (01 / 预算公开表1) for each
  of its disclosures, budgets and final accounts side by side;
- :func:`units_compared`: each unit's spending in its latest final accounts;
- :func:`three_public_by_unit`: each unit's 三公 costs, budget vs actual, in its latest
  final accounts (公开09表 prints both).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from builder.charts import facts
from builder.charts.spec import UNIT, Chart, Frame, amount_chart

Parsed = dict[str, Any]
Disclosure = tuple[str, Parsed]


def _order(disclosure: Disclosure) -> tuple[int, int]:
    document = disclosure[1]["document"]
    return (int(document["year"]), 0 if document["kind"] == "budget" else 1)


def latest_final(disclosures: list[Disclosure]) -> dict[str, Disclosure]:
    """Each unit's latest final accounts (by unit name)."""
    latest: dict[str, Disclosure] = {}
    for disclosure in sorted(disclosures, key=_order):
        document = disclosure[1]["document"]
        if document["kind"] == "final":
            latest[document["unit_name"]] = disclosure
    return latest


def unit_over_time(unit_id: str, unit_name: str, disclosures: list[Disclosure]) -> Chart | None:
    """A unit's 本年收入合计 and 本年支出合计, one pair of bars per disclosure."""
    entries: list[tuple[str, str | None, Decimal]] = []
    for _, parsed in sorted(disclosures, key=_order):
        document = parsed["document"]
        when = f"{document['year']}年度{document['kind_zh']}"
        for label, amount in (
            ("本年收入合计", facts.total_income(parsed)),
            ("本年支出合计", facts.total_expenditure(parsed)),
        ):
            if amount is not None:
                entries.append((when, label, amount))
    if not entries:
        return None
    source = "数据来源：各年度公开01表（决算）或预算公开表1（预算）"
    frame = Frame(
        chart_id=f"{unit_id}-over-time",
        title=f"{unit_name}：历年收入与支出",
        heading="历年本年收入合计与本年支出合计",
        subtitle=(unit_name, source, f"单位：{UNIT}"),
        source=source,
        category_title="年度与类型",
        group_title="项目",
    )
    return amount_chart(frame, entries)


def units_compared(disclosures: list[Disclosure]) -> Chart | None:
    """Each unit's 本年支出合计 in its latest final accounts."""
    entries: list[tuple[str, str | None, Decimal]] = []
    for unit_name, (_, parsed) in sorted(latest_final(disclosures).items()):
        amount = facts.total_expenditure(parsed)
        if amount is not None:
            entries.append((f"{unit_name}（{parsed['document']['year']}）", None, amount))
    if not entries:
        return None
    title = "各单位最近一次决算的本年支出合计"
    source = "数据来源：各单位最近一年决算公开01表"
    frame = Frame(
        chart_id="portal-units-compared",
        title=title,
        heading=title,
        subtitle=(source, f"单位：{UNIT}"),
        source=source,
        category_title="单位（决算年度）",
    )
    return amount_chart(frame, entries)


def three_public_by_unit(disclosures: list[Disclosure]) -> Chart | None:
    """Each unit's 三公 合计, 预算数 vs 决算数, in its latest final accounts."""
    entries: list[tuple[str, str | None, Decimal]] = []
    for unit_name, (_, parsed) in sorted(latest_final(disclosures).items()):
        totals = facts.three_public_totals(parsed)
        for phase in ("预算数", "决算数"):
            if phase in totals:
                entries.append(
                    (f"{unit_name}（{parsed['document']['year']}）", phase, totals[phase])
                )
    if not entries:
        return None
    source = "数据来源：各单位最近一年决算公开09表"
    frame = Frame(
        chart_id="portal-three-public-by-unit",
        title="各单位“三公”经费：预算数与决算数（最近一次决算）",
        heading="各单位“三公”经费预算数与决算数",
        subtitle=(source, f"单位：{UNIT}"),
        source=source,
        category_title="单位（决算年度）",
        group_title="口径",
    )
    return amount_chart(frame, entries)
