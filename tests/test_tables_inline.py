"""Table readers on tiny inline disclosures: each noise case and each reported problem."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from builder.errors import DisclosureError
from builder.parse import parse_file
from builder.validate import audit

COVER = "山西省测试局\n\n2024年度单位决算公开\n\n第二部分 2024年部门决算表\n\n"
TABLE_03_HEAD = (
    "支出决算表\n\n公开03表\n\n部门名称：山西省测试局\n\n2024年度\n\n金额单位：万元\n\n"
    "项目\t\t本年支出合计\t基本支出\t项目支出\t上缴上级支出\t经营支出\t对附属单位补助支出\n"
    "科目代码\t科目名称\t\t\t\t\t\t\n"
    "栏次\t\t1\t2\t3\t4\t5\t6\n"
)


def parse_text(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "disclosure.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def table(result: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(t for t in result["tables"] if t["kind"] == kind)


def test_page_break_inside_a_table_keeps_all_rows(tmp_path: Path) -> None:
    body = (
        "合计\t\t10.00\t4.00\t6.00\t\t\t\n"
        "201\t一般公共服务支出\t10.00\t4.00\t6.00\t\t\t\n"
        "\n-7-\n\n---\n\n"  # page number and rule between two halves of the table
        "20113\t商贸事务\t10.00\t4.00\t6.00\t\t\t\n"
    )
    result = parse_text(tmp_path, COVER + TABLE_03_HEAD + body)
    rows = table(result, "expenditure_by_function")["rows"]
    assert [r["function_code"] for r in rows] == [None, "201", "20113"]
    assert rows[2]["basic_expenditure_10k_yuan"] == Decimal("4.00")
    assert result["report"]["coverage"]["unparsed"] == 0


def test_split_table_number_and_split_money_unit(tmp_path: Path) -> None:
    head = TABLE_03_HEAD.replace("公开03表", "公开03\n\n表").replace(
        "金额单位：万元", "金额单位：万  \n元"
    )
    result = parse_text(tmp_path, COVER + head + "合计\t\t1.00\t1.00\t\t\t\t\n")
    record = table(result, "expenditure_by_function")
    assert record["printed_number"] == "公开03"
    assert record["money_unit"] == "万元"
    assert record["status"] == "parsed"


def test_malformed_amount_is_reported_with_its_line(tmp_path: Path) -> None:
    text = COVER + TABLE_03_HEAD + "合计\t\t12.3.4\t1.00\t\t\t\t\n"
    result = parse_text(tmp_path, text)
    line = text.split("\n").index("合计\t\t12.3.4\t1.00\t\t\t\t") + 1
    issues = [i for i in result["report"]["issues"] if i["code"] == "unparsed-amount"]
    assert [i["line"] for i in issues] == [line]
    unparsed = [t for r in result["report"]["coverage"]["regions"] for t in r["unparsed"]]
    assert unparsed == [{"line": line, "token": "12.3.4", "text": "合计\t\t12.3.4\t1.00\t\t\t\t"}]


def test_extra_cells_are_reported_not_dropped(tmp_path: Path) -> None:
    text = COVER + TABLE_03_HEAD + "合计\t\t1.00\t1.00\t\t\t\t\t\t9.99\n"
    result = parse_text(tmp_path, text)
    assert any(i["code"] == "extra-cells" for i in result["report"]["issues"])
    unparsed = [t["token"] for r in result["report"]["coverage"]["regions"] for t in r["unparsed"]]
    assert unparsed == ["9.99"]


def test_no_data_table_is_present_and_empty(tmp_path: Path) -> None:
    text = COVER + TABLE_03_HEAD + "合计\t\t\t\t\t\t\t\n\n说明：本表无数据\n"
    record = table(parse_text(tmp_path, text), "expenditure_by_function")
    assert record["status"] == "empty"
    assert record["rows"] == []


def test_mixed_brackets_and_traditional_title(tmp_path: Path) -> None:
    head = TABLE_03_HEAD.replace("支出决算表", "### 支出決算表")
    result = parse_text(tmp_path, COVER + head + "合计\t\t1.00\t1.00\t\t\t\t\n")
    assert table(result, "expenditure_by_function")["status"] == "parsed"
    stats = (
        "部门决算公开相关信息统计表\n\n公开10表\n\n单位名称：山西省测试局\n\n金额单位：万元\n\n"
        "三、国有资产占用情况\t\t\n（一）车辆数合计(辆)\t7\t2\n"
        "(二) 单价100万元（含）以上设备（不含车辆）\t17\t1\n"
    )
    rows = table(parse_text(tmp_path, COVER + stats), "supplementary_statistics")["rows"]
    assert [(r["item_key"], r["count"]) for r in rows] == [
        ("vehicles_total_count", 2),
        ("equipment_over_1m_yuan", 1),
    ]


def test_a_table_missing_from_the_contents_is_reported(tmp_path: Path) -> None:
    toc = (
        "目 录\n\n第二部分 2024年部门决算表\t3\n二、收入决算表\t5\n三、支出决算表\t6\n"
        "第三部分 情况说明\t9\n\n"
    )
    text = (
        COVER.replace("第二部分", toc + "第二部分") + TABLE_03_HEAD + "合计\t\t1.00\t1.00\t\t\t\t\n"
    )
    result = parse_text(tmp_path, text)
    missing = table(result, "income_by_function")
    assert missing["status"] == "missing"
    assert missing["announced"] is True
    assert [t["number"] for t in result["tables"]] == [
        "02",
        "03",
    ]  # only what the contents announce


def test_duplicated_table_is_reported(tmp_path: Path) -> None:
    once = TABLE_03_HEAD + "合计\t\t1.00\t1.00\t\t\t\t\n\n"
    result = parse_text(tmp_path, COVER + once + once)
    assert [i["code"] for i in result["report"]["issues"]].count("duplicate-table") == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "会议纪要\n今天讨论了三件事。\n",
        "2024年度单位决算公开\n只有标题，没有任何表格。\n",
    ],
)
def test_not_a_disclosure_raises_our_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(DisclosureError) as caught:
        parse_text(tmp_path, text)
    assert "disclosure.txt" in caught.value.describe()


# --------------------------------------------------------------------------- columns by header

# One value per column, all different, so that two exchanged columns cannot go unseen.
TABLE_03_VALUES = {
    "total_expenditure_10k_yuan": Decimal("21.00"),
    "basic_expenditure_10k_yuan": Decimal("2.00"),
    "project_expenditure_10k_yuan": Decimal("3.00"),
    "remittance_to_superior_10k_yuan": Decimal("4.00"),
    "operating_expenditure_10k_yuan": Decimal("5.00"),
    "subsidy_to_affiliates_10k_yuan": Decimal("7.00"),
}
TABLE_03_ROW = "201\t一般公共服务支出\t21.00\t2.00\t3.00\t4.00\t5.00\t7.00\n"


def permuted(text: str, order: list[int]) -> str:
    """Every tab-separated line of ``text`` with its cells in ``order`` (header and data
    moved together: the same table, printed with its columns elsewhere)."""
    out = []
    for line in text.split("\n"):
        cells = line.split("\t")
        out.append("\t".join(cells[i] for i in order) if len(cells) == len(order) else line)
    return "\n".join(out)


def amounts_of(tmp_path: Path, text: str) -> tuple[dict[str, Any], str]:
    record = table(parse_text(tmp_path, COVER + text), "expenditure_by_function")
    row = record["rows"][0]
    return {name: row[name] for name in TABLE_03_VALUES}, record["columns_mapped_by"]


def test_every_column_lands_in_its_declared_field(tmp_path: Path) -> None:
    assert amounts_of(tmp_path, TABLE_03_HEAD + TABLE_03_ROW) == (TABLE_03_VALUES, "header")


@pytest.mark.parametrize(
    "order",
    [[0, 1, 3, 2, 4, 5, 6, 7], [0, 1, 7, 6, 5, 4, 3, 2], [0, 1, 2, 4, 3, 6, 5, 7]],
    ids=["basic-project", "reversed", "pairs"],
)
def test_columns_printed_in_another_order_keep_their_values(
    tmp_path: Path, order: list[int]
) -> None:
    """Values follow their header, never their position: swapping two columns (header and
    cells) changes nothing in the output."""
    text = permuted(TABLE_03_HEAD + TABLE_03_ROW, order)
    assert amounts_of(tmp_path, text) == (TABLE_03_VALUES, "header")


def test_a_total_swapped_with_a_part_is_an_audit_finding(tmp_path: Path) -> None:
    """Cells exchanged under their headers are the publisher's error: published as printed,
    and the row sum says so."""
    swapped = TABLE_03_ROW.replace("21.00\t2.00", "2.00\t21.00")
    result = parse_text(tmp_path, COVER + TABLE_03_HEAD + swapped)
    row = table(result, "expenditure_by_function")["rows"][0]
    assert row["total_expenditure_10k_yuan"] == Decimal("2.00")
    findings = [f for f in audit(result, "inline") if f.check_id == "row-sum/03-total"]
    assert [(f.expected, f.actual) for f in findings] == [(Decimal("40.00"), Decimal("2.00"))]


def test_a_total_row_printed_as_zongji_is_the_total(tmp_path: Path) -> None:
    """总计 labels a total row as 合计 does (variants.yaml ``total_names``)."""
    for label in ("合计", "总计"):
        result = parse_text(tmp_path, COVER + TABLE_03_HEAD + f"{label}\t\t1.00\t1.00\t\t\t\t\n")
        (row,) = table(result, "expenditure_by_function")["rows"]
        assert (row["function_code"], row["level"]) == (None, "合计"), label
        assert not [i for i in result["report"]["issues"] if i["code"] == "unknown-row"]


def test_without_a_header_columns_are_read_in_the_declared_order(tmp_path: Path) -> None:
    """No header rows: the declared column order (x-table columns) places the values, and the
    report says so; exchanging two declared columns would exchange two values here."""
    head = TABLE_03_HEAD.split("项目\t", maxsplit=1)[
        0
    ]  # title, number, unit and money unit; no header
    result = parse_text(tmp_path, COVER + head + TABLE_03_ROW)
    assert amounts_of(tmp_path, head + TABLE_03_ROW) == (TABLE_03_VALUES, "position")
    assert any(i["code"] == "columns-by-position" for i in result["report"]["issues"])
