"""Ruled tables: found by pdfplumber's table finder from the page's ruling lines.

Only a page that draws lines or rectangles can hold a ruled table, so the finder (the costly
part of extraction) runs on those pages alone. Each table row becomes one line of cells
(``builder.extract.cells``); a cell covered by a merged cell is empty; a row whose cells are
all empty is dropped.
"""

from __future__ import annotations

from pdfplumber.page import Page
from pdfplumber.table import Table, TableSettings

from builder.extract.cells import cell_text, format_row

# Cells are bounded by drawn lines on both axes; text alignment never makes a ruled cell.
RULED = TableSettings.resolve({"vertical_strategy": "lines", "horizontal_strategy": "lines"})


def has_ruling(page: Page) -> bool:
    return bool(page.lines or page.rects)


def ruled_tables(page: Page) -> list[Table]:
    """The page's ruled tables, top to bottom (none when nothing is drawn on it)."""
    if not has_ruling(page):
        return []
    return sorted(page.find_tables(RULED), key=lambda table: (table.bbox[1], table.bbox[0]))


def table_lines(table: Table) -> list[str]:
    """The rows of ``table`` as lines of tab-separated cells, empty rows left out."""
    lines = []
    for row in table.extract():
        line = format_row([cell_text(cell) for cell in row])
        if line is not None:
            lines.append(line)
    return lines
