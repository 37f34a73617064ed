"""Unseen variants of real documents parse to the same tables, with no code change.

Each variant is made here, from a real disclosure's text, the way another publisher might
print the same table: its title replaced by a synonym (and its number dropped), two amount
columns swapped, amounts printed in 元, the code split over 类 / 款 / 项 columns under a
two-row header, or the table run over a page break that repeats its header. The variant
must give the same rows (line numbers aside) and leave no printed number unaccounted for.

The transformations below read the printed text only: they never call the parser to know
where a header ends (a row starting with a code or 合计 starts the data).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from builder.parse import parse_file
from tests.conftest import SOURCES

SEED_000 = SOURCES / "000_127416229ccdc025.txt"
SHANGHAI_FINAL = SOURCES / "sh-putuo-czj-2024-final.txt"  # extracted from its PDF by `add`
CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
Variant = Callable[[list[str], dict[str, Any]], list[str]]


def table_of(parsed: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(t for t in parsed["tables"] if t["kind"] == kind)


def rows_of(parsed: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    drop = {"source_line", "row_number"}
    return [{k: v for k, v in r.items() if k not in drop} for r in table_of(parsed, kind)["rows"]]


def region(lines: list[str], table: dict[str, Any]) -> range:
    """0-based indexes of the table's lines, title to last row."""
    return range(table["start_line"] - 1, table["end_line"])


def is_data(cells: list[str]) -> bool:
    """A row with a code or 合计 first, or with an amount (Shanghai prints 类 款 项 on the
    合计 row)."""
    amount = any(re.fullmatch(r"[\d,]+\.\d+", c.replace(" ", "")) for c in cells)
    return bool(CODE.match(cells[0])) or cells[0] in ("合计", "总计") or amount


