"""A parsed table as a readable HTML table: Chinese headings with units, levels indented.

Technical columns (row numbers, source lines, keys, parent codes) are left to the downloads.
Amount columns blank in every row are named under the table instead of shown; rows blank in
every amount column are counted instead of shown (the downloads keep every row). ``——``
marks a cell the table prints as not applicable. Tables with income and expenditure side by
side (01, 04, 预算公开表1 and 4) are shown as two tables. A table of no standard kind is shown
as printed: its header rows and its cells as printed text.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from builder import declarations
from builder.declarations import levels
from builder.pages.markup import HtmlTable, number
from builder.pages.templating import render

HIDDEN = {
    "row_number",
    "source_line",
    "item_key",
    "parent_code",
    "level",
    "side",
    "not_applicable",
    "row_type",
    "function_code_level",
}
LEVEL_CLASS = dict(zip(levels(), ("level-total", "level-1", "level-2", "level-3"), strict=True))
NAME_FIELDS = {
    "function_name",
    "economic_name",
    "item_name",
    "department_economic_name",
    "project_name",
    "revenue_name",
}


def _is_measure(field: dict[str, Any]) -> bool:
    return declarations.is_amount(field) or field["name"] == "count"


def _heading(field: dict[str, Any]) -> str:
    unit = field.get("unit")
    return f"{field['title']}（{unit}）" if unit else str(field["title"])


def _reader(field: dict[str, Any]) -> Callable[[dict[str, Any]], str]:
    """What a cell of ``field`` shows of its row, worked out once a column."""
    name = field["name"]
    if _is_measure(field):
        counted = name == "count"

        def measure(row: dict[str, Any]) -> str:
            value = row.get(name)
            if value is None:
                return "——" if row.get("not_applicable") else ""
            if counted and row.get("count_unit"):
                return f"{number(value)} {row['count_unit']}"
            return number(value) if isinstance(value, Decimal | int) else str(value)

        return measure
    labelled = declarations.value_labels().get(name)  # the x-labels of the declarations
    if labelled is not None:

        def label(row: dict[str, Any]) -> str:
            value = row.get(name)
            return labelled.get(str(value), "" if value is None else str(value))

        return label

    def plain(row: dict[str, Any]) -> str:
        value = row.get(name)
        return "" if value is None else str(value)

    return plain


def _row_class(row: dict[str, Any]) -> str:
    if row.get("row_type") == "aggregate":
        return "level-total"
    return LEVEL_CLASS.get(str(row.get("level")), "")


def _blank(row: dict[str, Any], measures: list[dict[str, Any]]) -> bool:
    if row.get("not_applicable"):
        return False
    return all(row.get(field["name"]) is None for field in measures)


def render_table(table: dict[str, Any], label: str) -> str:
    """The table's rows as HTML (one or two tables, captioned ``label`` and the side) and a
    note on what was left out."""
    fields = [f for f in table["fields"] if f["name"] not in HIDDEN and f["name"] != "count_unit"]
    rows: list[dict[str, Any]] = table["rows"]
    measures = [f for f in fields if _is_measure(f)]
    empty_columns = [f for f in measures if all(r.get(f["name"]) is None for r in rows)]
    groups: list[tuple[str, list[dict[str, Any]]]]
    if any("side" in row for row in rows):
        sides = declarations.value_labels()["side"]  # income → 收入, expenditure → 支出
        groups = [(sides[side], [r for r in rows if r.get("side") == side]) for side in sides]
    else:
        groups = [("", rows)]
    out: list[str] = []
    hidden_rows = 0
    for caption, group_rows in groups:
        shown_rows = [row for row in group_rows if not _blank(row, measures)]
        hidden_rows += len(group_rows) - len(shown_rows)
        # A column blank in every shown row of this group is left out of it.
        shown = [
            f
            for f in fields
            if f not in empty_columns and any(row.get(f["name"]) is not None for row in shown_rows)
        ]
        html_table = HtmlTable(
            headers=[_heading(f) for f in shown],
            numeric={i for i, f in enumerate(shown) if _is_measure(f)},
            caption=f"{label}（{caption}）" if caption else label,
            name_column=next((i for i, f in enumerate(shown) if f["name"] in NAME_FIELDS), None),
        )
        readers = [_reader(f) for f in shown]
        for row in shown_rows:
            html_table.add([read(row) for read in readers], _row_class(row))
        out.append(html_table.render())
    if empty_columns or hidden_rows:
        names = [f["title"] for f in empty_columns]
        out.append(render("table_notes.md.j2", empty_columns=names, hidden_rows=hidden_rows))
    return "\n".join(out)


def render_printed_table(table: dict[str, Any], caption: str) -> str:
    """A table of no standard kind as printed: its header rows, then its rows, every cell
    escaped, nothing parsed."""
    html_table = HtmlTable(
        headers=[], header_rows=[list(cells) for cells in table["header"]], caption=caption
    )
    for row in table["rows"]:
        html_table.add(row["cells"])
    return html_table.render()
