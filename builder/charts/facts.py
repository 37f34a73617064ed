"""Headline facts read from one parsed disclosure: totals and breakdowns, as exact Decimals.

The charts and the pages both read a disclosure through these functions, so a figure on a
page and the bar that shows it always come from the same table row. Nothing here converts
to float or rounds: amounts stay the Decimals the parser produced (万元).

Which table a fact comes from depends on the disclosure kind: final accounts (决算) print
公开01表 … 公开10表, budgets (预算) print 预算公开表1 … 13. Where the preferred table is
missing (seed 004 has no 02/03), the fact falls back to another table that states the same
thing and says so in its ``source``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from builder import declarations
from builder.declarations import CLASS_LEVEL, SECTION_LEVEL, TOTAL_LEVEL
from builder.declarations import PUBLISHED_MONEY_UNIT as UNIT

Parsed = dict[str, Any]
Row = dict[str, Any]

_ORDINAL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\(\s*[一二三四五六七八九十]+\s*\)|[①-⑳])\s*"
)

# The "three public costs" items, in the order the tables print them; their names are the
# titles of the 三公 table's ``<key>_10k_yuan`` fields, and the phase labels its x-labels.
THREE_PUBLIC = "three_public_costs"
THREE_PUBLIC_KEYS = (
    "overseas_trips",
    "vehicle_purchase",
    "vehicle_operation",
    "official_receptions",
)
BASIC_BY_ECONOMIC = "basic_expenditure_by_economic"
BUDGET, FINAL = "budget", "final"  # the phases of the 三公 table


def three_public_items(*keys: str) -> tuple[tuple[str, str], ...]:
    """(key, declared title) of the 三公 items (``keys``, default the four of them)."""
    titles = declarations.titles(THREE_PUBLIC)
    return tuple((key, titles[f"{key}_10k_yuan"]) for key in keys or THREE_PUBLIC_KEYS)


def phase_label(phase: str) -> str:
    """The declared label of a 三公 phase: ``budget`` → 预算数, ``final`` → 决算数."""
    return declarations.labels(THREE_PUBLIC, "phase")[phase]


def phase_title() -> str:
    """The declared title of the 三公 phase column (口径)."""
    return declarations.titles(THREE_PUBLIC)["phase"]


def group_label(group: str) -> str:
    """The declared label of a basic-spending group: ``personnel`` → 人员经费 …"""
    return declarations.labels(BASIC_BY_ECONOMIC, "expense_group")[group]


@dataclass(frozen=True)
class Item:
    """One labelled amount of a breakdown."""

    label: str
    amount: Decimal
    code: str | None = None
    group: str | None = None
    key: str | None = None  # the declared value behind the label (a group's ``personnel`` …)


@dataclass(frozen=True)
class Breakdown:
    """Labelled amounts and the table they were read from (e.g. ``公开03表 支出决算表``)."""

    source: str
    items: tuple[Item, ...]

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal(0))


@dataclass(frozen=True)
class Project:
    """A project's performance self-evaluation: budget, execution and score."""

    name: str
    initial_budget: Decimal | None
    full_year_budget: Decimal | None
    executed: Decimal | None
    execution_rate: Decimal | None
    total_score: Decimal | None
    grade: str | None
    money_unit: str


def is_final(parsed: Parsed) -> bool:
    return bool(parsed["document"]["kind"] == "final")


def table_label(parsed: Parsed, table: dict[str, Any]) -> str:
    """How the table is named to readers: the standard number and title (``公开03表 支出决算表``)
    where the publisher numbers its tables the standard way; else the title it printed
    (``2024年部门财务收支预算总表``), since a standard number it never printed would send a
    reader looking for a table that is not in the document."""
    printed = table.get("printed_title")
    numbered = any(t.get("printed_number") for t in parsed["tables"])
    if printed and not numbered:
        return str(printed)
    number = str(table["number"])
    family = str(parsed["document"]["kind"])
    return f"{declarations.standard_number(family, number)} {table['title']}"


def find_table(parsed: Parsed, *kinds: str) -> dict[str, Any] | None:
    """The first of ``kinds`` that the disclosure prints with rows (status ``parsed``)."""
    for kind in kinds:
        for table in parsed["tables"]:
            if table["kind"] == kind and table["status"] == "parsed" and table.get("rows"):
                found: dict[str, Any] = table
                return found
    return None


def strip_ordinal(name: str) -> str:
    """``一、一般公共服务支出`` → ``一般公共服务支出``; ``①公务用车购置费`` → ``公务用车购置费``."""
    return _ORDINAL.sub("", name).strip()


