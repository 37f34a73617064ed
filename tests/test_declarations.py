"""The declarations (builder/declarations/) are the one source of field titles, units and
enum labels, and every stage reads them through ``builder.declarations``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from builder import declarations
from builder.publish.annexes import annex_rows
from tests.conftest import CASES

D = Decimal


def test_enum_labels_are_declared_for_exactly_the_enum_values() -> None:
    checked = 0
    for name in declarations.names():
        for field in declarations.declared(name)["fields"]:
            if "x-labels" in field:
                enum = field["constraints"]["enum"]
                assert list(declarations.labels(name, field["name"])) == enum, name
                checked += 1
    assert checked >= 5
    # a label is declared once: a field of a labelled name declares no labels of its own
    # (the budget's 三公 and 机关运行经费 table has phase budget, labelled by 三公's phase)
    # and each of its values has the label declared there
    labelled = declarations.value_labels()
    for name in declarations.table_kinds():
        for field in declarations.declared(name)["fields"]:
            enum = (field.get("constraints") or {}).get("enum")
            if field["name"] in labelled and enum:
                assert set(enum) <= set(labelled[field["name"]]), (name, field["name"])
    assert "x-labels" not in declarations.field_of("budget_three_public_and_office_costs", "phase")


def test_labels_of_the_phase_status_and_kind() -> None:
    assert declarations.labels("three_public_costs", "phase") == {
        "budget": "预算数",
        "final": "决算数",
    }
    assert declarations.labels("tables", "status")["empty"] == "本表无数据"
    assert declarations.labels("disclosures", "kind") == {"budget": "预算", "final": "决算"}
    assert declarations.value_labels()["expense_group"] == {
        "personnel": "人员经费",
        "public": "公用经费",
    }
    with pytest.raises(declarations.DeclarationError, match="no x-labels"):
        declarations.labels("units", "unit_name")


def test_amounts_are_recognised_by_their_declared_unit() -> None:
    fields = {f["name"]: f for f in declarations.declared("supplementary_statistics")["fields"]}
    assert declarations.is_amount(fields["amount_10k_yuan"])
    assert not declarations.is_amount(fields["count"])
    target = {f["name"]: f for f in declarations.declared("performance_target_funding")["fields"]}
    assert declarations.is_amount(target["annual_yuan"])  # 元, not 万元: still money


def test_the_page_titles_annex_columns_as_declared() -> None:
    """The self-evaluation funding columns on a page carry their declared titles (资金结转/结余,
    执行率 with its declared unit %), not titles of the page's own. The funding table is a
    part of the page, loaded when its block is opened (``builder.pages.parts``)."""
    expected = CASES / "000_127416229ccdc025" / "expected" / "pages"
    page = (expected / "parts" / "evaluation-1-funding.html").read_text(encoding="utf-8")
    titles = declarations.titles("performance_evaluation_funding")
    assert titles["balance"] == "资金结转/结余"
    assert f"<th>{titles['balance']}（万元）</th>" in page
    assert f"<th>{titles['execution_rate']}（%）</th>" in page
    assert "<th>结余（万元）</th>" not in page


def test_money_annex_columns_are_published_in_their_declared_unit() -> None:
    """A self-evaluation printed in 元 is published in 万元 (its declared unit), exactly; a
    target declaration printed in 万元 in 元; the rate and score are not amounts."""
    evaluation = {
        "money_unit": "元",
        "funding": [
            {"source": "年度资金总额", "full_year_budget": D("123456.78"), "executed": D("0.5")}
            | {"execution_rate": D("99.1"), "score": D("10")}
        ],
    }
    target = {"money_unit": "万元", "funding": [{"source": "财政拨款", "annual_yuan": D("1.2345")}]}
    rows = annex_rows({"performance_evaluations": [evaluation], "performance_targets": [target]})
    (funding,) = rows["performance_evaluation_funding"]
    assert funding["full_year_budget"] == D("12.345678")
    assert funding["executed"] == D("0.00005")
    assert (funding["execution_rate"], funding["score"]) == (D("99.1"), D("10"))
    (line,) = rows["performance_target_funding"]
    assert line["annual_yuan"] == D("12345")
    units = declarations.units("performance_evaluation_funding")
    assert units["balance"] == "万元"
    assert units["execution_rate"] == "%"


def test_every_standard_amount_is_declared_in_the_published_money_unit() -> None:
    amounts = [
        (kind, field["name"], field["unit"])
        for kind in declarations.table_kinds()
        for field in declarations.declared(kind)["fields"]
        if declarations.is_amount(field)
    ]
    assert len(amounts) == 100
    assert {unit for _, _, unit in amounts} == {declarations.PUBLISHED_MONEY_UNIT} == {"万元"}
