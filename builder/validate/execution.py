"""The rules of the execution family: budget against final accounts.

Within one final account: the 三公 table prints the budget beside the final figure of each
item (the narrative's budget figures and execution rates are read in
:mod:`builder.validate.text`). Across disclosures: :func:`compare_budget_final` sets the
budget and the final account of one unit and year side by side (totals, function classes,
三公), as data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from builder.declarations import CLASS_LEVEL
from builder.validate.base import Disclosure, Run, amount_of, field_title, table_label

THREE_PUBLIC = "three_public_costs"
ROUNDING_OF_TWO = Decimal("0.02")  # two printed amounts, each rounded to 0.01


def run_three_public_execution(run: Run) -> None:
    """Items of the 三公 table spent above the budget printed beside them (a fact)."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    rows = {str(row.get("phase")): row for row in doc.rows(THREE_PUBLIC)}
    budget, final = rows.get("budget"), rows.get("final")
    if budget is None or final is None:
        return
    zh, en = table_label(doc, THREE_PUBLIC)
    for name in doc.kind(THREE_PUBLIC).amount_fields:
        planned, spent = amount_of(budget, name), amount_of(final, name)
        if planned is None and spent is None:
            continue
        run.evaluated += 1
        planned, spent = planned or Decimal(0), spent or Decimal(0)
        if spent <= planned:
            continue
        title = field_title(doc, THREE_PUBLIC, name)
        run.state(
            (THREE_PUBLIC,),
            tuple(dict.fromkeys((int(budget["source_line"]), int(final["source_line"])))),
            f"{zh}「{title}」决算 {spent} 万元，高于全年预算 {planned} 万元。",
            f"{en} [{name}]: {spent} spent against a budget of {planned}.",
            compared=(planned, spent),
        )


# --------------------------------------------------------------------------- across disclosures

# (what, budget table/field/where, final table/field/where)
PAIRS: tuple[tuple[str, tuple[str, str, dict[str, Any]], tuple[str, str, dict[str, Any]]], ...] = (
    (
        "本年支出合计",
        (
            "budget_summary",
            "total_10k_yuan",
            {"side": "expenditure", "item_key": "total_expenditure"},
        ),
        (
            "income_expenditure_summary",
            "amount_10k_yuan",
            {"side": "expenditure", "item_key": "total_expenditure"},
        ),
    ),
    (
        "本年收入合计",
        ("budget_summary", "total_10k_yuan", {"side": "income", "item_key": "total_income"}),
        (
            "income_expenditure_summary",
            "amount_10k_yuan",
            {"side": "income", "item_key": "total_income"},
        ),
    ),
    (
        "“三公”经费合计",
        ("budget_three_public_costs", "total_10k_yuan", {"item_key": "total"}),
        ("three_public_costs", "total_10k_yuan", {"phase": "final"}),
    ),
    (
        "因公出国（境）费",
        ("budget_three_public_costs", "total_10k_yuan", {"item_key": "overseas_trips"}),
        ("three_public_costs", "overseas_trips_10k_yuan", {"phase": "final"}),
    ),
    (
        "公务接待费",
        ("budget_three_public_costs", "total_10k_yuan", {"item_key": "official_receptions"}),
        ("three_public_costs", "official_receptions_10k_yuan", {"phase": "final"}),
    ),
    (
        "公务用车购置及运行维护费",
        ("budget_three_public_costs", "total_10k_yuan", {"item_key": "vehicles_total"}),
        ("three_public_costs", "vehicles_total_10k_yuan", {"phase": "final"}),
    ),
)


def _value(
    doc: Disclosure, table: str, field: str, where: Mapping[str, Any]
) -> tuple[Decimal | None, int | None]:
    for row in doc.rows(table):
        if all(row.get(key) == wanted for key, wanted in where.items()):
            return amount_of(row, field), int(row["source_line"])
    return None, None


def _classes(doc: Disclosure, table: str) -> dict[str, tuple[str, Decimal | None, int]]:
    return {
        str(row["function_code"]): (
            str(row.get("function_name") or ""),
            amount_of(row, "total_expenditure_10k_yuan"),
            int(row["source_line"]),
        )
        for row in doc.rows(table)
        if row.get("level") == CLASS_LEVEL and row.get("function_code")
    }