def _summary(parsed: Parsed) -> tuple[dict[str, Any] | None, str]:
    table = find_table(parsed, "income_expenditure_summary", "budget_summary")
    amount_field = "amount_10k_yuan" if is_final(parsed) else "total_10k_yuan"
    return table, amount_field


def summary_amount(parsed: Parsed, item_key: str, side: str | None = None) -> Decimal | None:
    """An amount of the income/expenditure summary table (01 / 预算公开表1) by its item key."""
    table, field = _summary(parsed)
    if table is None:
        return None
    for row in table["rows"]:
        if row.get("item_key") == item_key and (side is None or row.get("side") == side):
            value: Decimal | None = row.get(field)
            return value
    return None


def total_expenditure(parsed: Parsed) -> Decimal | None:
    """本年支出合计 of the summary table."""
    return summary_amount(parsed, "total_expenditure")


def total_income(parsed: Parsed) -> Decimal | None:
    """本年收入合计 of the summary table."""
    return summary_amount(parsed, "total_income")


def _total_row(table: dict[str, Any]) -> Row | None:
    for row in table["rows"]:
        if row.get("level") == TOTAL_LEVEL:
            found: Row = row
            return found
    return None


def _amount_fields(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in table["fields"] if declarations.is_amount(f)]


def expenditure_by_function(parsed: Parsed) -> Breakdown | None:
    """Spending by function class (类): table 03 / 预算公开表3, else the summary table."""
    table = find_table(parsed, "expenditure_by_function", "budget_expenditure_by_function")
    if table is not None:
        items = tuple(
            Item(row["function_name"], row["total_expenditure_10k_yuan"], row["function_code"])
            for row in table["rows"]
            if row.get("level") == CLASS_LEVEL and row.get("total_expenditure_10k_yuan") is not None
        )
        if items:
            return Breakdown(table_label(parsed, table), items)
    summary, field = _summary(parsed)
    if summary is None:
        return None
    items = tuple(
        Item(strip_ordinal(row["item_name"]), row[field], row["function_code"])
        for row in summary["rows"]
        if row.get("side") == "expenditure" and row.get("function_code") and row.get(field)
    )
    return Breakdown(table_label(parsed, summary), items) if items else None


def expenditure_by_type(parsed: Parsed) -> Breakdown | None:
    """基本支出, 项目支出 and the other spending columns of the total row of table 03.

    Falls back to table 05 (general public budget appropriations only) where 03 is missing.
    """
    table = find_table(
        parsed,
        "expenditure_by_function",
        "budget_expenditure_by_function",
        "general_budget_expenditure",
        "budget_general_expenditure",
    )
    if table is None:
        return None
    total = _total_row(table)
    if total is None:
        return None
    items = tuple(
        Item(field["title"], total[field["name"]])
        for field in _amount_fields(table)[1:]  # the first amount column is the row total
        if total.get(field["name"]) is not None
    )
    return Breakdown(table_label(parsed, table), items) if items else None


def income_by_source(parsed: Parsed) -> Breakdown | None:
    """The income lines of the summary table (01 lines 1–8 / 预算公开表1 income lines)."""
    summary, field = _summary(parsed)
    if summary is None:
        return None
    stop = {"total_income", "grand_total", "carried_over", "opening_balance"}
    items: list[Item] = []
    for row in summary["rows"]:
        if row.get("side") != "income":
            continue
        if row.get("item_key") in stop:
            break
        if "." in (row.get("item_key") or ""):
            continue  # a breakdown of the line above it: counted there
        if row.get(field) is not None:
            items.append(Item(strip_ordinal(row["item_name"]), row[field]))
    return Breakdown(table_label(parsed, summary), tuple(items)) if items else None


def basic_expenditure_by_economic(parsed: Parsed) -> Breakdown | None:
    """Basic spending by economic class (款 level), each item tagged 人员经费 or 公用经费."""
    table = find_table(parsed, "basic_expenditure_by_economic")
    if table is not None:
        items = tuple(
            Item(
                row["economic_name"],
                row["amount_10k_yuan"],
                row["economic_code"],
                group_label(row["expense_group"]) if row.get("expense_group") else None,
            )
            for row in table["rows"]
            if row.get("level") == SECTION_LEVEL and row.get("amount_10k_yuan") is not None
        )
        return Breakdown(table_label(parsed, table), items) if items else None
    table = find_table(parsed, "budget_basic_expenditure_by_economic")
    if table is None:
        return None
    budget_items: list[Item] = []
    for row in table["rows"]:
        if row.get("level") != SECTION_LEVEL or row.get("total_10k_yuan") is None:
            continue
        # a publisher may print 0 in the column that does not apply (Shanghai)
        group = group_label("personnel" if row.get("personnel_10k_yuan") else "public")
        budget_items.append(
            Item(
                row["department_economic_name"],
                row["total_10k_yuan"],
                row.get("economic_code"),
                group,
            )
        )
    return Breakdown(table_label(parsed, table), tuple(budget_items)) if budget_items else None


