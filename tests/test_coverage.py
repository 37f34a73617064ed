"""The numeric-token coverage report: every token accounted for, at a bounded cost."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

from builder.parse import parse_file
from builder.parse.coverage import EXCERPT_CONTEXT, Region, account, landed_values
from builder.parse.summary import format_summary, to_json
from builder.sources.reading import Line
from tests.conftest import SOURCES

SEED_000 = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
ROW_02 = "2011302\t一般行政管理事务\t6.54\t6.54\t\t\t\t\t"  # table 02, line 140 of seed 000
WIDE_CELLS = 20_000
# Parse, JSON form and summary of seed 000 with one line of 20,000 numeric cells (169 KB):
# about 41 MB of Python objects at peak. Keeping the whole line in every unparsed token made it
# several GB (5,000 cells: 1,238 MB).
PEAK_BYTES = 64 * 2**20


def unparsed(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for region in result["report"]["coverage"]["regions"] for t in region["unparsed"]]


def test_a_line_of_many_cells_costs_bounded_memory(tmp_path: Path) -> None:
    cells = [f"{k}.{k % 100:02d}" for k in range(1, WIDE_CELLS + 1)]
    lines = SEED_000.split("\n")
    wide_line = lines.index(ROW_02) + 2
    lines.insert(wide_line - 1, "\t".join(cells))
    path = tmp_path / "wide.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    tracemalloc.start()
    try:
        parsed = parse_file(path)
        as_json = to_json(parsed)
        summary = format_summary(parsed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{peak / 2**20:.1f} MB"
    listed = [t for t in unparsed(as_json) if t["line"] == wide_line]
    assert [t["token"] for t in listed] == cells
    longest = max(len(cell) for cell in cells)
    assert max(len(t["text"]) for t in listed) <= 2 * EXCERPT_CONTEXT + longest + 2
    assert listed[0]["text"].startswith("1.01\t2.02\t")
    assert listed[0]["text"].endswith("…")
    assert "\t9999.99\t10000.00\t10001.01\t" in listed[9999]["text"]
    assert listed[-1]["text"].startswith("…")
    assert listed[-1]["text"].endswith("\t19999.99\t20000.00")
    assert summary.count(f"unparsed: line {wide_line}: ") == WIDE_CELLS
    assert as_json["report"]["coverage"]["unparsed"] == WIDE_CELLS


def test_a_short_line_is_quoted_whole(tmp_path: Path) -> None:
    path = tmp_path / "extra.txt"
    path.write_text(SEED_000.replace(ROW_02, ROW_02 + "\t77.77"), encoding="utf-8")
    assert unparsed(parse_file(path)) == [
        {"line": 140, "token": "77.77", "text": ROW_02 + "\t77.77"}
    ]


# Rows of table 02 in seed 000 (line: printed, with a cell a table reads as null instead).
DROPPED = {
    140: ("2011302\t一般行政管理事务\t6.54\t6.54\t", "2011302\t一般行政管理事务\t6.54\t△12.00\t"),
    141: ("2011307\t国内贸易管理\t16.06\t16.06\t", "2011307\t国内贸易管理\t16.06\t12.00元\t"),
    142: ("2011308\t招商引资\t4387.68\t4387.68\t", "2011308\t招商引资\t4387.68\t(1.00)\t"),
}


def test_a_cell_dropped_to_null_counts_as_unparsed(tmp_path: Path) -> None:
    text = SEED_000
    for old, new in DROPPED.values():
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "marked.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path)
    rows = {
        row["source_line"]: row
        for table in parsed["tables"]
        if table["kind"] == "income_by_function"
        for row in table["rows"]
    }
    assert [rows[n]["fiscal_appropriation_income_10k_yuan"] for n in DROPPED] == [None] * 3
    warned = {i["line"] for i in parsed["report"]["issues"] if i["code"] == "unparsed-amount"}
    assert warned == {140, 141, 142}
    assert [(t["line"], t["token"]) for t in unparsed(parsed)] == [
        (140, "△12.00"),
        (141, "12.00元"),
        (142, "(1.00)"),
    ]
    coverage = parsed["report"]["coverage"]
    assert (coverage["tokens"], coverage["unparsed"]) == (799, 3)  # as many tokens as the seed
    assert coverage["accounted_percent"] == "99.62"
    assert "3 unparsed (99.62% accounted for)" in format_summary(parsed)


def test_a_marked_number_kept_as_printed_has_landed() -> None:
    printed = "其他\t△12.00\t(1.00)"
    region = Region("other:其他表", [Line(7, printed, printed)])
    region.landed = list(landed_values([{"source_line": 7, "cells": ["其他", "△12.00", "(1.00)"]}]))
    report = account(region)
    assert (report["tokens"], report["landed"], report["unparsed"]) == (2, 2, [])
