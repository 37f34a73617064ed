"""A second publisher, straight from its PDFs: Shanghai (普陀区), final accounts and budget.

Golden files under ``tests/cases/<id>/expected/``: the text extracted from the PDF, every
table as CSV, the whole parse and the audit. Literal facts below were read off the PDFs
(rendered with ``pdftoppm``) and the extracted text, never computed by the parser.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from builder.extract import extract_pdf
from builder.parse import document
from builder.parse.document import parse_source
from builder.parse.summary import to_json
from builder.sources.reading import read_source
from builder.validate import audit, audit_report
from tests.conftest import CASES
from tests.test_parse_seeds import rows_as_csv

PDFS = Path(__file__).resolve().parent / "pdfs" / "shanghai-putuo"
FINAL, BUDGET = "sh-putuo-czj-2024-final", "sh-putuo-wanli-2024-budget"
DOCUMENTS = [FINAL, BUDGET]


@cache
def extracted(stem: str) -> str:
    return extract_pdf(PDFS / f"{stem}.pdf").text


@cache
def text_file(stem: str) -> Path:
    """The extracted text, as the build stores it (``<id>.txt``)."""
    path = Path(tempfile.mkdtemp(prefix="shanghai-")) / f"{stem}.txt"
    path.write_text(extracted(stem), encoding="utf-8")
    return path


@cache
def parsed(stem: str) -> dict[str, Any]:
    return parse_source(read_source(text_file(stem)))


def table(stem: str, kind: str) -> dict[str, Any]:
    return next(t for t in parsed(stem)["tables"] if t["kind"] == kind)


def row(stem: str, kind: str, **where: Any) -> dict[str, Any]:
    [found] = [r for r in table(stem, kind)["rows"] if all(r[k] == v for k, v in where.items())]
    return found


@pytest.mark.parametrize("stem", DOCUMENTS)
def test_golden_extraction_tables_parse_and_audit(
    stem: str,
    golden: Callable[[Path, str], None],
    golden_folder: Callable[[Path, dict[str, str]], None],
) -> None:
    expected = CASES / stem / "expected"
    golden(expected / "extracted.txt", extracted(stem))
    result = parsed(stem)
    tables = {
        f"{record['kind']}.csv": rows_as_csv(record)
        for record in result["tables"]
        if record["status"] in ("parsed", "empty")
    }
    golden_folder(expected / "tables", tables)
    as_json = to_json(result)
    as_json["document"]["source_file"] = f"{stem}.txt"
    golden(expected / "parse.json", json.dumps(as_json, ensure_ascii=False, indent=1) + "\n")
    report = audit_report(result, stem)
    golden(expected / "audit.json", json.dumps(report, ensure_ascii=False, indent=1) + "\n")


@pytest.mark.parametrize(
    ("stem", "facts"),
    [
        (FINAL, ("上海市普陀区财政局", 2024, "final", "部门", "shanghai")),
        (BUDGET, ("上海市普陀区人民政府万里街道办事处", 2024, "budget", "部门", "shanghai")),
    ],
)
def test_cover_facts(stem: str, facts: tuple[str, int, str, str, str]) -> None:
    doc = parsed(stem)["document"]
    assert (doc["unit_name"], doc["year"], doc["kind"], doc["scope"], doc["layout"]["family"]) == (
        facts
    )


# The tables of each table of contents (page 2), in their printed order, and the kinds.
CONTENTS = {
    FINAL: [
        ("收入支出决算总表", "income_expenditure_summary", "parsed"),
        ("收入决算表", "income_by_function", "parsed"),
        ("支出决算表", "expenditure_by_function", "parsed"),
        ("财政拨款收入支出决算总表", "fiscal_appropriation_summary", "parsed"),
        ("一般公共预算财政拨款支出决算表", "general_budget_expenditure", "parsed"),
        ("一般公共预算财政拨款基本支出决算表", "basic_expenditure_by_economic", "parsed"),
        ("财政拨款“三公”经费支出决算表", "three_public_costs", "parsed"),
        ("政府性基金预算财政拨款收入支出决算表", "government_fund_expenditure", "empty"),
        ("国有资本经营预算财政拨款收入支出决算表", "state_capital_expenditure", "empty"),
    ],
    BUDGET: [
        ("2024年部门财务收支预算总表", "budget_summary", "parsed"),
        ("2024年部门收入预算总表", "budget_income_by_function", "parsed"),
        ("2024年部门支出预算总表", "budget_expenditure_by_function", "parsed"),
        ("2024年部门财政拨款收支预算总表", "budget_fiscal_appropriation_summary", "parsed"),
        ("2024年部门一般公共预算支出功能分类预算表", "budget_general_expenditure", "parsed"),
        (
            "2024年部门政府性基金预算支出功能分类预算表",
            "budget_government_fund_expenditure",
            "empty",
        ),
        (
            "2024年部门国有资本经营预算支出功能分类预算表",
            "budget_state_capital_expenditure",
            "empty",
        ),
        (
            "2024年部门一般公共预算基本支出部门预算经济分类预算表",
            "budget_basic_expenditure_by_economic",
            "parsed",
        ),
        ("部门“三公”经费和机关运行经费预算表", "budget_three_public_and_office_costs", "parsed"),
    ],
}


@pytest.mark.parametrize("stem", DOCUMENTS)
def test_every_table_of_the_contents_is_found(stem: str) -> None:
    tables = parsed(stem)["tables"]
    by_start = sorted((t for t in tables if "start_line" in t), key=lambda t: t["start_line"])
    found = [(t["printed_title"], t["kind"], t["status"]) for t in by_start]
    assert found == CONTENTS[stem]
    assert [t for t in tables if t["status"] in ("missing", "unreadable")] == []
    assert parsed(stem)["other_tables"] == []


@pytest.mark.parametrize("stem", DOCUMENTS)
def test_every_printed_amount_landed(stem: str) -> None:
    coverage = parsed(stem)["report"]["coverage"]
    assert [t for r in coverage["regions"] for t in r["unparsed"]] == []
    assert coverage["tokens"] > 0
    assert coverage["accounted_percent"] == "100.00"


def test_final_accounts_rows_read_off_the_pdf() -> None:
    # page 8: 201 06 01 行政运行 1,511.90 1,511.89 … 0.01 (类/款/项 in three columns)
    admin = row(FINAL, "income_by_function", function_code="2010601")
    assert (admin["total_income_10k_yuan"], admin["other_income_10k_yuan"]) == (
        Decimal("1511.90"),
        Decimal("0.01"),
    )
    assert admin["level"] == "项"
    # page 6-7: the summary table runs over a page break; 总计 2,995.39 on both sides
    totals = [
        r
        for r in table(FINAL, "income_expenditure_summary")["rows"]
        if r["item_key"] == "grand_total"
    ]
    assert [(r["side"], r["amount_10k_yuan"]) for r in totals] == [
        ("income", Decimal("2995.39")),
        ("expenditure", Decimal("2995.39")),
    ]
    # page 17: the totals under the two side-by-side groups of the economic table
    groups = {
        r["expense_group"]: r["amount_10k_yuan"]
        for r in table(FINAL, "basic_expenditure_by_economic")["rows"]
        if r["level"] == "合计"
    }
    assert groups == {"personnel": Decimal("2152.26"), "public": Decimal("184.65")}
    # page 18: 三公 as pairs of 预算数 / 决算数; only 公务接待费 has a budget (0.95)
    budget = row(FINAL, "three_public_costs", phase="budget")
    assert (budget["total_10k_yuan"], budget["official_receptions_10k_yuan"]) == (
        Decimal("0.95"),
        Decimal("0.95"),
    )
    assert row(FINAL, "three_public_costs", phase="final")["total_10k_yuan"] is None


def test_budget_amounts_printed_in_yuan_are_published_in_10k_yuan() -> None:
    record = table(BUDGET, "budget_summary")
    assert (record["printed_money_unit"], record["money_unit"]) == ("元", "万元")
    # page 10: 收入总计 156,211,123 元
    [total] = [
        r for r in record["rows"] if r["item_key"] == "grand_total" and r["side"] == "income"
    ]
    assert total["total_10k_yuan"] == Decimal("15621.1123")
    # page 30: the 合计 printed across the code and name columns
    econ = row(BUDGET, "budget_basic_expenditure_by_economic", level="合计")
    assert (econ["total_10k_yuan"], econ["personnel_10k_yuan"], econ["public_10k_yuan"]) == (
        Decimal("9970.602"),
        Decimal("8853.7451"),
        Decimal("1116.8569"),
    )
    # page 29: 款 printed as "2" for "02" (津贴补贴 is 30102)
    allowance = row(BUDGET, "budget_basic_expenditure_by_economic", economic_code="30102")
    assert allowance["department_economic_name"] == "津贴补贴"
    # page 31: the 三公 table is in 万元 (单位:万元) while the others are in 元
    costs = table(BUDGET, "budget_three_public_and_office_costs")
    assert costs["printed_money_unit"] == "万元"
    [budget] = costs["rows"]
    assert (budget["total_10k_yuan"], budget["office_operating_costs_10k_yuan"]) == (
        Decimal("47.91"),
        Decimal("443.18"),
    )
    assert parsed(BUDGET)["document"]["printed_money_units"] == ["万元", "元"]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        (
            FINAL,
            [
                ("completeness/empty-table", "government_fund_expenditure"),
                ("completeness/empty-table", "state_capital_expenditure"),
                # page 21, 四、: 财政拨款收入支出总计0.3万元 (table 04: 2961.68)
                ("narrative/amount", "fiscal_appropriation_summary"),
                # page 21, 五、（二）: 一般公共服务支出（类）2106.66万元 is 71.65% of 2940.05,
                # printed 占71.73%
                ("narrative/share", "line 338"),
            ],
        ),
        (
            BUDGET,
            [
                # page 31: figures under 注:本部门2024年无“三公”经费和机关运行经费预算，故本表为空表
                ("completeness/empty-note-with-amounts", "budget_three_public_and_office_costs"),
                ("completeness/empty-table", "budget_government_fund_expenditure"),
                ("completeness/empty-table", "budget_state_capital_expenditure"),
            ],
        ),
    ],
)
def test_the_identities_hold_but_where_the_publisher_erred(
    stem: str, expected: list[tuple[str, str]]
) -> None:
    findings = [f for f in audit(parsed(stem), stem) if f.check_id != "narrative/unchecked"]
    places = [f.tables[0] if f.tables else f"line {f.rows[0]}" for f in findings]
    assert sorted(zip((f.check_id for f in findings), places, strict=True)) == sorted(expected)


@pytest.mark.parametrize("stem", DOCUMENTS)
def test_without_the_layout_family_the_tables_are_read_by_content(
    stem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The national data alone (no layouts/shanghai.yaml) reads the same tables."""
    monkeypatch.setattr(document, "pick_layout", lambda texts: (None, []))
    generic = parse_source(read_source(text_file(stem)))
    assert generic["document"]["layout"]["family"] == "generic"

    def tables(result: dict[str, Any]) -> dict[str, Any]:
        # item keys aside: the family's data names four more income lines (财政拨款收入 …)
        return {
            t["kind"]: (t["status"], [{**r, "item_key": None} for r in t["rows"]])
            for t in result["tables"]
        }

    assert tables(generic) == tables(parsed(stem))
    assert generic["report"]["coverage"]["unparsed"] == 0


