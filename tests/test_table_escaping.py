"""A `|` (or any character with a meaning in a Markdown table) in a disclosure's text never
splits or shifts a table cell: the page and README tables are rendered with Python-Markdown's
``tables`` extension, as MkDocs renders them, and every row keeps its cells and their text.

(The citizen-pages work tests the escaping of its templates; this covers the escaping
functions pages and package READMEs use today.)
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import markdown
import pytest

from builder.pages.markup import md_table, text
from builder.publish import readme
from builder.publish.readme_markup import markdown_text

HOSTILE_CELLS = ["a|b", "|", "a \\| b", "`x|y`", "**|**", "[l|k](u)", "<b>|</b>", "a||b"]


class Cells(HTMLParser):
    """The text of every cell of every row of the rendered tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def rendered_cells(source: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(markdown.markdown(source, extensions=["tables"]))
    return parser.rows


@pytest.mark.parametrize("cell", HOSTILE_CELLS)
def test_a_page_table_cell_keeps_its_text_and_place(cell: str) -> None:
    table = md_table(["名称", "金额"], [[text(cell), text("5,837.92")]])
    assert rendered_cells(table) == [["名称", "金额"], [cell, "5,837.92"]]


@pytest.mark.parametrize("cell", HOSTILE_CELLS)
@pytest.mark.parametrize("escape", [markdown_text, readme.document_text])
def test_a_readme_table_cell_keeps_its_text_and_place(
    cell: str, escape: Callable[[object], str]
) -> None:
    table = f"| a | b |\n|---|---|\n| {escape(cell)} | 1 |\n"
    assert rendered_cells(table) == [["a", "b"], [cell, "1"]]


@pytest.mark.parametrize("value", ["a|b", "|", "a||b", "x|1|y"])
def test_our_own_values_in_a_readme_table_keep_their_pipes(value: str) -> None:
    """``readme.text`` is for identifiers and numbers (no markup); pipes are still escaped."""
    table = f"| a | b |\n|---|---|\n| {readme.text(value)} | 1 |\n"
    assert rendered_cells(table) == [["a", "b"], [value, "1"]]