def compare_budget_final(budget: Disclosure, final: Disclosure) -> list[dict[str, Any]]:
    """The budget and final account of one unit and year, line by line, as rows.

    Each row: what is compared, the budget and final figures with their source lines, the
    difference (final − budget) and the rate of execution (final / budget, in %). Budget
    table 3 and final table 03 give the function classes (all funds); totals and 三公 come
    from the summary and 三公 tables."""
    rows: list[dict[str, Any]] = []

    def add(
        item: str,
        code: str | None,
        planned: tuple[Decimal | None, int | None],
        spent: tuple[Decimal | None, int | None],
    ) -> None:
        if planned[0] is None and spent[0] is None:
            return
        low, high = planned[0] or Decimal(0), spent[0] or Decimal(0)
        rate = (high / low * 100).quantize(Decimal("0.01")) if low else None
        rows.append(
            {
                "item": item,
                "function_code": code,
                "budget_10k_yuan": planned[0],
                "budget_line": planned[1],
                "final_10k_yuan": spent[0],
                "final_line": spent[1],
                "difference_10k_yuan": high - low,
                "execution_percent": rate,
            }
        )

    for item, planned, spent in PAIRS:
        add(item, None, _value(budget, *planned), _value(final, *spent))
    budget_classes = _classes(budget, "budget_expenditure_by_function")
    final_classes = _classes(final, "expenditure_by_function")
    for code in sorted(set(budget_classes) | set(final_classes)):
        name = (budget_classes.get(code) or final_classes[code])[0]
        planned_class = budget_classes.get(code)
        spent_class = final_classes.get(code)
        add(
            name,
            code,
            (planned_class[1], planned_class[2]) if planned_class else (None, None),
            (spent_class[1], spent_class[2]) if spent_class else (None, None),
        )
    return rows


def previous_year(current: Disclosure, previous: Disclosure) -> list[dict[str, Any]]:
    """The 上年 figures a disclosure implies, against the previous year's disclosure.

    Each change the narrative states (比上年增加/减少 X万元) of a subject the tables print
    implies last year's figure (this year's, as stated or printed, minus the change); it
    is set beside what the previous year's disclosure prints for that subject. A row is a
    mismatch when the two differ by more than the rounding of two printed amounts."""
    from builder.validate import text  # noqa: PLC0415 - text reads the vocabulary lazily

    reading = text.read_narrative(current)
    earlier = text.read_narrative(previous)
    rows: list[dict[str, Any]] = []
    for index, figure in enumerate(reading.figures):
        if figure.role != "change" or figure.subject is None:
            continue
        change = text.in_10k(figure)
        stated = text.stated_amount(reading, figure.subject, index)
        now = text.in_10k(stated) if stated else text.table_amount(current, reading, figure.subject)
        then = text.table_amount(previous, earlier, figure.subject)
        if change is None or now is None or then is None:
            continue
        implied = now - figure.direction * change
        rows.append(
            {
                "subject": figure.subject,
                "line": figure.line,
                "sentence": figure.sentence,
                "stated_change_10k_yuan": figure.direction * change,
                "implied_previous_10k_yuan": implied,
                "previous_printed_10k_yuan": then,
                "difference_10k_yuan": implied - then,
                "agrees": abs(implied - then) <= ROUNDING_OF_TWO,
            }
        )
    return rows


def compare_disclosures(first: Disclosure, second: Disclosure) -> dict[str, Any]:
    """Two disclosures of one unit side by side: a budget and the final account of its year
    (line by line), or two consecutive years of one kind (the 上年 figures of the later)."""
    same_unit = _folded(first.document.get("unit_name")) == _folded(
        second.document.get("unit_name")
    )
    years = (first.year(), second.year())
    if not same_unit or None in years:
        raise ValueError("the two disclosures are not of the same unit (or have no year)")
    if {first.family, second.family} == {"budget", "final"} and years[0] == years[1]:
        budget, final = (first, second) if first.family == "budget" else (second, first)
        return {
            "comparison": "budget-final",
            "budget": budget.id,
            "final": final.id,
            "rows": compare_budget_final(budget, final),
        }
    if first.family == second.family and abs(int(years[0] or 0) - int(years[1] or 0)) == 1:
        later, earlier = (first, second) if (years[0] or 0) > (years[1] or 0) else (second, first)
        return {
            "comparison": "previous-year",
            "current": later.id,
            "previous": earlier.id,
            "rows": previous_year(later, earlier),
        }
    raise ValueError(
        "compare a budget with the final account of the same year, or two consecutive years"
        " of one kind"
    )


def format_comparison(report: Mapping[str, Any]) -> str:
    """A comparison as readable text, one line per row."""
    kind = report["comparison"]
    if kind == "budget-final":
        out = [f"budget {report['budget']}  against final account {report['final']}\n"]
        for row in report["rows"]:
            rate = "-" if row["execution_percent"] is None else f"{row['execution_percent']}%"
            out.append(
                f"  {row['item']:<24} budget {row['budget_10k_yuan']} (line {row['budget_line']})"
                f"  final {row['final_10k_yuan']} (line {row['final_line']})"
                f"  difference {row['difference_10k_yuan']}  execution {rate}\n"
            )
        return "".join(out)
    out = [f"{report['current']}  上年 figures against {report['previous']}\n"]
    for row in report["rows"]:
        verdict = "agrees" if row["agrees"] else "DIFFERS"
        out.append(
            f"  line {row['line']}  {row['subject']}: implied {row['implied_previous_10k_yuan']}"
            f", printed {row['previous_printed_10k_yuan']}"
            f"  difference {row['difference_10k_yuan']}  {verdict}\n"
        )
    return "".join(out)


def _folded(name: Any) -> str:
    return "".join(str(name or "").split())


RULES: dict[str, Callable[[Run], None]] = {
    "three_public_execution": run_three_public_execution,
}
