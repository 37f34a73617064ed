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
from builder.charts.execution import FULL_YEAR
from builder.charts.spec import UNIT, Chart, Frame, amount_chart, title_lines

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
            ("本年支出合计", facts.spending_of_year(parsed)),
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


def units_compared(disclosures: list[Disclosure], year: int) -> Chart | None:
    """Each unit's 本年支出合计 in its final accounts of ``year`` (only that year)."""
    entries: list[tuple[str, str | None, Decimal]] = []
    for unit_name, (_, parsed) in sorted(latest_final(disclosures).items()):
        amount = facts.spending_of_year(parsed)
        if amount is not None and int(parsed["document"]["year"]) == year:
            entries.append((unit_name, None, amount))
    if not entries:
        return None
    title = f"{year}年度决算：各单位本年支出合计"
    source = f"数据来源：各单位{year}年度决算公开01表"
    frame = Frame(
        chart_id=f"portal-units-compared-{year}",
        title=title,
        heading=title,
        subtitle=(source, f"单位：{UNIT}"),
        source=source,
        category_title="单位",
    )
    return amount_chart(frame, entries)


def three_public_by_unit(disclosures: list[Disclosure], year: int) -> Chart | None:
    """Each unit's 三公 合计 in its final accounts of ``year``: 全年预算数 and 决算数."""
    entries: list[tuple[str, str | None, Decimal]] = []
    full_year = FULL_YEAR + facts.phase_label(facts.BUDGET)
    final = facts.phase_label(facts.FINAL)
    for unit_name, (_, parsed) in sorted(latest_final(disclosures).items()):
        if int(parsed["document"]["year"]) != year:
            continue
        totals = facts.three_public_totals(parsed)
        for phase, label in ((facts.BUDGET, full_year), (facts.FINAL, final)):
            if phase in totals:
                entries.append((unit_name, label, totals[phase]))
    if not entries:
        return None
    source = f"数据来源：各单位{year}年度决算公开“三公”经费支出决算表"
    frame = Frame(
        chart_id=f"portal-three-public-by-unit-{year}",
        title=f"{year}年度决算：各单位“三公”经费{full_year}与{final}",
        heading=title_lines(f"{year}年度决算：", "各单位“三公”经费"),
        subtitle=(source, f"单位：{UNIT}"),
        source=source,
        category_title="单位",
        group_title=facts.phase_title(),
    )
    return amount_chart(frame, entries)
