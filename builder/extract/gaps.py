"""Unruled tables: a printed line split into cells where its characters leave a wide gap.

Publishers that draw no ruling lines still align their table columns, so a row prints as
one line with wide gaps between cells. On a page without a ruled table, a line is split at
every gap wider than :data:`GAP_WIDTHS` character widths (of the wider character beside the
gap), and kept as a row only when that gives two cells or more and one of them is a number
(an amount, a code, a count). Narrative lines have no such gaps, or no number cell, and stay
plain lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pdfplumber.utils.text import extract_text

from builder.extract.baselines import Char
from builder.extract.cells import clean_text, format_row

GAP_WIDTHS = 2.0
NUMBER = re.compile(r"[-−+]?\d[\d,，]*(?:\.\d+)?%?")


def is_number(cell: str) -> bool:
    """A whole cell that is an amount, code or count (``1,511.90``, ``201``, ``-3.5``, ``12%``)."""
    return NUMBER.fullmatch(cell.replace(" ", "")) is not None


def split_at_gaps(chars: Sequence[Char]) -> list[list[Char]]:
    """The line's characters in runs separated by wide gaps (spaces do not count as ink)."""
    inked = sorted((c for c in chars if c["text"].strip()), key=lambda c: c["x0"])
    runs: list[list[Char]] = []
    previous: Char | None = None
    for char in inked:
        if previous is None or char["x0"] - previous["x1"] > GAP_WIDTHS * max(
            previous["width"], char["width"]
        ):
            runs.append([])
        runs[-1].append(char)
        previous = char
    return runs


def gap_line(text: str, chars: Sequence[Char]) -> str:
    """A printed line as a row of cells if it looks like a table row, else as plain text."""
    runs = split_at_gaps(chars)
    if len(runs) >= 2:  # noqa: PLR2004 - a row needs two cells
        cells = [clean_text(extract_text(run)) for run in runs]
        if any(is_number(cell) for cell in cells):
            row = format_row(cells)
            if row is not None:
                return row
    return clean_text(text)
