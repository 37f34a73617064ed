"""The charts of one disclosure page, each drawn from one table (see ``facts``).

- spending by function class (03 / 预算公开表3; the 01 class lines where 03 is missing);
- spending by type: basic vs project (03 total row; 05 where 03 is missing);
- income by source (01 income lines);
- basic spending by economic class: the largest items, 人员经费 vs 公用经费 (06);
- the three public costs, budget vs actual (09 / 预算公开表10);
- performance self-evaluations: execution rate and score by project (annexes).

A chart whose table is missing or empty is simply not drawn; the page says so in its
table list.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from builder import declarations
from builder.charts import execution, facts
from builder.charts.spec import (
    CENTS,
    UNIT,
    Chart,
    Column,
    Frame,
    Row,
    amount_chart,
    bar_chart,
    format_amount,
    title_lines,
    to_display,
)

Parsed = dict[str, Any]
TOP_ECONOMIC_ITEMS = 10
PERCENT_ROOM = 1.15  # room right of a 100% bar for its label
EVALUATION_FUNDING = "performance_evaluation_funding"  # the funding lines of a self-evaluation


def _when(parsed: Parsed) -> str:
    doc = parsed["document"]
    return f"{doc['year']}年度{doc['kind_zh']}"


def _frame(  # noqa: PLR0913 - keyword-only texts of one chart
    parsed: Parsed,
    *,
    chart_id: str,
    what: str,
    source: str,
    category_title: str,
    group_title: str | None = None,
    note: str = "",
) -> Frame:
    unit_name = parsed["document"]["unit_name"]
    return Frame(
        chart_id=chart_id,
        title=f"{unit_name} {_when(parsed)}：{what}",
        heading=title_lines(_when(parsed), what),
        subtitle=(unit_name, f"数据来源：{source}", f"单位：{UNIT}"),
        source=f"数据来源：{source}{note}",
        category_title=category_title,
        group_title=group_title,
    )


def _entries(breakdown: facts.Breakdown) -> list[tuple[str, str | None, Decimal]]:
    return [(item.label, item.group, item.amount) for item in breakdown.items]


def spending_by_function(disclosure_id: str, parsed: Parsed) -> Chart | None:
    breakdown = facts.expenditure_by_function(parsed)
    if breakdown is None:
        return None
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-spending-by-function",
        what="支出（按功能分类）",
        source=breakdown.source,
        category_title="支出功能分类（类）",
    )
    return amount_chart(frame, _entries(breakdown))


def spending_by_type(disclosure_id: str, parsed: Parsed) -> Chart | None:
    breakdown = facts.expenditure_by_type(parsed)
    if breakdown is None:
        return None
    general_only = "一般公共预算" in breakdown.source
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-spending-by-type",
        what="一般公共预算财政拨款基本支出与项目支出" if general_only else "基本支出与项目支出",
        source=breakdown.source,
        category_title="支出类型",
    )
    return amount_chart(frame, _entries(breakdown))


def income_by_source(disclosure_id: str, parsed: Parsed) -> Chart | None:
    breakdown = facts.income_by_source(parsed)
    if breakdown is None:
        return None
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-income-by-source",
        what="收入来源",
        source=breakdown.source,
        category_title="收入来源",
    )
    return amount_chart(frame, _entries(breakdown))


def basic_by_economic(disclosure_id: str, parsed: Parsed) -> Chart | None:
    breakdown = facts.basic_expenditure_by_economic(parsed)
    if breakdown is None:
        return None
    ranked = sorted(breakdown.items, key=lambda item: item.amount, reverse=True)
    groups = facts.basic_expenditure_groups(parsed)
    note = ""
    if groups is not None:
        note = "；" + "，".join(
            f"{i.label}合计 {format_amount(i.amount)} {UNIT}" for i in groups.items
        )
    shown = f"前{TOP_ECONOMIC_ITEMS}项" if len(ranked) > TOP_ECONOMIC_ITEMS else "各项"
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-basic-by-economic",
        what=f"基本支出按经济分类（{shown}）",
        source=breakdown.source,
        category_title="经济分类科目（款）",
        group_title=declarations.titles(facts.BASIC_BY_ECONOMIC)["expense_group"],
        note=note,
    )
    top = facts.Breakdown(breakdown.source, tuple(ranked[:TOP_ECONOMIC_ITEMS]))
    return amount_chart(frame, _entries(top))


def function_execution(disclosure_id: str, parsed: Parsed) -> Chart | None:
    """年初预算 against 决算 per function class, as the 情况说明 states them."""
    found = execution.function_execution(parsed)
    if found is None:
        return None
    heading, lines = found
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-function-execution",
        what="一般公共预算财政拨款支出：年初预算与决算",
        source=f"情况说明{heading}（原文文字）",
        category_title="支出功能分类（类）",
        group_title=facts.phase_title(),
    )
    return execution.execution_chart(frame, lines, "完成年初预算")


def project_execution(disclosure_id: str, parsed: Parsed) -> Chart | None:
    """Each project's 年初预算数, 全年预算数 and 全年执行数 with its 执行率."""
    lines = execution.project_execution(parsed)
    if not lines:
        return None
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-project-execution",
        what="项目预算与执行",
        source="附件 项目支出绩效自评表",
        category_title="项目名称",
        group_title=facts.phase_title(),
    )
    executed = declarations.titles(EVALUATION_FUNDING)["executed"]  # 全年执行数
    return execution.execution_chart(frame, lines, "执行率", executed)


