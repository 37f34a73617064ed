"""The five real disclosures: golden canonical tables, full coverage and known facts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from builder.parse import parse_file
from builder.parse.summary import to_json
from tests.conftest import CASES, SOURCES


@cache
def parsed(stem: str) -> dict[str, Any]:
    return parse_file(SOURCES / f"{stem}.txt")


def table(stem: str, kind: str) -> dict[str, Any]:
    return next(t for t in parsed(stem)["tables"] if t["kind"] == kind)


def rows_as_csv(record: dict[str, Any]) -> str:
    out = io.StringIO()
    names = [field["name"] for field in record["fields"]]
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in record["rows"]:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def test_golden_tables_and_parse(
    seed: Path,
    golden: Callable[[Path, str], None],
    golden_folder: Callable[[Path, dict[str, str]], None],
) -> None:
    result = parsed(seed.stem)
    expected = CASES / seed.stem / "expected"
    tables = {
        f"{record['kind']}.csv": rows_as_csv(record)
        for record in result["tables"]
        if record["status"] in ("parsed", "empty")
    }
    golden_folder(expected / "tables", tables)
    text = json.dumps(to_json(result), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden(expected / "parse.json", text)


def test_every_numeric_token_is_accounted_for(seed: Path) -> None:
    coverage = parsed(seed.stem)["report"]["coverage"]
    unparsed = [t for region in coverage["regions"] for t in region["unparsed"]]
    assert unparsed == []
    assert coverage["tokens"] > 0
    assert coverage["landed"] + coverage["header"] + coverage["placeholder"] == coverage["tokens"]
    assert coverage["accounted_percent"] == "100.00"


def test_amounts_are_decimals_never_floats(seed: Path) -> None:
    for record in parsed(seed.stem)["tables"]:
        for row in record["rows"]:
            for name, value in row.items():
                assert not isinstance(value, float), (record["kind"], name)
                if name.endswith("_10k_yuan"):
                    assert value is None or isinstance(value, Decimal)


def test_every_row_keeps_its_source_line(seed: Path) -> None:
    lines = (SOURCES / f"{seed.stem}.txt").read_text(encoding="utf-8").split("\n")
    for record in parsed(seed.stem)["tables"]:
        for row in record["rows"]:
            source = lines[row["source_line"] - 1]
            for name, value in row.items():
                if name.endswith("_10k_yuan") and value is not None:
                    compact = source.replace(" ", "").replace(",", "")
                    assert str(value) in compact, (record["kind"], row["source_line"], value)


METADATA = {
    "000_127416229ccdc025": ("山西省投资促进局", 2024, "final", "单位"),
    "001_417cec5d1b5bc998": ("山西省政府驻广州办事处", 2024, "final", "单位"),
    "002_6a7fbe393d7e6d53": ("山西省投资促进局", 2023, "budget", "单位"),
    "003_664a31573f3e6641": ("山西转型综合改革示范区新材料产业招商服务中心", 2023, "final", "部门"),
    "004_c9b7d00ba9827a50": ("山西省民营经济发展局", 2024, "final", "单位"),
}


def test_document_metadata(seed: Path) -> None:
    doc = parsed(seed.stem)["document"]
    assert (doc["unit_name"], doc["year"], doc["kind"], doc["scope"]) == METADATA[seed.stem]
    assert doc["money_unit"] == "万元"


@pytest.mark.parametrize(
    "unit", ["太原市第01900号投资促进局", "第2023中学", "山西省2099工程办公室"]
)
def test_digits_in_the_unit_name_are_not_its_year(unit: str, tmp_path: Path) -> None:
    """A unit named with a number holding 19xx/20xx (the 10,000 corpus's 第01900号) kept the
    cover's year as 1900 and lost those digits from its name."""
    seed = SOURCES / "000_127416229ccdc025.txt"
    text = seed.read_text(encoding="utf-8")
    assert "山西省投资促进局\n" in text
    source = tmp_path / seed.name
    source.write_text(text.replace("山西省投资促进局\n", unit + "\n", 1), encoding="utf-8")
    doc = parse_file(source)["document"]
    assert (doc["unit_name"], doc["year"]) == (unit, 2024)


def statuses(stem: str) -> dict[str, str]:
    return {t["number"]: t["status"] for t in parsed(stem)["tables"]}


def test_final_accounts_tables_and_their_status() -> None:
    full = {f"{n:02d}": "parsed" for n in range(1, 11)} | {"07": "empty", "08": "empty"}
    assert statuses("000_127416229ccdc025") == full
    assert statuses("001_417cec5d1b5bc998") == full
    assert statuses("003_664a31573f3e6641") == full | {"08": "missing"}
    assert statuses("004_c9b7d00ba9827a50") == full | {"02": "missing", "03": "missing"}


def test_budget_tables_and_their_status() -> None:
    expected = {str(n): "parsed" for n in range(1, 14)} | {
        "7": "empty",
        "8": "empty",
        "9": "empty",
        "11": "empty",
    }
    assert statuses("002_6a7fbe393d7e6d53") == expected


def test_missing_tables_say_where_they_should_have_been() -> None:
    t02 = table("004_c9b7d00ba9827a50", "income_by_function")
    assert t02["announced"] is True
    assert (t02["expected_after_line"], t02["expected_before_line"]) == (114, 130)
    t08 = table("003_664a31573f3e6641", "state_capital_expenditure")
    assert t08["expected_before_line"] == 279


def test_row_counts_of_seed_000() -> None:
    counts = {t["number"]: len(t["rows"]) for t in parsed("000_127416229ccdc025")["tables"]}
    # 01: 8 income lines + 26 function classes + 4 totals a side; 06: 110 codes + 2 totals
    assert counts == {
        "01": 42, "02": 25, "03": 25, "04": 38, "05": 18,
        "06": 112, "07": 0, "08": 0, "09": 2, "10": 16,
    }  # fmt: skip


def test_two_sided_summary_lines() -> None:
    rows = table("001_417cec5d1b5bc998", "income_expenditure_summary")["rows"]
    by_key = {(r["side"], r["item_key"]): r for r in rows}
    assert by_key[("income", "total_income")]["amount_10k_yuan"] == Decimal("1226.24")
    assert by_key[("income", "opening_balance")]["amount_10k_yuan"] == Decimal("780.02")
    assert by_key[("expenditure", "closing_balance")]["amount_10k_yuan"] == Decimal("787.26")
    assert by_key[("expenditure", "function:208")]["line_no"] == 39
    assert by_key[("expenditure", "function:208")]["amount_10k_yuan"] == Decimal("253.66")


def test_breakdown_lines_are_keyed_under_their_total() -> None:
    rows = table("004_c9b7d00ba9827a50", "fiscal_appropriation_summary")["rows"]
    keys = {r["item_key"]: r for r in rows if r["side"] == "income"}
    assert keys["opening_balance"]["total_10k_yuan"] == Decimal("9.70")
    assert keys["opening_balance.general_public_budget"]["line_no"] == 29


def test_classified_rows_have_levels_and_parents() -> None:
    rows = table("000_127416229ccdc025", "income_by_function")["rows"]
    assert rows[0]["level"] == "合计"
    assert rows[0]["function_code"] is None
    by_code = {r["function_code"]: r for r in rows[1:]}
    assert by_code["2011308"]["level"] == "项"
    assert by_code["2011308"]["parent_code"] == "20113"
    assert by_code["20113"]["parent_code"] == "201"
    assert by_code["201"]["parent_code"] is None


def test_economic_groups_are_reshaped_with_not_applicable() -> None:
    rows = table("000_127416229ccdc025", "basic_expenditure_by_economic")["rows"]
    by_code = {r["economic_code"]: r for r in rows if r["economic_code"]}
    assert by_code["30101"]["amount_10k_yuan"] == Decimal("360.15")
    assert by_code["30101"]["expense_group"] == "personnel"
    assert by_code["30201"]["expense_group"] == "public"
    assert by_code["30901"]["not_applicable"] is True
    assert by_code["30901"]["amount_10k_yuan"] is None
    assert by_code["30106"]["not_applicable"] is False  # empty, not ——
    totals = {r["economic_name"]: r["amount_10k_yuan"] for r in rows if r["level"] == "合计"}
    assert totals == {"人员经费合计": Decimal("1328.97"), "公用经费合计": Decimal("122.29")}


def test_three_public_costs_budget_and_final() -> None:
    rows = table("004_c9b7d00ba9827a50", "three_public_costs")["rows"]
    assert [r["phase"] for r in rows] == ["budget", "final"]
    assert rows[1]["total_10k_yuan"] == Decimal("13.44")
    assert rows[1]["overseas_trips_10k_yuan"] == Decimal("6.12")
    assert rows[1]["vehicle_purchase_10k_yuan"] is None
    assert rows[1]["official_receptions_10k_yuan"] is None


def test_vehicle_counts_are_counts() -> None:
    rows = table("001_417cec5d1b5bc998", "supplementary_statistics")["rows"]
    by_key = {r["item_key"]: r for r in rows}
    assert by_key["vehicles_total_count"]["count"] == 5
    assert by_key["vehicles_total_count"]["amount_10k_yuan"] is None
    assert by_key["equipment_over_1m_yuan"]["count"] == 1
    assert by_key["equipment_over_1m_yuan"]["count_unit"] == "台(套)"
    assert by_key["office_costs_civil_service_institutions"]["amount_10k_yuan"] == Decimal("110.49")


def test_budget_spaced_amounts_and_projects() -> None:
    rows = table("002_6a7fbe393d7e6d53", "budget_income_by_function")["rows"]
    assert rows[0]["total_income_10k_yuan"] == Decimal("5256.96")  # printed "5, 256. 96"
    projects = table("002_6a7fbe393d7e6d53", "budget_project_expenditure_carried_over")["rows"]
    assert [(p["project_name"], p["row_type"]) for p in projects] == [
        ("山西省商务厅", "aggregate"),
        ("山西省投资促进局", "aggregate"),
        ("招商引资专项经费", "project"),
        ("2022中国(太原)国际能源产业博览会", "project"),
    ]


def test_budget_table_without_a_number_is_found_by_title() -> None:
    record = table("002_6a7fbe393d7e6d53", "budget_general_expenditure")
    assert record["printed_number"] is None
    assert record["rows"][0]["total_expenditure_10k_yuan"] == Decimal("5256.96")


def test_traditional_character_title() -> None:
    record = table("001_417cec5d1b5bc998", "expenditure_by_function")
    assert record["printed_title"] == "支出決算表"
    assert record["status"] == "parsed"


def test_split_unit_name_and_money_unit_are_joined() -> None:
    record = table("001_417cec5d1b5bc998", "three_public_costs")  # name split over two lines
    assert record["unit_name"] == "山西省政府驻广州办事处"
    record = table("001_417cec5d1b5bc998", "fiscal_appropriation_summary")  # 万 / 元
    assert record["money_unit"] == "万元"


def test_split_cover_title_is_joined() -> None:
    doc = parsed("003_664a31573f3e6641")["document"]
    assert doc["unit_name"] == "山西转型综合改革示范区新材料产业招商服务中心"


def test_glossary_and_sections() -> None:
    narrative = parsed("002_6a7fbe393d7e6d53")["narrative"]
    terms = {entry["term"]: entry["definition"] for entry in narrative["glossary"]}
    assert terms["财政专户管理资金"].startswith("专指教育收费")  # definition on the next line
    assert terms["国有资本经营预算"].startswith("是对国有资本收益")  # no colon
    headings = [s["heading"] for s in parsed("000_127416229ccdc025")["narrative"]["overview"]]
    assert headings == ["一、本部门（单位）职责", "二、机构设置情况"]
    mandate = parsed("000_127416229ccdc025")["narrative"]["overview"][0]["text"]
    assert "考察访问以及我省政府" in mandate  # paragraph split by a page break, joined again


def test_narrative_has_no_markup() -> None:
    for stem in METADATA:
        narrative = parsed(stem)["narrative"]
        for section in narrative["overview"] + narrative["explanations"]:
            text = (section["heading"] or "") + section["text"]
            assert "<" not in text
            assert "**" not in text
            assert not text.startswith("#")


@pytest.mark.parametrize("stem", sorted(METADATA))
def test_no_warnings_beyond_the_known_ones(stem: str) -> None:
    issues = [i for i in parsed(stem)["report"]["issues"] if i["severity"] != "info"]
    codes = sorted(i["code"] for i in issues)
    expected = {
        "003_664a31573f3e6641": ["table-missing"],
        "004_c9b7d00ba9827a50": ["table-missing", "table-missing"],
    }
    assert codes == expected.get(stem, [])
