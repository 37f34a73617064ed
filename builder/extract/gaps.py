"""Unruled tables: printed lines split into cells where their characters leave a wide gap.

Publishers that draw no ruling lines still align their table columns, so a row prints as
one line with wide gaps between cells. On a page without a ruled table, a line is split at
every gap wider than :data:`GAP_WIDTHS` character widths (of the wider character beside the
gap), and is a row only when that gives two cells or more and one of them is a number (an
amount, a code, a count). Narrative lines have no such gaps, or no number cell, and stay
plain lines.

Consecutive rows are one table: its columns are the horizontal bands their cells cover
(cells that overlap across rows are one column), and each row has a cell in every column,
empty where it prints nothing, so that an amount stays under its column when the one
before it is blank.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pdfplumber.utils.text import extract_text

from builder.extract.baselines import Char
from builder.extract.cells import clean_text, format_row

GAP_WIDTHS = 2.0
NUMBER = re.compile(r"[-−+]?\d[\d,，]*(?:\.\d+)?%?")

Run = list[Char]  # the characters of one cell, left to right
Band = tuple[float, float]  # a column's left and right edge


def is_number(cell: str) -> bool:
    """A whole cell that is an amount, code or count (``1,511.90``, ``201``, ``-3.5``, ``12%``)."""
    return NUMBER.fullmatch(cell.replace(" ", "")) is not None


def split_at_gaps(chars: Sequence[Char]) -> list[Run]:
    """The line's characters in runs separated by wide gaps (spaces do not count as ink)."""
    inked = sorted((c for c in chars if c["text"].strip()), key=lambda c: c["x0"])
    runs: list[Run] = []
    previous: Char | None = None
    for char in inked:
        if previous is None or char["x0"] - previous["x1"] > GAP_WIDTHS * max(
            previous["width"], char["width"]
        ):
            runs.append([])
        runs[-1].append(char)
        previous = char
    return runs


def run_text(run: Run) -> str:
    return clean_text(extract_text(run))


def row_runs(chars: Sequence[Char]) -> list[Run] | None:
    """The cells of a printed line that is a table row, or None for a plain line."""
    runs = split_at_gaps(chars)
    if len(runs) < 2 or not any(is_number(run_text(run)) for run in runs):  # noqa: PLR2004
        return None
    return runs


def extent(run: Run) -> Band:
    return min(c["x0"] for c in run), max(c["x1"] for c in run)


def column_bands(rows: list[list[Run]]) -> list[Band]:
    """The columns of consecutive rows: the bands their cells cover, overlapping ones merged."""
    bands: list[Band] = []
    for left, right in sorted(extent(run) for runs in rows for run in runs):
        if bands and left <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], right))
        else:
            bands.append((left, right))
    return bands


def place(runs: list[Run], bands: list[Band]) -> list[str]:
    """A row's cells in its table's columns, empty where the row prints nothing (two cells
    that fall in one column share it, separated by a space)."""
    cells = [""] * len(bands)
    for run in runs:
        left, right = extent(run)
        column = next(i for i, (x0, x1) in enumerate(bands) if x0 <= left and right <= x1)
        cells[column] = f"{cells[column]} {run_text(run)}".strip()
    return cells


def gap_lines(lines: Sequence[tuple[str, Sequence[Char]]]) -> list[str]:
    """The output line of each printed line (its text and characters) of a page without a
    ruled table: a row of cells, or its text."""
    found = [row_runs(chars) for _, chars in lines]
    out = [clean_text(text) for text, _ in lines]
    start = 0
    while start < len(found):
        if found[start] is None:
            start += 1
            continue
        end = start
        while end < len(found) and found[end] is not None:
            end += 1
        table = [runs for runs in found[start:end] if runs is not None]
        bands = column_bands(table)
        for index, runs in enumerate(table, start=start):
            out[index] = format_row(place(runs, bands)) or out[index]
        start = end
    return out
