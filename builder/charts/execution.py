"""Budget against actual: what a disclosure says of its own budget execution.

- :func:`function_execution`: 年初预算 and 决算 per function class, with the 完成率 the
  text prints, read from the 情况说明 (``一般公共服务支出年初预算6,349.01万元，支出决算
  5,408.80万元，完成年初预算的85.19%``): no table prints the initial budget by function;
- :func:`three_public_execution`: each 三公 item's 全年预算数 and 决算数 (公开09表),
  with the 完成率 computed from them;
- :func:`project_execution`: each project's 年初预算数, 全年预算数 and 全年执行数 with its
  执行率 (项目支出绩效自评表).

Amounts are exact Decimals as printed; a rate is the printed one where the text prints it,
else computed and said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from builder import declarations
from builder.charts import facts
from builder.charts.spec import UNIT, Chart, Column, Frame, Row, amount_chart
from builder.declarations import TOTAL_LEVEL

Parsed = dict[str, Any]
CENTS = Decimal("0.01")
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_STATEMENT = re.compile(
    rf"(?P<name>[^。；;：:]*?)年初预算(?:为|数为)?(?P<initial>{_NUMBER})万元[，,]\s*"
    rf"支出决算(?:为|数为)?(?P<final>{_NUMBER})万元"
    rf"(?:[，,]\s*完成年初预算(?:的)?(?P<rate>{_NUMBER})%)?"
)
_NAME_NOISE = re.compile(
    r"^(?:其中|\d{4}年度?|\d+[、.]|[（(][一二三四五六七八九十\d]+[)）])+|[（(]\d{3,7}[)）]"
)
TOTAL = "一般公共预算财政拨款支出"
_TOTAL_LABEL = TOTAL_LEVEL


@dataclass(frozen=True)
class Executed:
    """One line of budget execution: what was planned and what was spent."""

    label: str
    initial: Decimal | None  # 年初预算
    adjusted: Decimal | None  # 全年预算 (调整后)
    actual: Decimal  # 决算 / 全年执行数
    rate: Decimal | None  # 完成率 / 执行率 (%)
    rate_printed: bool


def rate_of(actual: Decimal, planned: Decimal | None) -> Decimal | None:
    if not planned:
        return None
    return (actual * 100 / planned).quantize(CENTS, ROUND_HALF_UP)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _label(name: str) -> str:
    cleaned = _NAME_NOISE.sub("", name.strip()).strip()
    return _TOTAL_LABEL if cleaned.endswith(TOTAL) else cleaned


def function_execution(parsed: Parsed) -> tuple[str, list[Executed]] | None:
    """年初预算 / 决算 per function class as the 情况说明 states them, and the heading of
    the section they were read from; None where the text states none."""
    for section in parsed["narrative"].get("explanations") or []:
        body = "".join(str(section.get("text") or "").split("\n"))
        if "年初预算" not in body:  # no statement (the pattern's scan is slow on long text)
            continue
        found = []
        for match in _STATEMENT.finditer(body):
            label = _label(match["name"])
            if not label:
                continue
            actual = _amount(match["final"])
            initial = _amount(match["initial"])
            printed = match["rate"]
            found.append(
                Executed(
                    label=label,
                    initial=initial,
                    adjusted=None,
                    actual=actual,
                    rate=_amount(printed) if printed else rate_of(actual, initial),
                    rate_printed=bool(printed),
                )
            )
        if found:
            return str(section.get("heading") or ""), found
    return None


def three_public_execution(parsed: Parsed) -> list[Executed]:
    """Each 三公 item (and the 合计) with 全年预算数 and 决算数, where both are printed."""
    out = []
    titles = declarations.titles(facts.THREE_PUBLIC)
    items = (("total", titles["total_10k_yuan"]), *facts.three_public_items())
    for key, label in items:
        planned = facts.three_public_item(parsed, key, facts.BUDGET)
        actual = facts.three_public_item(parsed, key, facts.FINAL)
        if planned is None and actual is None:
            continue
        spent = actual if actual is not None else Decimal(0)
        out.append(Executed(label, None, planned, spent, rate_of(spent, planned), False))
    return out if any(e.adjusted is not None for e in out) and facts.is_final(parsed) else []


def project_execution(parsed: Parsed) -> list[Executed]:
    """Each evaluated project's 年初预算数, 全年预算数 and 全年执行数 (万元 sheets only)."""
    out = []
    for project in facts.projects(parsed):
        if project.executed is None or project.money_unit != UNIT:
            continue
        out.append(
            Executed(
                project.name,
                project.initial_budget,
                project.full_year_budget,
                project.executed,
                project.execution_rate,
                project.execution_rate is not None,
            )
        )
    return out


PHASES = ("initial", "adjusted", "actual")
INITIAL, FULL_YEAR = "年初", "全年"  # the budget before and after adjustment


def execution_chart(
    frame: Frame, lines: list[Executed], rate_title: str, actual_title: str | None = None
) -> Chart:
    """Grouped bars per line (年初预算 / 全年预算 / 决算, whichever it has) and the exact
    table behind them with the rate (the printed one, or computed and said so); the phases
    are named by the 三公 table's declared labels (预算数, 决算数)."""
    budget = facts.phase_label(facts.BUDGET)
    names = {
        "initial": INITIAL + budget,
        "adjusted": FULL_YEAR + budget,
        "actual": actual_title or facts.phase_label(facts.FINAL),
    }
    shown = [key for key in PHASES if any(getattr(line, key) is not None for line in lines)]
    entries: list[tuple[str, str | None, Decimal]] = [
        (_with_rate(line, rate_title), names[key], value)
        for line in lines
        for key in shown
        if (value := getattr(line, key)) is not None
    ]
    chart = amount_chart(replace(frame, sort_by_amount=False), entries)
    columns = (
        Column("category", frame.category_title),
        *(Column(key, names[key], UNIT) for key in shown),
        Column("rate", rate_title, "%"),
        Column("rate_source", "比率来源"),
    )
    rows: tuple[Row, ...] = tuple(
        {
            "category": line.label,
            **{key: getattr(line, key) for key in shown},
            "rate": line.rate,
            "rate_source": "原文" if line.rate_printed else "按表中数字计算",
        }
        for line in lines
    )
    rates = "；".join(
        f"{line.label}{rate_title} {_percent(line.rate)}" for line in lines if line.rate is not None
    )
    description = f"{chart.description[:-1]}。{rates}。" if rates else chart.description
    drawing = chart.drawing.described(description)
    return replace(chart, columns=columns, rows=rows, description=description, drawing=drawing)


def _with_rate(line: Executed, rate_title: str) -> str:
    """The category as drawn: the line's name and its rate, so the bars say it too."""
    if line.rate is None:
        return line.label
    return f"{line.label}（{rate_title} {_percent(line.rate)}）"


def _percent(rate: Decimal) -> str:
    """``99.1`` → ``99.10%``, as every rate on the pages."""
    return f"{rate.quantize(CENTS, ROUND_HALF_UP)}%"