def three_public_costs(disclosure_id: str, parsed: Parsed) -> Chart | None:
    """Final accounts: each 三公 item's 全年预算数 and 决算数 with 完成率; a budget: its
    预算数 by item."""
    breakdown = facts.three_public_costs(parsed)
    if breakdown is None:
        return None
    budget, final = facts.phase_label(facts.BUDGET), facts.phase_label(facts.FINAL)
    full_year = execution.FULL_YEAR + budget
    lines = execution.three_public_execution(parsed)
    if lines:
        frame = _frame(
            parsed,
            chart_id=f"{disclosure_id}-three-public-costs",
            what=f"“三公”经费：{full_year}与{final}",
            source=f"{breakdown.source}（{full_year}为调整后的预算）",
            category_title="“三公”经费项目",
            group_title=facts.phase_title(),
        )
        return execution.execution_chart(frame, lines, "完成全年预算")
    both = {item.key for item in breakdown.items} == {facts.BUDGET, facts.FINAL}
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-three-public-costs",
        what=f"“三公”经费：{budget}与{final}" if both else "“三公”经费预算",
        source=breakdown.source,
        category_title="“三公”经费项目",
        group_title=facts.phase_title(),
        note="（空白按0计）",
    )
    return amount_chart(frame, _entries(breakdown))


def performance(disclosure_id: str, parsed: Parsed) -> Chart | None:
    """Execution rate (%) and self-evaluation score (of 100) side by side per project."""
    projects = facts.projects(parsed)
    if not projects:
        return None
    source = "附件 项目支出绩效自评表"
    frame = _frame(
        parsed,
        chart_id=f"{disclosure_id}-performance",
        what="项目执行率与自评得分",
        source=source,
        category_title="项目名称",
        group_title="指标",
    )
    measures: tuple[tuple[str, str, Callable[[facts.Project], Decimal | None]], ...] = (
        ("预算执行率（%）", "%", lambda p: p.execution_rate),
        ("自评得分（分）", "分", lambda p: p.total_score),
    )
    values: list[dict[str, Any]] = []
    said: list[str] = []
    rows: list[Row] = []
    top = Decimal(100)
    for project in projects:
        for measure, unit, read in measures:
            value = read(project)
            if value is None:
                continue
            top = max(top, value)
            label = f"{project.name}（{measure}）：{value.quantize(CENTS, ROUND_HALF_UP)}{unit}"
            values.append(
                {
                    "category": project.name,
                    "group": measure,
                    "amount": to_display(value),
                    "label": label,
                }
            )
            said.append(label)
        rows.append(
            {
                "category": project.name,
                "execution_rate": project.execution_rate,
                "total_score": project.total_score,
                "grade": project.grade,
            }
        )
    description = f"条形图：{frame.title}。{'；'.join(said)}。"
    spec = bar_chart(
        values=values,
        title=frame.heading,
        subtitle=[parsed["document"]["unit_name"], frame.source, "执行率单位为%，得分满分100分"],
        description=description,
        category=("category", "项目名称"),
        amount=("amount", "执行率（%）/ 得分（分）"),
        group=("group", "指标"),
        amount_format=",.2~f",
        amount_domain=(0.0, float(top) * PERCENT_ROOM),
    )
    columns = (
        Column("category", "项目名称"),
        Column("execution_rate", "预算执行率", "%"),
        Column("total_score", "自评得分", "分"),
        Column("grade", "自评等级"),
    )
    return Chart(frame.chart_id, frame.title, description, frame.source, columns, tuple(rows), spec)


BUILDERS: tuple[Callable[[str, Parsed], Chart | None], ...] = (
    spending_by_function,
    function_execution,
    spending_by_type,
    income_by_source,
    basic_by_economic,
    three_public_costs,
    project_execution,
    performance,
)


def disclosure_charts(disclosure_id: str, parsed: Parsed) -> list[Chart]:
    """Every chart the disclosure's tables allow, in page order."""
    charts = (build(disclosure_id, parsed) for build in BUILDERS)
    return [chart for chart in charts if chart is not None]
