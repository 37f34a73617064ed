"""The corpus of bad inputs (issue: bad and hostile input), each with its behaviour."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from builder.errors import DisclosureError
from builder.parse import parse_file
from tests.conftest import SOURCES

SEED_000 = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
SEED_001 = (SOURCES / "001_417cec5d1b5bc998.txt").read_text(encoding="utf-8")


def parse_text(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def issues(result: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [i for i in result["report"]["issues"] if i["code"] == code]


def test_truncated_mid_table(tmp_path: Path) -> None:
    lines = SEED_000.split("\n")
    cut = lines.index("20113\t商贸事务\t5831.63\t5510.55\t\t\t321.06\t\t0.03")
    result = parse_text(tmp_path, "\n".join(lines[: cut + 1]))
    status = {t["number"]: t["status"] for t in result["tables"]}
    assert status["01"] == "parsed"
    assert status["02"] == "parsed"
    assert [t["rows"][-1]["function_code"] for t in result["tables"] if t["number"] == "02"] == [
        "20113"
    ]
    assert {n for n, s in status.items() if s == "missing"} == {f"{n:02d}" for n in range(3, 11)}
    assert len(issues(result, "table-missing")) == 8
    assert result["report"]["coverage"]["unparsed"] == 0


def test_rows_with_too_few_and_too_many_cells(tmp_path: Path) -> None:
    short = "2011308\t招商引资\t4387.68\t4387.68\t\t\t\t\t"
    text = SEED_000.replace(short, "2011308\t招商引资\t4387.68").replace(
        "2011350\t事业运行\t1100.30\t1100.27\t\t\t\t\t0.03",
        "2011350\t事业运行\t1100.30\t1100.27\t\t\t\t\t0.03\t\t77.77",
    )
    result = parse_text(tmp_path, text)
    rows = {
        r["function_code"]: r for t in result["tables"] if t["number"] == "02" for r in t["rows"]
    }
    assert rows["2011308"]["total_income_10k_yuan"] == Decimal("4387.68")
    assert rows["2011308"]["fiscal_appropriation_income_10k_yuan"] is None  # not invented
    extra = issues(result, "extra-cells")
    assert len(extra) == 1
    assert "77.77" in extra[0]["message"]
    unparsed = [t["token"] for r in result["report"]["coverage"]["regions"] for t in r["unparsed"]]
    assert unparsed == ["77.77"]


@pytest.mark.parametrize(
    ("printed", "code"),
    [("12.3.4", "unparsed-amount"), ("(1.00)", "unparsed-amount"), ("-", "not-applicable")],
)
def test_garbage_numbers_are_reported_with_their_line(
    tmp_path: Path, printed: str, code: str
) -> None:
    original = "2011307\t国内贸易管理\t16.06\t16.06\t\t\t\t\t"
    text = SEED_000.replace(original, f"2011307\t国内贸易管理\t16.06\t{printed}\t\t\t\t\t")
    line = SEED_000.split("\n").index(original) + 1
    result = parse_text(tmp_path, text)
    found = [i for i in issues(result, code) if i["line"] == line]
    assert len(found) == 1
    assert printed in found[0]["message"]


def test_full_width_digits_parse(tmp_path: Path) -> None:
    text = SEED_000.replace("2011307\t国内贸易管理\t16.06", "2011307\t国内贸易管理\t１６.０６")
    result = parse_text(tmp_path, text)
    rows = [r for t in result["tables"] if t["number"] == "02" for r in t["rows"]]
    assert next(r for r in rows if r["function_code"] == "2011307")["total_income_10k_yuan"] == (
        Decimal("16.06")
    )


def test_duplicated_table_is_reported(tmp_path: Path) -> None:
    lines = SEED_000.split("\n")
    start = lines.index("支出决算表")
    end = lines.index("注：本表反映部门本年度各项支出情况。")
    text = "\n".join(lines[: end + 1] + lines[start : end + 1] + lines[end + 1 :])
    result = parse_text(tmp_path, text)
    assert len(issues(result, "duplicate-table")) == 1


def test_two_disclosures_in_one_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError) as caught:
        parse_text(tmp_path, SEED_000 + "\n" + SEED_001)
    second = len(SEED_000.split("\n")) + 1 + SEED_001.split("\n").index("2024年度单位决算公开")
    assert caught.value.line == second
    assert "split the file" in caught.value.describe()


def test_extremely_long_lines(tmp_path: Path) -> None:
    text = SEED_000.replace(
        "无\n\n第五部分 附件", "无" + "很长的一行" * 200_000 + "\n\n第五部分 附件"
    )
    result = parse_text(tmp_path, text)
    assert {t["status"] for t in result["tables"]} <= {"parsed", "empty"}


@pytest.mark.parametrize("name", ["../../etc/passwd", "山西/省局", "a\\b", "<script>", "局" * 500])
def test_unit_names_become_safe_stable_url_names(name: str) -> None:
    from builder.publish.inputs import unit_id  # noqa: PLC0415 - only this test needs it

    slug = unit_id(name)
    assert re.fullmatch(r"unit-[0-9a-f]{10}", slug)
    assert unit_id(name) == slug  # stable
    assert unit_id(name + "2") != slug  # distinct names, distinct ids


def test_unsafe_file_names_are_refused_as_ids(tmp_path: Path) -> None:
    from builder.sources.provenance import check_id  # noqa: PLC0415

    for name in ("a b.txt", "山西.txt", "portal.txt", "Evil..txt"):
        with pytest.raises(DisclosureError):
            check_id(tmp_path / name)


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("gb18030", "\n"), ("utf-16", "\n"), ("utf-8-sig", "\n"), ("utf-8", "\r\n")],
)
def test_a_real_disclosure_in_other_encodings_parses_the_same(
    tmp_path: Path, encoding: str, newline: str
) -> None:
    path = tmp_path / "encoded.txt"
    path.write_bytes(SEED_000.replace("\n", newline).encode(encoding))
    again = parse_file(path)
    original = parse_file(SOURCES / "000_127416229ccdc025.txt")
    assert again["tables"] == original["tables"]
    assert again["document"]["unit_name"] == "山西省投资促进局"
