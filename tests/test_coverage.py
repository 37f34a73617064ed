"""The numeric-token coverage report: every token accounted for, at a bounded cost."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

from builder.parse import parse_file
from builder.parse.coverage import EXCERPT_CONTEXT
from builder.parse.summary import format_summary, to_json
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
