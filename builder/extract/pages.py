"""One page's lines in reading order: ruled table rows and the text around them.

On a page with ruled tables (``builder.extract.tables``), each table is a block of rows at
the table's top edge and the characters in no table cell give the plain lines (as
pdfplumber's ``extract_text`` prints them, but grouped on the characters' baselines). On a
page without one, every printed line goes through the gap splitter (``builder.extract.gaps``).
Blocks are ordered top to bottom.
"""

from __future__ import annotations

from typing import Any

from pdfplumber.page import Page
from pdfplumber.utils.text import chars_to_textmap

from builder.extract.baselines import Char, aligned
from builder.extract.cells import clean_text
from builder.extract.gaps import gap_lines
from builder.extract.overprint import without_overprint
from builder.extract.tables import cell_boxes, in_a_cell, ruled_tables, table_lines

TEXT, TABLE = 0, 1  # at the same height, a line of text comes before a table


def text_lines(page: Page, chars: list[Char]) -> list[dict[str, Any]]:
    """The printed lines of ``chars`` as ``page.extract_text_lines()`` gives them, grouped
    on the characters' baselines (``builder.extract.baselines``)."""
    textmap = chars_to_textmap(
        aligned(chars), layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height
    )
    return textmap.extract_text_lines(strip=True, return_chars=True)


def page_lines(page: Page) -> list[str]:
    """The page's content lines, top to bottom (without the page marker)."""
    page = without_overprint(page)
    chars = page.chars
    tables = ruled_tables(page)
    blocks: list[tuple[float, int, int, list[str]]] = []
    if tables:
        cells = cell_boxes(tables)
        for index, table in enumerate(tables):
            blocks.append((table.bbox[1], TABLE, index, table_lines(table, chars)))
        outside = [char for char in chars if not in_a_cell(char, cells)]
        for index, line in enumerate(text_lines(page, outside)):
            blocks.append((line["top"], TEXT, index, [clean_text(line["text"])]))
    else:
        lines = text_lines(page, chars)
        printed = gap_lines([(line["text"], line["chars"]) for line in lines])
        for index, (line, text) in enumerate(zip(lines, printed, strict=True)):
            blocks.append((line["top"], TEXT, index, [text]))
    blocks.sort(key=lambda block: block[:3])
    return [line for *_, lines in blocks for line in lines if line]