def test_lines_wrapped_at_the_printed_width_are_one_paragraph() -> None:
    """Page 4: a numbered duty wraps after 政策；研 — it is a paragraph, not a heading."""
    [duties] = [s for s in parsed(FINAL)["narrative"]["overview"] if s["heading"] == "一、主要职能"]
    assert (
        "（一）贯彻执行国家和本市有关财政工作的法律、法规、规章和方针、政策；研究拟订本区"
        in (duties["text"])
    )
    headings = [s["heading"] for s in parsed(FINAL)["narrative"]["overview"]]
    assert headings == ["一、主要职能", "二、部门决算单位构成"]


def test_a_budget_without_part_headings_keeps_its_narrative() -> None:
    """The budget prints no 第X部分: its sections (名词解释, …编制说明, 其他相关情况说明) are
    its parts, and the tables between them do not run into the text."""
    narrative = parsed(BUDGET)["narrative"]
    # page 5: （一）财政拨款收入 … （八）机关运行经费
    assert [entry["term"] for entry in narrative["glossary"]] == [
        "财政拨款收入",
        "事业收入",
        "事业单位经营收入",
        "其他收入",
        "基本支出预算",
        "项目支出预算",
        "“三公”经费",
        "机关运行经费",
    ]
    headings = [section["heading"] for section in narrative["explanations"]]
    # page 32: the sections of 其他相关情况说明
    assert headings[1:6] == [
        "一、2024年“三公”经费预算情况说明",
        "二、机关运行经费预算",
        "三、政府采购预算情况",
        "四、绩效目标设置情况",
        "五、国有资产占有使用情况",
    ]
    text = "".join(section["text"] for section in narrative["explanations"])
    assert "编制部门" not in text  # no table title or label line in the narrative
