"""Tables of no standard kind, published as printed: ``other_table_<n>`` resources.

The parser keeps a table that matches no standard kind as printed (``parsed["other_tables"]``,
see ``builder.parse.generic``). Each becomes a resource of its disclosure's package, named by
its place in the document (``other_table_1``, ``other_table_2`` ...): the fields declared in
``declarations/other_table.schema.yaml`` (row number, source line and page), then one string
field per printed column, titled with the header text above it. Cells stay the printed text:
nothing is parsed, converted or invented. Each is listed in ``x-tables`` with the status
``as_printed``.
"""

from __future__ import annotations

from typing import Any

from builder.publish.inputs import Disclosure
from builder.publish.resources import Resource, shape_row
from builder.publish.schemas import public_schema, resource_declaration

OTHER_TABLE = "other_table"
AS_PRINTED = "as_printed"


def other_table_name(number: int) -> str:
    """The resource name of the ``number``-th table of no standard kind (1-based)."""
    return f"{OTHER_TABLE}_{number}"


def is_other_table(name: str) -> bool:
    """Whether a resource name is that of a table published as printed."""
    prefix = f"{OTHER_TABLE}_"
    return name.startswith(prefix) and name.removeprefix(prefix).isdigit()


def column_count(table: dict[str, Any]) -> int:
    """The number of printed columns: the widest header or data row."""
    widths = [len(cells) for cells in table["header"]]
    widths += [len(row["cells"]) for row in table["rows"]]
    return max(widths, default=0)


def column_titles(header: list[list[str]], count: int, separator: str) -> list[str | None]:
    """Per column, the header cells printed above it joined (empty parts skipped), or None."""
    titles: list[str | None] = []
    for index in range(count):
        parts = [row[index] for row in header if index < len(row) and row[index]]
        titles.append(separator.join(parts) or None)
    return titles


def other_table_schema(titles: list[str | None]) -> dict[str, Any]:
    """The Table Schema of a table published as printed, with the given column titles."""
    declared = resource_declaration(OTHER_TABLE)
    column = declared["x-column"]
    schema = public_schema(declared)
    for number, title in enumerate(titles, start=1):
        field: dict[str, Any] = {"name": column["name"].format(number=number)}
        field["type"] = column["type"]
        if title is not None:
            field["title"] = title
        field["description"] = column["description"].format(number=number)
        schema["fields"].append(field)
    return schema


def schema_of(table: dict[str, Any]) -> dict[str, Any]:
    """The schema of one printed table, titled from its own header rows."""
    separator = resource_declaration(OTHER_TABLE)["x-column"]["title_separator"]
    return other_table_schema(column_titles(table["header"], column_count(table), separator))


def other_table_rows(table: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The printed rows, numbered; cell ``k`` in ``column_<k>``, a missing cell empty."""
    fixed = len(resource_declaration(OTHER_TABLE)["fields"])
    names = [f["name"] for f in schema["fields"]][fixed:]
    rows = []
    for number, row in enumerate(table["rows"], start=1):
        values: dict[str, Any] = {
            "row_number": number,
            "source_line": row["source_line"],
            "source_page": row.get("source_page"),
        }
        values.update(zip(names, row["cells"], strict=False))
        rows.append(shape_row(schema, values))
    return rows


def description_of(table: dict[str, Any]) -> str:
    """The declared description, and the money unit printed over the table if there is one."""
    text = str(resource_declaration(OTHER_TABLE)["description"]).strip()
    unit = table.get("money_unit_printed")
    if unit:
        text += f" 原文金额单位 Printed money unit: {unit}."
    return text


def other_table_entries(disclosure: Disclosure, first_position: int) -> list[dict[str, Any]]:
    """``x-tables`` entries of the tables of no standard kind, numbered on from ``first_position``.

    They have no standard number or kind: ``kind`` is the name of the resource holding the rows.
    """
    return [
        {
            "position": first_position + index,
            "table_number": None,
            "kind": other_table_name(index + 1),
            "title": table["title"],
            "status": AS_PRINTED,
            "published": True,
            "row_count": len(table["rows"]),
            "printed_title": table["title"],
            "printed_number": None,
            "start_line": table["start_line"],
            "end_line": table["end_line"],
        }
        for index, table in enumerate(disclosure.parsed.get("other_tables", []))
    ]


def other_table_resources(disclosure: Disclosure) -> list[Resource]:
    """One resource per table of no standard kind, in document order."""
    resources = []
    for number, table in enumerate(disclosure.parsed.get("other_tables", []), start=1):
        schema = schema_of(table)
        source: dict[str, Any] = {
            "printed_title": table["title"],
            "start_line": table["start_line"],
            "end_line": table["end_line"],
            "page": table.get("page"),
            "money_unit_printed": table.get("money_unit_printed"),
            "header_rows": table["header"],
            "notes": table["notes"],
        }
        resources.append(
            Resource(
                name=other_table_name(number),
                title=table["title"],
                description=description_of(table),
                schema=schema,
                rows=other_table_rows(table, schema),
                properties={"x-status": AS_PRINTED, "x-source": source},
            )
        )
    return resources


def implied_schema(resource: dict[str, Any]) -> dict[str, Any] | None:
    """For an ``other_table_<n>`` resource of a descriptor, the schema the declaration implies
    with the resource's own column titles (None for any other resource)."""
    if not is_other_table(resource["name"]):
        return None
    fields = resource.get("schema", {}).get("fields", [])
    fixed = len(resource_declaration(OTHER_TABLE)["fields"])
    return other_table_schema([field.get("title") for field in fields[fixed:]])