def basic_expenditure_groups(parsed: Parsed) -> Breakdown | None:
    """人员经费合计 and 公用经费合计 of the basic-spending table (06 / 预算公开表6)."""
    table = find_table(parsed, BASIC_BY_ECONOMIC)
    groups = declarations.labels(BASIC_BY_ECONOMIC, "expense_group")
    if table is not None:
        items = tuple(
            Item(groups[group], row["amount_10k_yuan"], key=group)
            for row in table["rows"]
            if row.get("level") == TOTAL_LEVEL
            and row.get("amount_10k_yuan") is not None
            and (group := row.get("expense_group")) in groups
        )
        return Breakdown(table_label(parsed, table), items) if items else None
    table = find_table(parsed, "budget_basic_expenditure_by_economic")
    if table is None:
        return None
    total = _total_row(table)
    if total is None:
        return None
    items = tuple(
        Item(label, total[f"{group}_10k_yuan"], key=group)
        for group, label in groups.items()
        if total.get(f"{group}_10k_yuan") is not None
    )
    return Breakdown(table_label(parsed, table), items) if items else None


def wide_three_public_costs(parsed: Parsed) -> dict[str, Any] | None:
    """A 三公 table printed as one row per phase: the final accounts' (公开09表), or a budget's
    that prints 三公 and 机关运行经费 together (e.g. Shanghai)."""
    return find_table(parsed, "three_public_costs") or find_table(
        parsed, "budget_three_public_and_office_costs"
    )


def three_public_costs(parsed: Parsed) -> Breakdown | None:
    """The 三公 items; each item's ``group`` is its phase's label (预算数 or 决算数), its
    ``key`` the phase.

    Final accounts (公开09表) print both the budget and the actual; a budget (预算公开表10)
    prints the budget only. Blank cells count as zero here: the table prints every item.
    """
    table = wide_three_public_costs(parsed)
    if table is not None:
        phases = declarations.labels(THREE_PUBLIC, "phase")
        items = tuple(
            Item(
                label,
                row.get(f"{key}_10k_yuan") or Decimal(0),
                key,
                phases[row["phase"]],
                row["phase"],
            )
            for row in table["rows"]
            for key, label in three_public_items()
        )
        return Breakdown(table_label(parsed, table), items)
    table = find_table(parsed, "budget_three_public_costs")
    if table is None:
        return None
    by_key = {row.get("item_key"): row for row in table["rows"]}
    items = tuple(
        Item(
            label,
            (by_key.get(key) or {}).get("total_10k_yuan") or Decimal(0),
            key,
            phase_label(BUDGET),
            BUDGET,
        )
        for key, label in three_public_items()
    )
    return Breakdown(table_label(parsed, table), items)


def three_public_totals(parsed: Parsed) -> dict[str, Decimal]:
    """The printed 三公 合计 by phase (``budget`` / ``final``), where printed."""
    totals: dict[str, Decimal] = {}
    table = wide_three_public_costs(parsed)
    if table is not None:
        for row in table["rows"]:
            if row.get("total_10k_yuan") is not None:
                totals[row["phase"]] = row["total_10k_yuan"]
        return totals
    table = find_table(parsed, "budget_three_public_costs")
    if table is not None:
        for row in table["rows"]:
            if row.get("item_key") == "total" and row.get("total_10k_yuan") is not None:
                totals[BUDGET] = row["total_10k_yuan"]
    return totals


def projects(parsed: Parsed) -> list[Project]:
    """Performance self-evaluations (项目支出绩效自评表), one per project."""
    out: list[Project] = []
    for sheet in parsed["annexes"].get("performance_evaluations", []):
        funding = sheet.get("funding") or []
        first: Row = funding[0] if funding else {}
        out.append(
            Project(
                name=sheet["project_name"],
                initial_budget=first.get("initial_budget"),
                full_year_budget=first.get("full_year_budget"),
                executed=first.get("executed"),
                execution_rate=first.get("execution_rate"),
                total_score=sheet.get("total_score"),
                grade=sheet.get("grade"),
                money_unit=sheet.get("money_unit") or UNIT,
            )
        )
    return out


