"""Tables found by their content when the title is unknown, and tables kept as printed.

Built on seed 000 (Shanxi): its 支出决算表 retitled and unnumbered must still be read as
table 03, row for row; a table of the publisher's own must be kept as printed, its numbers
landed, without swallowing or being swallowed by the tables around it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.parse import parse_file
from tests.conftest import SOURCES

SEED_000 = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
RETITLED = "本单位年度支出情况明细表"
OWN_TABLE = "\n".join(
    [
        "本单位政府采购执行情况表",
        "金额单位：万元",
        "采购类别\t预算金额\t实际金额",
        "货物\t12.50\t11.00",
        "服务\t3.00\t2.75",
        "",
    ]
)


def parse_text(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "variant.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def table(parsed: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(t for t in parsed["tables"] if t["kind"] == kind)


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "source_line"} for row in rows]


def test_an_unknown_title_is_read_by_its_content(tmp_path: Path) -> None:
    original = parse_file(SOURCES / "000_127416229ccdc025.txt")
    text = SEED_000.replace("\n支出决算表\n", f"\n{RETITLED}\n", 1).replace("\n公开03表\n", "\n\n")
    parsed = parse_text(tmp_path, text)
    found = table(parsed, "expenditure_by_function")
    assert found["status"] == "parsed"
    assert found["printed_title"] == RETITLED
    assert comparable(found["rows"]) == comparable(
        table(original, "expenditure_by_function")["rows"]
    )
    evidence = [i for i in parsed["report"]["issues"] if i["code"] == "recognised-by-content"]
    assert [i["table"] for i in evidence] == ["expenditure_by_function"]
    assert "6 of its amount columns" in evidence[0]["message"]
    assert parsed["report"]["coverage"]["unparsed"] == 0


def test_a_table_of_no_standard_kind_is_kept_as_printed(tmp_path: Path) -> None:
    original = parse_file(SOURCES / "000_127416229ccdc025.txt")
    text = SEED_000.replace("\n支出决算表\n", f"\n{OWN_TABLE}\n支出决算表\n", 1)
    parsed = parse_text(tmp_path, text)
    [other] = parsed["other_tables"]
    assert other["title"] == "本单位政府采购执行情况表"
    assert other["header"] == [["采购类别", "预算金额", "实际金额"]]
    assert [row["cells"] for row in other["rows"]] == [
        ["货物", "12.50", "11.00"],
        ["服务", "3.00", "2.75"],
    ]
    # the tables on either side keep exactly their rows
    for kind in ("income_by_function", "expenditure_by_function"):
        assert comparable(table(parsed, kind)["rows"]) == comparable(table(original, kind)["rows"])
    assert parsed["report"]["coverage"]["unparsed"] == 0
    codes = [i["code"] for i in parsed["report"]["issues"] if i["line"] == other["start_line"]]
    assert codes == ["unknown-table"]
