"""One page's lines in reading order: ruled table rows and the text around them.

On a page with ruled tables (``builder.extract.tables``), each table is a block of rows at
the table's top edge and the characters in no table cell give the plain lines (as
pdfplumber's ``extract_text`` prints them). On a page without one, every printed line goes
through the gap splitter (``builder.extract.gaps``). Blocks are ordered top to bottom.
"""

from __future__ import annotations

from pdfplumber.page import Page

from builder.extract.cells import clean_text
from builder.extract.gaps import gap_line
from builder.extract.overprint import without_overprint
from builder.extract.tables import cell_boxes, in_a_cell, ruled_tables, table_lines

TEXT, TABLE = 0, 1  # at the same height, a line of text comes before a table


def page_lines(page: Page) -> list[str]:
    """The page's content lines, top to bottom (without the page marker)."""
    page = without_overprint(page)
    tables = ruled_tables(page)
    blocks: list[tuple[float, int, int, list[str]]] = []
    if tables:
        cells = cell_boxes(tables)
        outside = page.filter(
            lambda obj: obj.get("object_type") != "char" or not in_a_cell(obj, cells)
        )
        for index, table in enumerate(tables):
            blocks.append((table.bbox[1], TABLE, index, table_lines(table)))
        text_lines = outside.extract_text_lines()
        for index, line in enumerate(text_lines):
            blocks.append((line["top"], TEXT, index, [clean_text(line["text"])]))
    else:
        for index, line in enumerate(page.extract_text_lines()):
            blocks.append((line["top"], TEXT, index, [gap_line(line["text"], line["chars"])]))
    blocks.sort(key=lambda block: block[:3])
    return [line for *_, lines in blocks for line in lines if line]