# The two sides of the summary table (01 / 预算公开表1) beyond this year's income and
# spending: what comes in from earlier years and what is carried forward, by item key.
BROUGHT_FORWARD = ("use_of_non_appropriation_balance", "opening_balance", "carried_over")
CARRIED_FORWARD = ("surplus_distribution", "closing_balance")


@dataclass(frozen=True)
class Balance:
    """Both sides of the summary table: 本年收入 + 上年结转 = 本年支出 + 结转, as printed.

    ``income`` and ``spending`` are the printed 本年收入合计 / 本年支出合计; where a table
    prints no such line (Shanghai budgets print only 总计), they are the sum of its income
    lines or function classes and ``computed`` names them. ``brought`` and ``carried`` are
    the printed lines of each side that are not this year's (blank lines left out).
    """

    income: Decimal
    spending: Decimal
    brought: tuple[Item, ...]
    carried: tuple[Item, ...]
    income_total: Decimal | None  # the printed 总计 of each side
    spending_total: Decimal | None
    source: str
    computed: tuple[str, ...] = ()

    @property
    def inflow(self) -> Decimal:
        return self.income + sum((i.amount for i in self.brought), Decimal(0))

    @property
    def outflow(self) -> Decimal:
        return self.spending + sum((i.amount for i in self.carried), Decimal(0))


def _side_lines(rows: list[Row], side: str, keys: tuple[str, ...], field: str) -> tuple[Item, ...]:
    return tuple(
        Item(strip_ordinal(str(row["item_name"])), row[field])
        for row in rows
        if row.get("side") == side and row.get("item_key") in keys and row.get(field)
    )


def balance(parsed: Parsed) -> Balance | None:
    """Both sides of the summary table, or None without one."""
    table, field = _summary(parsed)
    if table is None:
        return None
    rows: list[Row] = table["rows"]
    computed: list[str] = []
    income = total_income(parsed)
    if income is None:
        lines = income_by_source(parsed)
        income = lines.total if lines is not None else Decimal(0)
        computed.append("本年收入（各收入项之和）")
    spending = total_expenditure(parsed)
    if spending is None:
        spending = _function_sum(rows, field)
        computed.append("本年支出（各功能分类之和）")
    return Balance(
        income=income,
        spending=spending,
        brought=_side_lines(rows, "income", BROUGHT_FORWARD, field),
        carried=_side_lines(rows, "expenditure", CARRIED_FORWARD, field),
        income_total=summary_amount(parsed, "grand_total", "income"),
        spending_total=summary_amount(parsed, "grand_total", "expenditure"),
        source=table_label(parsed, table),
        computed=tuple(computed),
    )


def _function_sum(rows: list[Row], field: str) -> Decimal:
    return sum(
        (
            row[field]
            for row in rows
            if row.get("side") == "expenditure" and row.get("function_code") and row.get(field)
        ),
        Decimal(0),
    )


def spending_of_year(parsed: Parsed) -> Decimal | None:
    """本年支出合计, or for a table that prints only 总计 the sum of its function classes
    (the ``spending`` of :func:`balance`, without the rest of it)."""
    table, field = _summary(parsed)
    if table is None:
        return None
    spending = total_expenditure(parsed)
    return _function_sum(table["rows"], field) if spending is None else spending


def office_operating_costs(parsed: Parsed) -> Decimal | None:
    """机关运行经费: the statistics table's lines (公开10表), or a budget's 三公 table that
    prints it beside the 三公 (Shanghai); None where no line prints an amount."""
    table = find_table(parsed, "supplementary_statistics")
    if table is not None:
        amounts = [
            row["amount_10k_yuan"]
            for row in table["rows"]
            if row.get("section") == "office_operating_costs"
            and row.get("amount_10k_yuan") is not None
        ]
        return sum(amounts, Decimal(0)) if amounts else None
    table = find_table(parsed, "budget_three_public_and_office_costs")
    if table is not None:
        for row in table["rows"]:
            value: Decimal | None = row.get("office_operating_costs_10k_yuan")
            if value is not None:
                return value
    return None


def three_public_item(parsed: Parsed, key: str, phase: str = FINAL) -> Decimal | None:
    """One 三公 item (``official_receptions`` …, or ``total``) of a phase (``budget`` /
    ``final``), as printed (None if blank)."""
    table = wide_three_public_costs(parsed)
    if table is None:
        return None
    for row in table["rows"]:
        if row.get("phase") == phase:
            value: Decimal | None = row.get(f"{key}_10k_yuan")
            return value
    return None
