"""Ruled tables: found by pdfplumber's table finder from the page's ruling lines.

Only a page that draws lines, rectangles or curves can hold a ruled table, so the finder runs
on those pages alone. The characters the finder puts in no cell are the page's other text
(:func:`in_a_cell`). Each table row becomes one line of cells
(``builder.extract.cells``); a cell covered by a merged cell is empty; a row whose cells are
all empty is dropped.
"""

from __future__ import annotations

from pdfplumber.page import Page
from pdfplumber.table import Table, TableSettings
from pdfplumber.utils.text import extract_text

from builder.extract.baselines import Char, aligned
from builder.extract.cells import cell_text, format_row

# Cells are bounded by drawn lines on both axes; text alignment never makes a ruled cell.
RULED = TableSettings.resolve({"vertical_strategy": "lines", "horizontal_strategy": "lines"})


BBox = tuple[float, float, float, float]
Cells = list[tuple[BBox, list[BBox]]]  # each row's box and the boxes of its cells


def has_ruling(page: Page) -> bool:
    """Whether the page draws anything a ruled table's edges can come from."""
    return bool(page.lines or page.rects or page.curves)


def ruled_tables(page: Page) -> list[Table]:
    """The page's ruled tables, top to bottom (none when nothing is drawn on it)."""
    if not has_ruling(page):
        return []
    return sorted(page.find_tables(RULED), key=lambda table: (table.bbox[1], table.bbox[0]))


def cell_boxes(tables: list[Table]) -> Cells:
    """The rows and cells of ``tables``, to tell the characters in a cell from the rest."""
    return [
        (row.bbox, [cell for cell in row.cells if cell is not None])
        for table in tables
        for row in table.rows
    ]


def contains(box: BBox, x: float, y: float) -> bool:
    """Half-open, as the table finder assigns a character to a cell by its centre."""
    x0, top, x1, bottom = box
    return x0 <= x < x1 and top <= y < bottom


def centre(char: Char) -> tuple[float, float]:
    return (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2


def in_a_cell(char: Char, cells: Cells) -> bool:
    """Whether the table finder puts ``char`` in one of the cells: the characters that are
    not in one (even inside a table's outline) are text around the tables."""
    x, y = centre(char)
    return any(
        contains(row, x, y) and any(contains(cell, x, y) for cell in row_cells)
        for row, row_cells in cells
    )


def table_lines(table: Table, chars: list[Char]) -> list[str]:
    """The rows of ``table`` as lines of tab-separated cells, empty rows left out.

    Characters go to the cell that holds their centre, as in pdfplumber's ``Table.extract``;
    a cell's text is read from them put on their baselines (``builder.extract.baselines``),
    so that digits in another font keep their place in it.
    """
    lines = []
    for row in table.rows:
        in_row = [char for char in chars if contains(row.bbox, *centre(char))]
        texts = []
        for cell in row.cells:
            inside = [] if cell is None else [c for c in in_row if contains(cell, *centre(c))]
            texts.append(cell_text(extract_text(aligned(inside))) if inside else "")
        line = format_row(texts)
        if line is not None:
            lines.append(line)
    return lines
