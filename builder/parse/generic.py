"""Tables that match no standard kind, kept as printed.

Such a table (a publisher's own, such as a 政府采购预算表) is published as a generic table: its
title, its header rows and its data rows as printed, each row with its source line and page.
Its numbers count in the coverage report like any other table's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builder.parse.amounts import is_numeric_token
from builder.parse.coverage import Region, landed_values
from builder.parse.patterns import MONEY_UNITS_FIRST, Patterns
from builder.sources.reading import Line


def read_other_table(
    title: Line, body: Sequence[Line], patterns: Patterns
) -> tuple[dict[str, Any], Region]:
    """A generic table: header rows (before the first row with a number), then data rows;
    the lines that name the unit or the money unit (``patterns.meta_line``) are not notes."""
    header: list[list[str]] = []
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    header_lines: set[int] = set()
    for line in body:
        if not line.has_cells:
            text = line.text.strip()
            if text and not patterns.meta_line.match(text):
                notes.append(text)
            continue
        cells = line.cells
        if not rows and not any(is_numeric_token(c) for c in cells):
            header.append(cells)
            header_lines.add(line.number)
            continue
        row: dict[str, Any] = {"cells": cells, "source_line": line.number}
        if line.page is not None:
            row["source_page"] = line.page
        rows.append(row)
    meta = " ".join(line.text.strip() for line in body if not line.has_cells and line.text.strip())
    record = {
        "title": title.text.strip(),
        "start_line": title.number,
        "end_line": max((ln.number for ln in body if ln.text.strip()), default=title.number),
        **({"page": title.page} if title.page is not None else {}),
        "money_unit_printed": next((u for u in MONEY_UNITS_FIRST if u in meta), None),
        "header": header,
        "rows": rows,
        "notes": notes,
    }
    region = Region(f"other:{record['title']}", list(body))
    region.landed = list(landed_values(rows))
    region.header_lines = header_lines
    return record, region