def split_region(lines: list[str], table: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Indexes of the header rows and of the data rows of a classified table."""
    headers, data = [], []
    for index in region(lines, table):
        if "\t" not in lines[index]:
            continue
        cells = lines[index].split("\t")
        (data if data or is_data(cells) else headers).append(index)
    return headers, data


def name_column(lines: list[str], table: dict[str, Any]) -> int:
    """The column of the row names: the first with Chinese text on a row with a code."""
    _, data = split_region(lines, table)
    for index in data:
        cells = lines[index].split("\t")
        if CODE.match(cells[0]):
            return next(i for i, c in enumerate(cells) if re.search(r"[\u4e00-\u9fff]", c))
    raise AssertionError("no coded row")


# --------------------------------------------------------------------------- variants


def retitled(lines: list[str], table: dict[str, Any]) -> list[str]:
    """The title replaced by a synonym no data file lists; the printed number dropped."""
    out = list(lines)
    for index in region(lines, table):
        text = lines[index].strip()
        if text == table["printed_title"]:
            out[index] = "本单位" + text.replace("决算表", "情况明细表").replace("表", "明细表")
        elif text == "表" or re.fullmatch(r"公开\d+表?", text):
            out[index] = ""  # the printed number (公开02 / 表, or 公开03表)
    return out


def unit_and_year_titled(lines: list[str], table: dict[str, Any]) -> list[str]:
    """The title printed after the unit and year, and numbered 表N (no standard number)."""
    out = list(lines)
    for index in region(lines, table):
        text = lines[index].strip()
        if text == table["printed_title"]:
            out[index] = f"表{table['number'].lstrip('0')} 某某单位2024年度{text}"
        elif text == "表" or re.fullmatch(r"公开\d+表?", text):
            out[index] = ""
    return out


def columns_swapped(lines: list[str], table: dict[str, Any]) -> list[str]:
    """The second and third amount columns swapped in every row (栏次 numbers stay)."""
    out = list(lines)
    headers, data = split_region(lines, table)
    a, b = name_column(lines, table) + 2, name_column(lines, table) + 3
    for index in headers + data:
        cells = lines[index].split("\t")
        if cells[0] == "栏次" or len(cells) <= b:
            continue
        cells[a], cells[b] = cells[b], cells[a]
        out[index] = "\t".join(cells)
    return out


def in_yuan(lines: list[str], table: dict[str, Any]) -> list[str]:
    """Every amount printed in 元, grouped by thousands, under 金额单位：元."""
    out = list(lines)
    _, data = split_region(lines, table)
    names = name_column(lines, table)
    for index in region(lines, table):
        out[index] = re.sub(r"(金额)?单位[:：]\s*万元", r"\1单位：元", out[index])
    for index in data:
        cells = lines[index].split("\t")
        for position, cell in enumerate(cells):
            if position > names and re.fullmatch(r"-?[\d,]+\.\d+|-?\d+", cell.replace(" ", "")):
                yuan = Decimal(cell.replace(",", "").replace(" ", "")) * 10000
                cells[position] = f"{yuan:,.0f}" if yuan == yuan.to_integral() else f"{yuan:,}"
        out[index] = "\t".join(cells)
    return out


def codes_split(lines: list[str], table: dict[str, Any]) -> list[str]:
    """The code printed over three columns 类 / 款 / 项 under a two-row header."""
    out = list(lines)
    headers, data = split_region(lines, table)
    for index in headers:
        cells = lines[index].split("\t")
        out[index] = "\t".join([cells[0], "", "", *cells[1:]])
    width = len(out[headers[-1]].split("\t"))
    last = headers[-1]
    parts_row = "\t".join(["类", "款", "项", *[""] * (width - 3)])
    for index in data:
        cells = lines[index].split("\t")
        code = cells[0]
        parts = [code[:3], code[3:5], code[5:7]] if CODE.match(code) else [code, "", ""]
        out[index] = "\t".join([*parts, *cells[1:]])
    out[last] = out[last] + "\n" + parts_row
    return out


def codes_joined(lines: list[str], table: dict[str, Any]) -> list[str]:
    """A code printed over 类 / 款 / 项 columns printed as one code (科目编码)."""
    out = list(lines)
    headers, data = split_region(lines, table)
    names = name_column(lines, table)
    for index in headers:
        cells = lines[index].split("\t")
        parts = [c for c in cells[:names] if c and c not in ("类", "款", "项")]
        out[index] = "\t".join(["".join(parts) or "", *cells[names:]])
    for index in data:
        cells = lines[index].split("\t")
        code = "".join(c for c in cells[:names] if c.isdigit())
        code = code or next((c for c in cells[:names] if c in ("合计", "总计")), "")
        out[index] = "\t".join([code, *cells[names:]])
    # a header row left with nothing in it (the 类 款 项 row) is dropped
    return [line for line in out if line.strip("\t") or "\t" not in line]


def page_break(lines: list[str], table: dict[str, Any]) -> list[str]:
    """The table runs over a page break after its third data row; the header is repeated."""
    out = list(lines)
    headers, data = split_region(lines, table)
    repeat = "\n".join(lines[i] for i in headers)
    cut = data[2]
    out[cut] = lines[cut] + "\n=== page 99 ===\n" + repeat
    return out


VARIANTS: dict[str, Variant] = {
    "title synonym, no number": retitled,
    "title after unit and year, numbered 表N": unit_and_year_titled,
    "columns swapped": columns_swapped,
    "amounts in 元": in_yuan,
    "codes split into 类/款/项": codes_split,
    "split over two pages": page_break,
}
# Shanghai prints its codes split already: its variant joins them.
SHANGHAI_VARIANTS: dict[str, Variant] = {
    **{name: make for name, make in VARIANTS.items() if make is not codes_split},
    "codes joined into one column": codes_joined,
}


def variant_text(path: Path, kind: str, make: Variant) -> tuple[str, dict[str, Any]]:
    original = parse_file(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(make(lines, table_of(original, kind))), original


CASES = [(SEED_000, name, make) for name, make in VARIANTS.items()] + [
    (SHANGHAI_FINAL, name, make) for name, make in SHANGHAI_VARIANTS.items()
]


@pytest.mark.parametrize(
    ("source", "variant", "make"), CASES, ids=[f"{s.stem[:12]}-{n}" for s, n, _ in CASES]
)
@pytest.mark.parametrize(
    "kind", ["income_by_function", "expenditure_by_function", "general_budget_expenditure"]
)
def test_a_variant_parses_to_the_same_table(
    tmp_path: Path, kind: str, source: Path, variant: str, make: Variant
) -> None:
    text, original = variant_text(source, kind, make)
    path = tmp_path / "variant.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path)
    assert rows_of(parsed, kind) == rows_of(original, kind), variant
    assert parsed["report"]["coverage"]["unparsed"] == 0, parsed["report"]["coverage"]
    others = {t["kind"]: rows_of(parsed, t["kind"]) for t in parsed["tables"] if t["kind"] != kind}
    assert others == {
        t["kind"]: rows_of(original, t["kind"]) for t in original["tables"] if t["kind"] != kind
    }


def with_extra_column(lines: list[str], table: dict[str, Any]) -> list[str]:
    """A column no schema declares (备注, with a number in it) appended to every row."""
    out = list(lines)
    headers, data = split_region(lines, table)
    for position, index in enumerate(headers):
        out[index] = lines[index] + ("\t备注" if position == 0 else "\t")
    for position, index in enumerate(data):
        out[index] = lines[index] + ("\t7.50" if position == 1 else "\t")
    return out


def test_a_column_no_field_claims_is_kept_and_reported(tmp_path: Path) -> None:
    kind = "expenditure_by_function"
    text, original = variant_text(SEED_000, kind, with_extra_column)
    path = tmp_path / "variant.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path)
    assert rows_of(parsed, kind) == rows_of(original, kind)
    table = table_of(parsed, kind)
    second_row = table["rows"][1]["source_line"]
    assert table["unmapped_columns"] == [
        {"column": 9, "header": "备注", "cells": [{"source_line": second_row, "text": "7.50"}]}
    ]
    codes = [i["code"] for i in parsed["report"]["issues"] if i["table"] == kind]
    assert "unmapped-column" in codes
    unparsed = [
        (t["line"], t["token"])
        for r in parsed["report"]["coverage"]["regions"]
        for t in r["unparsed"]
    ]
    assert unparsed == [(second_row, "7.50")]
