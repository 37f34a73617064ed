"""The audit's checks on small inline tables.

Two tiny disclosures, one final accounts and one budget, are built so that every declared
identity holds: each check must pass on them (and must actually compare something). Then, for
every check, one changed cell (or a dropped table) must make exactly that check speak, on the
changed row. Further tests pin the arithmetic: tolerance, empty and not-applicable cells,
name folding, and the findings' shape.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pytest

from builder.parse.catalogue import load_catalogue
from builder.validate import Finding, audit, load_checks, run_checks
from builder.validate.checks import schema_checks
from builder.validate.findings import FAMILIES

Row = dict[str, Any]
Doc = dict[str, Any]
Cells = tuple[str | None, ...]

FINAL_ID = "final-example"
BUDGET_ID = "budget-example"
NA = "——"  # a cell printed as not applicable


class Tables:
    """Builds canonical-parse tables with unique source lines, amounts as Decimal."""

    def __init__(self) -> None:
        self.line = 0
        self.tables: list[dict[str, Any]] = []

    def add(self, kind: str, rows: list[Row], status: str = "parsed") -> None:
        numbered = [{"row_number": n, **row} for n, row in enumerate(rows, start=1)]
        number = load_catalogue().kinds[kind].number
        start = numbered[0]["source_line"] - 1 if numbered else self.next_line()
        self.tables.append(
            {
                "kind": kind,
                "number": number,
                "status": status,
                "start_line": start,
                "rows": numbered,
            }
        )

    def next_line(self) -> int:
        self.line += 1
        return self.line

    def row(self, values: dict[str, Any]) -> Row:
        return {"source_line": self.next_line(), **values}

    def classified(self, kind: str, *rows: tuple[str | None, ...]) -> None:
        """Rows of (code or 合计, name, amounts in the schema's column order)."""
        columns = load_catalogue().kinds[kind].columns
        self.next_line()  # the title line
        built = []
        for code, name, *amounts in rows:
            values: dict[str, Any] = amounts_by_column(columns[2:], amounts)
            if code == "合计":
                values |= {columns[0]: None, columns[1]: "合计", "level": "合计"}
            else:
                assert code is not None
                level = {3: "类", 5: "款", 7: "项"}[len(code)]
                parent = code[:-2] if len(code) > 3 else None
                values |= {columns[0]: code, columns[1]: name, "level": level}
                values["parent_code"] = parent
            built.append(self.row(values))
        self.add(kind, built)

    def two_sided(self, kind: str, *rows: tuple[str | None, ...]) -> None:
        """Rows of (side, item_key, amounts in that side's column order)."""
        sides = load_catalogue().kinds[kind].columns
        self.next_line()
        built = []
        for side, key, *amounts in rows:
            assert side is not None
            assert key is not None
            columns = [c for c in sides[side] if c.endswith("_10k_yuan")]
            values = amounts_by_column(columns, amounts)
            code = key.removeprefix("function:") if key.startswith("function:") else None
            values |= {"side": side, "item_key": key, "item_name": key, "function_code": code}
            built.append(self.row(values))
        self.add(kind, built)

    def document(self, family: str) -> Doc:
        return {
            "document": {"unit_name": "示例单位", "year": 2024, "kind": family},
            "tables": self.tables,
        }


def amounts_by_column(columns: Iterable[str], amounts: Iterable[str | None]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, amount in zip(columns, amounts, strict=False):
        values[column] = None if amount is None else Decimal(amount)
    return values


def economic(tables: Tables, *rows: tuple[str, str, str, str | None]) -> None:
    """Table 06 rows of (code or 合计 label, name, personnel/public, amount or NA)."""
    built = []
    tables.next_line()
    for code, name, group, amount in rows:
        values: dict[str, Any] = {"expense_group": group, "not_applicable": amount == NA}
        values["amount_10k_yuan"] = None if amount in (None, NA) else Decimal(amount)
        if code.isdigit():
            values |= {"economic_code": code, "economic_name": name}
            values |= {"level": "类" if len(code) == 3 else "款", "parent_code": code[:3]}
            if len(code) == 3:
                values["parent_code"] = None
        else:
            values |= {"economic_code": None, "economic_name": code, "level": "合计"}
        built.append(tables.row(values))
    tables.add("basic_expenditure_by_economic", built)


def keyed(tables: Tables, kind: str, name: str, *rows: tuple[str, str, Cells]) -> None:
    """Named rows: (key, name, amounts in column order after the name column)."""
    columns = load_catalogue().kinds[kind].columns
    tables.next_line()
    built = []
    for key, label, amounts in rows:
        values = amounts_by_column(columns[1:], amounts)
        values |= {name: label, "item_key": key}
        built.append(tables.row(values))
    tables.add(kind, built)


def final_document() -> Doc:
    """Final accounts in which every identity holds (amounts in 万元)."""
    t = Tables()
    t.two_sided(
        "income_expenditure_summary",
        ("income", "general_public_budget", "100.00"),
        ("income", "operating_income", "20.00"),
        ("income", "other_income", None),
        ("income", "total_income", "120.00"),
        ("income", "use_of_non_appropriation_balance", None),
        ("income", "opening_balance", "10.00"),
        ("income", "grand_total", "130.00"),
        ("expenditure", "function:201", "90.00"),
        ("expenditure", "function:208", "25.00"),
        ("expenditure", "function:210", None),
        ("expenditure", "total_expenditure", "115.00"),
        ("expenditure", "surplus_distribution", None),
        ("expenditure", "closing_balance", "15.00"),
        ("expenditure", "grand_total", "130.00"),
    )
    # 02: total, fiscal, superior, business, operating, affiliated, other
    t.classified(
        "income_by_function",
        ("合计", "合计", "120.00", "100.00", None, None, "20.00", None, None),
        ("201", "一般公共服务支出", "95.00", "75.00", None, None, "20.00", None, None),
        ("20113", "商贸事务", "95.00", "75.00", None, None, "20.00", None, None),
        ("2011308", "招商引资", "95.00", "75.00", None, None, "20.00", None, None),
        ("208", "社会保障和就业支出", "25.00", "25.00"),
        ("20805", "行政事业单位养老支出", "25.00", "25.00"),
        ("2080505", "机关事业单位基本养老保险缴费支出", "25.00", "25.00"),
    )
    # 03: total, basic, project, remittance, operating, subsidy
    t.classified(
        "expenditure_by_function",
        ("合计", "合计", "115.00", "40.00", "55.00", None, "20.00", None),
        ("201", "一般公共服务支出", "90.00", "15.00", "55.00", None, "20.00", None),
        ("20113", "商贸事务", "90.00", "15.00", "55.00", None, "20.00", None),
        ("2011308", "招商引资", "90.00", "15.00", "55.00", None, "20.00", None),
        ("208", "社会保障和就业支出", "25.00", "25.00"),
        ("20805", "行政事业单位养老支出", "25.00", "25.00"),
        ("2080505", "机关事业单位基本养老保险缴费支出", "25.00", "25.00"),
    )
    # 04: income total; expenditure total, general, fund, state capital
    t.two_sided(
        "fiscal_appropriation_summary",
        ("income", "general_public_budget", "100.00"),
        ("income", "government_fund_budget", None),
        ("income", "state_capital_budget", None),
        ("income", "total_income", "100.00"),
        ("income", "opening_balance", "5.00"),
        ("income", "opening_balance.general_public_budget", "5.00"),
        ("income", "grand_total", "105.00"),
        ("expenditure", "function:201", "70.00", "70.00"),
        ("expenditure", "function:208", "25.00", "25.00"),
        ("expenditure", "total_expenditure", "95.00", "95.00"),
        ("expenditure", "closing_balance", "10.00", "10.00"),
        ("expenditure", "grand_total", "105.00", "105.00"),
    )
    # 05: total, basic, project
    t.classified(
        "general_budget_expenditure",
        ("合计", "合计", "95.00", "40.00", "55.00"),
        ("201", "一般公共服务支出", "70.00", "15.00", "55.00"),
        ("20113", "商贸事务", "70.00", "15.00", "55.00"),
        ("2011308", "招商引资", "70.00", "15.00", "55.00"),
        ("208", "社会保障和就业支出", "25.00", "25.00"),
        ("20805", "行政事业单位养老支出", "25.00", "25.00"),
        ("2080505", "机关事业单位基本养老保险缴费支出", "25.00", "25.00"),
    )
    economic(
        t,
        ("301", "工资福利支出", "personnel", "20.00"),
        ("30101", "基本工资", "personnel", "20.00"),
        ("302", "商品和服务支出", "public", "20.00"),
        ("30201", "办公费", "public", "12.00"),
        ("30207", "邮电费", "public", "8.00"),
        ("309", "资本性支出（基本建设）", "public", NA),
        ("30901", "房屋建筑物购建", "public", NA),
        ("人员经费合计", "", "personnel", "20.00"),
        ("公用经费合计", "", "public", "20.00"),
    )
    # 07: opening, income, expenditure subtotal, basic, project, closing
    t.classified(
        "government_fund_expenditure",
        ("合计", "合计", None, "5.00", "5.00", None, "5.00", None),
        ("212", "城乡社区支出", None, "5.00", "5.00", None, "5.00", None),
        ("21208", "国有土地使用权出让收入安排的支出", None, "5.00", "5.00", None, "5.00", None),
        ("2120801", "征地和拆迁补偿支出", None, "5.00", "5.00", None, "5.00", None),
    )
    t.classified(
        "state_capital_expenditure",
        ("合计", "合计", "3.00", None, "3.00"),
        ("223", "国有资本经营预算支出", "3.00", None, "3.00"),
        ("22301", "解决历史遗留问题及改革成本支出", "3.00", None, "3.00"),
        ("2230199", "其他解决历史遗留问题及改革成本支出", "3.00", None, "3.00"),
    )
    three = load_catalogue().kinds["three_public_costs"].columns
    line = t.next_line()
    t.add(
        "three_public_costs",
        [
            {"source_line": line, "phase": "budget"}
            | amounts_by_column(three["budget"], ("10.00", "4.00", "5.00", None, "5.00", "1.00")),
            {"source_line": line, "phase": "final"}
            | amounts_by_column(three["final"], ("9.00", "3.00", "5.00", None, "5.00", "1.00")),
        ],
    )
    statistics = [
        ("procurement_total", "30.00", None),
        ("procurement_goods", "10.00", None),
        ("procurement_works", None, None),
        ("procurement_services", "20.00", None),
        ("office_costs_administrative_units", "20.00", None),
        ("office_costs_civil_service_institutions", None, None),
        ("vehicles_total_count", None, 2),
        ("vehicles_principal", None, 1),
        ("vehicles_emergency", None, None),
        ("vehicles_other", None, 1),
    ]
    t.add(
        "supplementary_statistics",
        [
            t.row(
                {
                    "item_key": key,
                    "item_name": key,
                    "amount_10k_yuan": None if amount is None else Decimal(amount),
                    "count": count,
                }
            )
            for key, amount, count in statistics
        ],
    )
    return t.document("final")


def budget_document() -> Doc:
    """A budget in which every identity holds."""
    t = Tables()
    # income total; expenditure total, current year, carried over
    t.two_sided(
        "budget_summary",
        ("income", "general_public_budget", "100.00"),
        ("income", "government_fund_budget", None),
        ("income", "unit_funds", "10.00"),
        ("income", "total_income", "110.00"),
        ("income", "carried_over", "20.00"),
        ("income", "grand_total", "130.00"),
        ("expenditure", "function:201", "105.00", "85.00", "20.00"),
        ("expenditure", "function:208", "25.00", "25.00", None),
        ("expenditure", "total_expenditure", "130.00", "110.00", "20.00"),
        ("expenditure", "closing_balance", None, None, None),
        ("expenditure", "grand_total", "130.00", "110.00", "20.00"),
    )
    # total income, general, fund, state capital, special account, unit funds, carried over
    t.classified(
        "budget_income_by_function",
        ("合计", "合计", "110.00", "100.00", None, None, None, "10.00", "20.00"),
        ("201", "一般公共服务支出", "85.00", "75.00", None, None, None, "10.00", "20.00"),
        ("20113", "商贸事务", "85.00", "75.00", None, None, None, "10.00", "20.00"),
        ("2011308", "招商引资", "85.00", "75.00", None, None, None, "10.00", "20.00"),
        ("208", "社会保障和就业支出", "25.00", "25.00"),
        ("20805", "行政事业单位养老支出", "25.00", "25.00"),
        ("2080505", "机关事业单位基本养老保险缴费支出", "25.00", "25.00"),
    )
    t.classified(
        "budget_expenditure_by_function",
        ("合计", "合计", "130.00", "40.00", "90.00"),
        ("201", "一般公共服务支出", "105.00", "15.00", "90.00"),
        ("20113", "商贸事务", "105.00", "15.00", "90.00"),
        ("2011308", "招商引资", "105.00", "15.00", "90.00"),
        ("208", "社会保障和就业支出", "25.00", "25.00"),
        ("20805", "行政事业单位养老支出", "25.00", "25.00"),
        ("2080505", "机关事业单位基本养老保险缴费支出", "25.00", "25.00"),
    )
    t.two_sided(
        "budget_fiscal_appropriation_summary",
        ("income", "general_public_budget", "100.00"),
        ("income", "total_income", "100.00"),
        ("income", "carried_over", "20.00"),
        ("income", "carried_over.general_public_budget", "20.00"),
        ("income", "grand_total", "120.00"),
        ("expenditure", "function:201", "95.00", "95.00"),
        ("expenditure", "function:208", "25.00", "25.00"),
        ("expenditure", "total_expenditure", "120.00", "120.00"),
        ("expenditure", "closing_balance", None, None),
        ("expenditure", "grand_total", "120.00", "120.00"),
    )
    t.classified(
        "budget_general_expenditure",
        ("合计", "合计", "100.00", "40.00", "60.00"),
        ("201", "一般公共服务支出", "75.00", "15.00", "60.00"),
        ("20113", "商贸事务", "75.00", "15.00", "60.00"),
        ("2011308", "招商引资", "75.00", "15.00", "60.00"),
        ("208", "社会保障和就业支出", "25.00", "25.00"),
        ("20805", "行政事业单位养老支出", "25.00", "25.00"),
        ("2080505", "机关事业单位基本养老保险缴费支出", "25.00", "25.00"),
    )
    # department name, government name, total, personnel, public; no codes, 类 by order
    t.next_line()
    t.add(
        "budget_basic_expenditure_by_economic",
        [
            t.row(
                {"department_economic_name": name, "government_economic_name": government}
                | {"level": level}
                | amounts_by_column(
                    ("total_10k_yuan", "personnel_10k_yuan", "public_10k_yuan"), amounts
                )
            )
            for name, government, level, amounts in (
                ("合计", None, "合计", ("40.00", "20.00", "20.00")),
                ("工资福利支出", None, "类", ("20.00", "20.00", None)),
                ("基本工资", "工资福利支出", "款", ("20.00", "20.00", None)),
                ("商品和服务支出", None, "类", ("20.00", None, "20.00")),
                ("办公费", "商品和服务支出", "款", ("12.00", None, "12.00")),
                ("邮电费", "商品和服务支出", "款", ("8.00", None, "8.00")),
            )
        ],
    )
    t.classified(
        "budget_government_fund_income",
        ("合计", "合计", "5.00"),
        ("103", "非税收入", "5.00"),
        ("10301", "政府性基金收入", "5.00"),
        ("1030148", "国有土地使用权出让收入", "5.00"),
    )
    t.classified(
        "budget_government_fund_expenditure",
        ("合计", "合计", "5.00", None, "5.00"),
        ("212", "城乡社区支出", "5.00", None, "5.00"),
        ("21208", "国有土地使用权出让收入安排的支出", "5.00", None, "5.00"),
        ("2120801", "征地和拆迁补偿支出", "5.00", None, "5.00"),
    )
    t.add(
        "budget_state_capital",
        [t.row({"side": "expenditure", "total_expenditure_10k_yuan": Decimal("1.00")})],
    )
    keyed(
        t,
        "budget_three_public_costs",
        "item_name",
        ("overseas_trips", "因公出国（境）费", ("4.00", "4.00")),
        ("official_receptions", "公务接待费", ("1.00", "1.00")),
        ("vehicles_total", "公务用车购置及运行费", ("5.00", "5.00")),
        ("vehicle_purchase", "公务用车购置费", (None, None)),
        ("vehicle_operation", "公务用车运行维护费", ("5.00", "5.00")),
        ("total", "合计", ("10.00", "10.00")),
    )
    keyed(t, "budget_office_operating_costs", "unit_name", ("", "部门合计", ("20.00", "20.00")))
    # a publisher's own tables (Shanghai): state capital by function; 三公 with 机关运行经费
    t.classified(
        "budget_state_capital_expenditure",
        ("合计", "合计", "2.00", None, "2.00"),
        ("223", "国有资本经营预算支出", "2.00", None, "2.00"),
    )
    t.add(
        "budget_three_public_and_office_costs",
        [
            t.row(
                {"phase": "budget"}
                | amounts_by_column(
                    (
                        "total_10k_yuan",
                        "overseas_trips_10k_yuan",
                        "vehicles_total_10k_yuan",
                        "vehicle_purchase_10k_yuan",
                        "vehicle_operation_10k_yuan",
                        "official_receptions_10k_yuan",
                        "office_operating_costs_10k_yuan",
                    ),
                    ("10.00", "4.00", "5.00", None, "5.00", "1.00", "20.00"),
                )
            )
        ],
    )
    keyed(t, "budget_project_expenditure", "project_name", ("", "项目甲", ("60.00", "60.00")))
    keyed(
        t,
        "budget_project_expenditure_carried_over",
        "project_name",
        ("", "项目乙", ("20.00", "20.00")),
    )
    return t.document("budget")


def documents() -> dict[str, Doc]:
    return {"final": final_document(), "budget": budget_document()}


def findings_of(doc: Doc, check_id: str) -> list[Finding]:
    family = doc["document"]["kind"]
    disclosure = FINAL_ID if family == "final" else BUDGET_ID
    return [f for f in audit(doc, disclosure) if f.check_id == check_id]


def table_of(doc: Doc, kind: str) -> dict[str, Any]:
    return next(t for t in doc["tables"] if t["kind"] == kind)


def find(doc: Doc, kind: str, **where: Any) -> Row:
    rows = [r for r in table_of(doc, kind)["rows"] if all(r.get(k) == v for k, v in where.items())]
    assert len(rows) == 1, (kind, where, rows)
    row: Row = rows[0]
    return row


# --------------------------------------------------------------------------- passing


@pytest.mark.parametrize("family", ["final", "budget"])
def test_balanced_documents_have_no_findings(family: str) -> None:
    doc = documents()[family]
    assert audit(doc, "example") == []


def test_every_table_check_compares_something_on_the_balanced_documents() -> None:
    # The checks of the text (narrative, form, years) are exercised with a narrative in
    # tests/test_audit_text.py; these documents have tables only.
    evaluated: dict[str, int] = {}
    for doc in documents().values():
        for result in run_checks(doc, "example"):
            if not result.check.applies_to:
                continue
            evaluated[result.check.id] = evaluated.get(result.check.id, 0) + result.evaluated
    idle = sorted(check_id for check_id, count in evaluated.items() if count == 0)
    assert idle == []


# --------------------------------------------------------------------------- failing, per check

Mutation = Callable[[Doc], int | None]  # changes the document; returns the changed row's line


def set_cell(kind: str, field: str, value: str | int | None, **where: Any) -> Mutation:
    def mutate(doc: Doc) -> int:
        row = find(doc, kind, **where)
        row[field] = Decimal(value) if isinstance(value, str) else value
        line: int = row["source_line"]
        return line

    return mutate


def drop_table(kind: str) -> Mutation:
    def mutate(doc: Doc) -> None:
        doc["tables"] = [t for t in doc["tables"] if t["kind"] != kind]

    return mutate


def mark_table(kind: str, status: str) -> Mutation:
    def mutate(doc: Doc) -> int:
        table = table_of(doc, kind)
        table["status"], table["rows"] = status, []
        line: int = table["start_line"]
        if status == "missing":  # as the parse says where the table was expected
            table["expected_after_line"] = line
        return line

    return mutate


def note_empty(kind: str) -> Mutation:
    def mutate(doc: Doc) -> int:
        table = table_of(doc, kind)
        table["says_empty"] = True
        line: int = table["rows"][0]["source_line"]
        return line

    return mutate


def rename(kind: str, code_field: str, code: str, name_field: str, name: str) -> Mutation:
    def mutate(doc: Doc) -> int:
        row = find(doc, kind, **{code_field: code})
        row[name_field] = name
        line: int = row["source_line"]
        return line

    return mutate


def add_orphan(kind: str, code: str, name: str, amount: str) -> Mutation:
    """A 项 row whose 类 and 款 are not printed: its amount adds up to no total."""

    def mutate(doc: Doc) -> int:
        line = 1 + max(row["source_line"] for t in doc["tables"] for row in t["rows"])
        rows = table_of(doc, kind)["rows"]
        columns = load_catalogue().kinds[kind].columns
        rows.append(
            {
                "row_number": len(rows) + 1,
                "source_line": line,
                columns[0]: code,
                columns[1]: name,
                "level": "项",
                "parent_code": code[:-2],
                columns[2]: Decimal(amount),
            }
        )
        return line

    return mutate


EXP, INC = "expenditure", "income"
FAILING: dict[str, tuple[str, Mutation]] = {
    # the parse lists a table it expected but did not find with status "missing"
    "completeness/missing-table": ("final", mark_table("state_capital_expenditure", "missing")),
    "completeness/empty-note-with-amounts": ("final", note_empty("three_public_costs")),
    "completeness/empty-table": ("final", mark_table("government_fund_expenditure", "empty")),
    "hierarchy-sum": (
        "final",
        set_cell(
            "general_budget_expenditure", "project_expenditure_10k_yuan", "50.00", level="合计"
        ),
    ),
    "hierarchy-orphan": (
        "final",
        add_orphan("general_budget_expenditure", "2130101", "行政运行", "7.00"),
    ),
    "row-sum/02-total": (
        "final",
        set_cell("income_by_function", "other_income_10k_yuan", "1.00", function_code="2011308"),
    ),
    "row-sum/03-total": (
        "final",
        set_cell(
            "expenditure_by_function",
            "subsidy_to_affiliates_10k_yuan",
            "1.00",
            function_code="2011308",
        ),
    ),
    "row-sum/04-expenditure": (
        "final",
        set_cell(
            "fiscal_appropriation_summary",
            "government_fund_budget_10k_yuan",
            "1.00",
            side=EXP,
            item_key="closing_balance",
        ),
    ),
    "row-sum/05-total": (
        "final",
        set_cell(
            "general_budget_expenditure",
            "basic_expenditure_10k_yuan",
            "16.00",
            function_code="2011308",
        ),
    ),
    "row-sum/07-expenditure": (
        "final",
        set_cell(
            "government_fund_expenditure",
            "basic_expenditure_10k_yuan",
            "1.00",
            function_code="2120801",
        ),
    ),
    "row-sum/08-total": (
        "final",
        set_cell(
            "state_capital_expenditure",
            "basic_expenditure_10k_yuan",
            "1.00",
            function_code="2230199",
        ),
    ),
    "balance/01-income-total": (
        "final",
        set_cell("income_expenditure_summary", "amount_10k_yuan", "0.50", item_key="other_income"),
    ),
    "balance/01-expenditure-total": (
        "final",
        set_cell("income_expenditure_summary", "amount_10k_yuan", "1.00", item_key="function:210"),
    ),
    "balance/01-grand-totals": (
        "final",
        set_cell(
            "income_expenditure_summary",
            "amount_10k_yuan",
            "14.00",
            side=EXP,
            item_key="closing_balance",
        ),
    ),
    "balance/04-income-total": (
        "final",
        set_cell(
            "fiscal_appropriation_summary",
            "total_10k_yuan",
            "2.00",
            side=INC,
            item_key="government_fund_budget",
        ),
    ),
    "balance/04-opening-balance": (
        "final",
        set_cell(
            "fiscal_appropriation_summary",
            "total_10k_yuan",
            "4.00",
            side=INC,
            item_key="opening_balance.general_public_budget",
        ),
    ),
    "balance/04-expenditure-total": (
        "final",
        set_cell(
            "fiscal_appropriation_summary",
            "general_public_budget_10k_yuan",
            "69.00",
            item_key="function:201",
        ),
    ),
    "balance/04-grand-totals": (
        "final",
        set_cell(
            "fiscal_appropriation_summary",
            "total_10k_yuan",
            "104.00",
            side=INC,
            item_key="grand_total",
        ),
    ),
    "cross-table/01-02-income-total": (
        "final",
        set_cell(
            "income_expenditure_summary", "amount_10k_yuan", "121.00", item_key="total_income"
        ),
    ),
    "cross-table/01-03-expenditure-total": (
        "final",
        set_cell("expenditure_by_function", "total_expenditure_10k_yuan", "116.00", level="合计"),
    ),
    "cross-table/01-03-class-lines": (
        "final",
        set_cell(
            "expenditure_by_function", "total_expenditure_10k_yuan", "26.00", function_code="208"
        ),
    ),
    "cross-table/05-04-general-budget": (
        "final",
        set_cell(
            "fiscal_appropriation_summary",
            "general_public_budget_10k_yuan",
            "96.00",
            side=EXP,
            item_key="total_expenditure",
        ),
    ),
    "cross-table/05-06-basic-expenditure": (
        "final",
        set_cell(
            "basic_expenditure_by_economic",
            "amount_10k_yuan",
            "21.00",
            economic_name="人员经费合计",
        ),
    ),
    "cross-table/10-06-office-costs": (
        "final",
        set_cell(
            "supplementary_statistics",
            "amount_10k_yuan",
            "21.00",
            item_key="office_costs_administrative_units",
        ),
    ),
    "three-public/subtotals": (
        "final",
        set_cell("three_public_costs", "vehicle_purchase_10k_yuan", "1.00", phase="final"),
    ),
    "three-public/budget-subtotals": (
        "budget",
        set_cell(
            "budget_three_public_and_office_costs",
            "vehicle_purchase_10k_yuan",
            "1.00",
            phase="budget",
        ),
    ),
    "row-sum/budget-14-total": (
        "budget",
        set_cell(
            "budget_state_capital_expenditure",
            "basic_expenditure_10k_yuan",
            "1.00",
            function_code="223",
        ),
    ),
    "subtotal/10-procurement": (
        "final",
        set_cell(
            "supplementary_statistics", "amount_10k_yuan", "1.00", item_key="procurement_works"
        ),
    ),
    "subtotal/10-vehicles": (
        "final",
        set_cell("supplementary_statistics", "count", 1, item_key="vehicles_emergency"),
    ),
    "names/code-name-consistency": (
        "final",
        rename("general_budget_expenditure", "function_code", "20113", "function_name", "商业事务"),
    ),
    "row-sum/budget-1-expenditure": (
        "budget",
        set_cell("budget_summary", "carried_over_10k_yuan", "1.00", item_key="function:208"),
    ),
    "row-sum/budget-2-total": (
        "budget",
        set_cell(
            "budget_income_by_function",
            "special_account_funds_10k_yuan",
            "1.00",
            function_code="2080505",
        ),
    ),
    "row-sum/budget-3-total": (
        "budget",
        set_cell(
            "budget_expenditure_by_function",
            "project_expenditure_10k_yuan",
            "1.00",
            function_code="2080505",
        ),
    ),
    "row-sum/budget-4-expenditure": (
        "budget",
        set_cell(
            "budget_fiscal_appropriation_summary",
            "state_capital_budget_10k_yuan",
            "1.00",
            item_key="function:208",
        ),
    ),
    "row-sum/budget-5-total": (
        "budget",
        set_cell(
            "budget_general_expenditure",
            "project_expenditure_10k_yuan",
            "1.00",
            function_code="2080505",
        ),
    ),
    "row-sum/budget-6-total": (
        "budget",
        set_cell(
            "budget_basic_expenditure_by_economic",
            "personnel_10k_yuan",
            "1.00",
            department_economic_name="邮电费",
        ),
    ),
    "row-sum/budget-8-total": (
        "budget",
        set_cell(
            "budget_government_fund_expenditure",
            "basic_expenditure_10k_yuan",
            "1.00",
            function_code="2120801",
        ),
    ),
    "row-sum/budget-10-total": (
        "budget",
        set_cell(
            "budget_three_public_costs",
            "government_fund_budget_10k_yuan",
            "1.00",
            item_key="official_receptions",
        ),
    ),
    "row-sum/budget-11-total": (
        "budget",
        set_cell(
            "budget_office_operating_costs",
            "general_public_budget_10k_yuan",
            "19.00",
            unit_name="部门合计",
        ),
    ),
    "row-sum/budget-12-total": (
        "budget",
        set_cell(
            "budget_project_expenditure", "unit_funds_10k_yuan", "1.00", project_name="项目甲"
        ),
    ),
    "row-sum/budget-13-total": (
        "budget",
        set_cell(
            "budget_project_expenditure_carried_over",
            "total_10k_yuan",
            "21.00",
            project_name="项目乙",
        ),
    ),
    "balance/budget-1-income-total": (
        "budget",
        set_cell("budget_summary", "total_10k_yuan", "1.00", item_key="government_fund_budget"),
    ),
    "balance/budget-1-expenditure-total": (
        "budget",
        set_cell("budget_summary", "current_year_10k_yuan", "86.00", item_key="function:201"),
    ),
    "balance/budget-1-grand-totals": (
        "budget",
        set_cell("budget_summary", "total_10k_yuan", "19.00", item_key="carried_over"),
    ),
    "balance/budget-4-income-total": (
        "budget",
        set_cell(
            "budget_fiscal_appropriation_summary",
            "total_10k_yuan",
            "99.00",
            side=INC,
            item_key="general_public_budget",
        ),
    ),
    "balance/budget-4-carried-over": (
        "budget",
        set_cell(
            "budget_fiscal_appropriation_summary",
            "total_10k_yuan",
            "19.00",
            side=INC,
            item_key="carried_over.general_public_budget",
        ),
    ),
    "balance/budget-4-expenditure-total": (
        "budget",
        set_cell(
            "budget_fiscal_appropriation_summary",
            "total_10k_yuan",
            "96.00",
            item_key="function:201",
        ),
    ),
    "balance/budget-4-grand-totals": (
        "budget",
        set_cell(
            "budget_fiscal_appropriation_summary",
            "total_10k_yuan",
            "1.00",
            side=EXP,
            item_key="closing_balance",
        ),
    ),
    "cross-table/budget-2-1-income-total": (
        "budget",
        set_cell("budget_summary", "total_10k_yuan", "111.00", item_key="total_income"),
    ),
    "cross-table/budget-3-1-expenditure-total": (
        "budget",
        set_cell(
            "budget_expenditure_by_function", "total_expenditure_10k_yuan", "131.00", level="合计"
        ),
    ),
    "cross-table/budget-3-1-class-lines": (
        "budget",
        set_cell("budget_summary", "total_10k_yuan", "24.00", item_key="function:208"),
    ),
    "cross-table/budget-5-6-basic-expenditure": (
        "budget",
        set_cell("budget_basic_expenditure_by_economic", "total_10k_yuan", "41.00", level="合计"),
    ),
    "three-public/budget-10-subtotals": (
        "budget",
        set_cell(
            "budget_three_public_costs", "total_10k_yuan", "1.00", item_key="vehicle_purchase"
        ),
    ),
}


def test_every_table_check_has_a_failing_case() -> None:
    # the checks of the text have theirs in tests/test_audit_text.py
    assert sorted(FAILING) == sorted(check.id for check in load_checks() if check.applies_to)


@pytest.mark.parametrize("check_id", sorted(FAILING))
def test_check_reports_the_changed_place(check_id: str) -> None:
    family, mutate = FAILING[check_id]
    doc = documents()[family]
    assert findings_of(doc, check_id) == []
    line = mutate(doc)
    found = findings_of(doc, check_id)
    assert found, f"{check_id} did not report the change"
    assert all(
        f.severity == next(c for c in load_checks() if c.id == check_id).severity for f in found
    )
    if line is not None:
        assert any(line in f.rows for f in found), [f.rows for f in found]


# --------------------------------------------------------------------------- arithmetic


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_hierarchy_finding_states_expected_actual_difference_and_rows() -> None:
    doc = final_document()
    line = set_cell(
        "general_budget_expenditure", "total_expenditure_10k_yuan", "80.00", function_code="2011308"
    )(doc)
    found = [
        f for f in findings_of(doc, "hierarchy-sum") if f.field == "total_expenditure_10k_yuan"
    ]
    finding = only(found)
    parent = find(doc, "general_budget_expenditure", function_code="20113")
    assert finding.tables == ("general_budget_expenditure",)
    assert finding.rows == (parent["source_line"], line)
    assert (finding.actual, finding.expected, finding.difference) == (
        Decimal("70.00"),
        Decimal("80.00"),
        Decimal("-10.00"),
    )
    assert "20113 商贸事务" in finding.message_zh
    assert "其下各项之和" in finding.message_zh
    row = finding.to_row()
    assert row["difference"] == "-10.00"
    assert row["rows"] == [parent["source_line"], line]
    assert json.loads(json.dumps(row)) == row


@pytest.mark.parametrize(
    ("office", "found"),
    [("12.02", False), ("12.03", True), ("11.98", False), ("11.97", True)],
)
def test_rounding_tolerance_is_a_cent_per_printed_amount(office: str, found: bool) -> None:
    # 302 = 30201 + 30207: two printed amounts, so up to 0.02 is rounding.
    doc = final_document()
    set_cell("basic_expenditure_by_economic", "amount_10k_yuan", office, economic_code="30201")(doc)
    hits = [f for f in findings_of(doc, "hierarchy-sum") if "302" in f.message_en]
    assert bool(hits) is found


def test_empty_cells_are_no_amount_and_an_all_empty_sum_is_zero() -> None:
    doc = final_document()
    for code in ("30201", "30207"):
        set_cell("basic_expenditure_by_economic", "amount_10k_yuan", None, economic_code=code)(doc)
    finding = only([f for f in findings_of(doc, "hierarchy-sum") if "302 " in f.message_en])
    assert (finding.actual, finding.expected) == (Decimal("20.00"), Decimal("0.00"))
    set_cell("basic_expenditure_by_economic", "amount_10k_yuan", None, economic_code="302")(doc)
    assert not [f for f in findings_of(doc, "hierarchy-sum") if "302 " in f.message_en]


def test_not_applicable_cells_are_left_out() -> None:
    doc = final_document()
    row = find(doc, "basic_expenditure_by_economic", economic_code="30901")
    row["amount_10k_yuan"] = Decimal("99.00")  # stray value on a —— cell: still not applicable
    assert findings_of(doc, "hierarchy-sum") == []


def test_economic_group_totals_sum_their_own_group_only() -> None:
    doc = final_document()
    set_cell(
        "basic_expenditure_by_economic", "amount_10k_yuan", "40.00", economic_name="人员经费合计"
    )(doc)
    finding = only(findings_of(doc, "hierarchy-sum"))
    assert (finding.actual, finding.expected) == (Decimal("40.00"), Decimal("20.00"))


def test_budget_economic_classes_own_the_rows_that_follow_them() -> None:
    doc = budget_document()
    set_cell(
        "budget_basic_expenditure_by_economic",
        "public_10k_yuan",
        "9.00",
        department_economic_name="邮电费",
    )(doc)
    finding = only([f for f in findings_of(doc, "hierarchy-sum") if f.field == "public_10k_yuan"])
    assert "商品和服务支出" in finding.message_zh
    assert finding.difference == Decimal("-1.00")


def test_office_costs_are_not_compared_when_table_10_reports_none() -> None:
    doc = final_document()
    set_cell(
        "supplementary_statistics",
        "amount_10k_yuan",
        None,
        item_key="office_costs_administrative_units",
    )(doc)
    result = next(
        r for r in run_checks(doc, FINAL_ID) if r.check.id == "cross-table/10-06-office-costs"
    )
    assert (result.evaluated, result.findings) == (0, ())


def test_office_costs_add_both_kinds_of_unit() -> None:
    doc = final_document()
    set_cell(
        "supplementary_statistics",
        "amount_10k_yuan",
        "5.00",
        item_key="office_costs_civil_service_institutions",
    )(doc)
    finding = only(findings_of(doc, "cross-table/10-06-office-costs"))
    assert (finding.actual, finding.expected) == (Decimal("25.00"), Decimal("20.00"))
    assert finding.tables == ("supplementary_statistics", "basic_expenditure_by_economic")


def test_class_line_without_a_row_in_the_other_table_is_reported() -> None:
    doc = final_document()
    table = table_of(doc, "expenditure_by_function")
    table["rows"] = [
        r for r in table["rows"] if not str(r.get("function_code") or "").startswith("208")
    ]
    finding = only(findings_of(doc, "cross-table/01-03-class-lines"))
    assert (finding.actual, finding.expected) == (Decimal("25.00"), Decimal("0.00"))
    assert "无此行" in finding.message_zh


def test_cross_table_checks_wait_for_both_tables() -> None:
    doc = final_document()
    mark_table("income_by_function", "missing")(doc)
    set_cell("income_expenditure_summary", "amount_10k_yuan", "999.00", item_key="total_income")(
        doc
    )
    result = next(
        r for r in run_checks(doc, FINAL_ID) if r.check.id == "cross-table/01-02-income-total"
    )
    assert result.evaluated == 0
    assert findings_of(doc, "completeness/missing-table")[0].tables == ("income_by_function",)


def test_missing_table_message_says_whether_the_contents_announce_it() -> None:
    doc = final_document()
    table = table_of(doc, "state_capital_expenditure")
    table |= {"status": "missing", "rows": [], "announced": True}
    finding = only(findings_of(doc, "completeness/missing-table"))
    assert finding.rows == ()
    assert "目录中列有此表" in finding.message_zh
    assert finding.severity == "error"


def test_unreadable_table_counts_as_missing() -> None:
    doc = final_document()
    line = mark_table("three_public_costs", "unreadable")(doc)
    finding = only(findings_of(doc, "completeness/missing-table"))
    assert finding.rows == (line,)


def test_tables_of_the_other_family_are_not_required() -> None:
    doc = final_document()
    assert findings_of(doc, "completeness/missing-table") == []
    result = next(
        r for r in run_checks(doc, FINAL_ID) if r.check.id == "completeness/missing-table"
    )
    assert result.evaluated == 10


def test_a_table_printing_no_amount_is_empty_too() -> None:
    doc = final_document()
    for row in table_of(doc, "state_capital_expenditure")["rows"]:
        for name in ("total_expenditure_10k_yuan", "project_expenditure_10k_yuan"):
            row[name] = None
    finding = only(findings_of(doc, "completeness/empty-table"))
    assert finding.severity == "info"
    assert "未列任何金额" in finding.message_zh


def test_names_are_compared_after_folding_width_and_spaces() -> None:
    doc = final_document()
    rename(
        "general_budget_expenditure",
        "function_code",
        "20805",
        "function_name",
        "行政事业单位 养老支出",
    )(doc)
    assert findings_of(doc, "names/code-name-consistency") == []


def test_name_finding_lists_every_table_and_line() -> None:
    doc = final_document()
    rename("expenditure_by_function", "function_code", "20113", "function_name", "商业事务")(doc)
    finding = only(findings_of(doc, "names/code-name-consistency"))
    assert finding.tables == (
        "income_by_function",
        "expenditure_by_function",
        "general_budget_expenditure",
    )
    assert len(finding.rows) == 3
    assert "「商贸事务」" in finding.message_zh
    assert "「商业事务」" in finding.message_zh
    assert finding.expected is finding.actual is finding.difference is None


def test_findings_do_not_change_the_published_figures() -> None:
    doc = final_document()
    set_cell(
        "general_budget_expenditure", "total_expenditure_10k_yuan", "80.00", function_code="2011308"
    )(doc)
    before = copy.deepcopy(doc)
    assert audit(doc, FINAL_ID)
    assert doc == before


def test_findings_come_in_a_stable_order() -> None:
    doc = final_document()
    drop_table("state_capital_expenditure")(doc)
    set_cell(
        "general_budget_expenditure", "total_expenditure_10k_yuan", "80.00", function_code="2011308"
    )(doc)
    rename("expenditure_by_function", "function_code", "20113", "function_name", "商业事务")(doc)
    found = audit(doc, FINAL_ID)
    ids = [f.check_id for f in found]
    assert ids == sorted(ids)
    assert found == audit(copy.deepcopy(doc), FINAL_ID)


def test_floats_are_refused() -> None:
    doc = final_document()
    find(doc, "general_budget_expenditure", level="合计")["basic_expenditure_10k_yuan"] = 40.0
    with pytest.raises(TypeError, match="Decimal"):
        audit(doc, FINAL_ID)


# --------------------------------------------------------------------------- the declarations


def test_every_check_is_fully_described() -> None:
    for check in load_checks():
        for text in (check.title_zh, check.title_en, check.explanation_zh, check.explanation_en):
            assert text.strip(), check.id
        assert check.applies_to or check.documents, check.id
        assert check.family in FAMILIES, check.id
        if check.rule in ("hierarchy", "row_sum", "equation", "by_code"):
            assert check.tolerance is not None, check.id
        if check.tolerance is not None:
            assert check.tolerance >= 0, check.id
        metadata = check.metadata()
        assert json.loads(json.dumps(metadata, ensure_ascii=False)) == metadata


def referenced_tables(params: dict[str, Any]) -> set[str]:
    tables = {params["table"]} if "table" in params else set()
    selectors = [params.get("left"), params.get("right")]
    for equation in params.get("equations", []):
        selectors += [equation["total"], *equation["parts"]]
    return tables | {s["table"] for s in selectors if s and "table" in s}


def referenced_fields(params: dict[str, Any]) -> set[str]:
    names = set(params.get("fields", []))
    for spec in params.get("sums", []):
        names |= {spec["total"], *spec.get("parts", [])}
    selectors = [params.get("left"), params.get("right")]
    for equation in params.get("equations", []):
        names |= set(equation.get("fields", []))
        selectors += [equation["total"], *equation["parts"]]
    return names | {s["field"] for s in selectors if s and "field" in s}


def test_tables_a_check_reads_declare_the_check() -> None:
    for check in load_checks():
        assert referenced_tables(dict(check.params)) <= set(check.applies_to), check.id


def test_fields_a_check_reads_are_in_the_schemas() -> None:
    catalogue = load_catalogue()
    for check in load_checks():
        tables = referenced_tables(dict(check.params)) or set(check.applies_to)
        declared = {name for stem in tables for name in catalogue.kinds[stem].field_names}
        assert referenced_fields(dict(check.params)) <= declared, check.id


def test_every_schema_declares_its_checks() -> None:
    declared = schema_checks()
    assert set(declared) == set(load_catalogue().kinds)
    for kind, checks in declared.items():
        assert "completeness/missing-table" in checks, kind
        assert len(checks) == len(set(checks)), kind
