"""Table bodies: one reader per printed layout, driven by the table kind's schema.

Layouts (named in each schema's ``x-table.layout``):

- ``classified``: code, name, amounts (function or economic classification rows);
- ``two_sided``: an income block and an expenditure block side by side on each line;
- ``economic_groups``: (code, name, amount) groups side by side (决算 06);
- ``three_public_wide``: one line of budget and final figures (决算 09);
- ``statistics``: sectioned item / 行次 / value lines (决算 10);
- ``named_rows``: one or two name cells, then amounts (budget 06, 10-13).

Each reader returns the rows (named fields, exact decimals, the source line of each row),
the header lines it recognised, printed numbers that belong to no item (the 行次 of blank
lines) and the issues it found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from builder.declarations import CLASS_LEVEL, ITEM_LEVEL, SECTION_LEVEL, TOTAL_LEVEL
from builder.parse.amounts import AmountError, is_numeric_token, parse_amount, parse_count
from builder.parse.catalogue import Catalogue, TableKind
from builder.parse.report import Issue
from builder.sources.reading import Line

CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
TOP_ORDINAL = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
SUB_ORDINAL = re.compile(r"^\s*(?:\d{1,2}\s*[.、．]|[（(]\d{1,2}[)）])")
LEVELS = {3: CLASS_LEVEL, 5: SECTION_LEVEL, 7: ITEM_LEVEL}  # by the code's length
CLASS_DIGITS, SECTION_DIGITS = 3, 5

Row = dict[str, Any]


@dataclass
class TableBody:
    """What a layout reader found in a table's body lines."""

    rows: list[Row] = field(default_factory=list)
    header_lines: set[int] = field(default_factory=set)
    placeholders: list[tuple[int, Decimal]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What a reader may need besides its lines."""

    catalogue: Catalogue
    unit_name: str | None
    scale: Decimal = Decimal(1)  # printed money unit → 万元 (元: 0.0001)
    groups: int | None = None  # side-by-side repeats found in the header


class Reader:
    """Shared helpers of the layout readers."""

    def __init__(self, kind: TableKind, context: Context) -> None:
        self.kind = kind
        self.context = context
        self.catalogue = context.catalogue
        self.body = TableBody()
        self.headers = {
            self.catalogue.name(c) for c in self.catalogue.variants["header_first_cells"]
        }

    def new_row(self, line: Line, **values: Any) -> Row:
        row: Row = dict.fromkeys(self.kind.field_names)
        row.update(values)
        row["row_number"] = len(self.body.rows) + 1
        row["source_line"] = line.number
        self.body.rows.append(row)
        return row

    def issue(self, line: Line | None, code: str, message: str, severity: str = "warning") -> None:
        number = line.number if line else None
        self.body.issues.append(Issue(severity, code, number, message, self.kind.stem))  # type: ignore[arg-type]

    def amount(self, line: Line, cell: str, field_name: str) -> Decimal | None:
        """Parse an amount cell; report what is not a number."""
        try:
            amount = parse_amount(cell)
        except AmountError as exc:
            self.issue(line, "unparsed-amount", f"{field_name}: {exc}")
            return None
        if amount.kind == "not_applicable":
            self.issue(line, "not-applicable", f"{field_name} printed as {cell!r}", "info")
        return scaled(amount.value, self.context.scale)

    def fill(self, row: Row, line: Line, cells: Sequence[str], columns: Sequence[str]) -> None:
        """Fill ``columns`` of ``row`` from ``cells`` by position."""
        amounts = set(self.kind.amount_fields)
        for name, cell in zip(columns, cells, strict=False):
            if name in amounts:
                row[name] = self.amount(line, cell, name)
            elif name == "line_no":
                row[name] = self.integer(line, cell, name)
            elif name in row:
                row[name] = cell or None

    def integer(self, line: Line, cell: str, name: str) -> int | None:
        try:
            return parse_count(cell)
        except AmountError as exc:
            self.issue(line, "unparsed-number", f"{name}: {exc}")
            return None

    def is_header(self, cells: Sequence[str]) -> bool:
        first = next((c for c in cells if c), "")
        return self.catalogue.name(first) in self.headers or is_column_numbers(
            cells, self.catalogue
        )

    def check_width(self, line: Line, cells: Sequence[str], width: int) -> list[str]:
        """Pad short lines; report non-empty cells beyond the declared width."""
        extra = [c for c in cells[width:] if c]
        if extra:
            self.issue(
                line, "extra-cells", f"{len(extra)} cell(s) beyond the {width} columns: {extra}"
            )
        return list(cells[:width]) + [""] * max(0, width - len(cells))

    def item_key(self, name: str, seen: dict[str, str]) -> tuple[str | None, str | None]:
        """Key and function class of a line item; repeated names key as breakdowns."""
        if not name:
            return None, None
        function_code = self.catalogue.alias("function_classes", name)
        if function_code:
            return f"function:{function_code}", function_code
        key = self.catalogue.alias("item_keys", name)
        if key is None:
            return None, None
        if SUB_ORDINAL.match(name) and seen.get("__last_top__"):
            # "1. 一般公共预算资金" under "一、财政拨款收入": a breakdown of that line
            key = f"{seen['__last_top__']}.{key}"
            seen[name] = key
            return key, None
        if TOP_ORDINAL.match(name):
            seen["__last_top__"] = key
        if key in seen.values():
            parent = seen.get("__last_total__")
            key = f"{parent}.{key}" if parent else key
        else:
            seen["__last_total__"] = key
        seen[name] = key
        return key, None


def is_column_numbers(cells: Sequence[str], catalogue: Catalogue) -> bool:
    """A 栏次 line: the non-empty cells (after an optional label) are 1, 2, 3, ..."""
    values = [c for c in cells if c and c not in catalogue.column_number_labels]
    if not values or not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] in (1, 2)


def has_numbers(cells: Sequence[str]) -> bool:
    return any(is_numeric_token(c) for c in cells)


def level_of(code: str) -> str:
    return LEVELS[len(code)]


def parent_of(code: str) -> str | None:
    return code[:-2] if len(code) > CLASS_DIGITS else None


# --------------------------------------------------------------------------- layouts


def read_classified(kind: TableKind, lines: Sequence[Line], context: Context) -> TableBody:
    reader = Reader(kind, context)
    columns: list[str] = kind.columns
    code_field, name_field = columns[0], columns[1]
    for line in lines:
        cells = line.cells
        if not line.has_cells:
            if has_numbers(cells):
                reader.issue(line, "stray-number", f"number outside the table grid: {line.text!r}")
            continue
        if reader.is_header(cells):
            reader.body.header_lines.add(line.number)
            continue
        cells = reader.check_width(line, cells, len(columns))
        code, name = cells[0], cells[1]
        total = context.catalogue.is_total(code) or (not code and context.catalogue.is_total(name))
        if CODE.match(code):
            row = reader.new_row(line, level=level_of(code), parent_code=parent_of(code))
        elif total:
            row = reader.new_row(line, level=TOTAL_LEVEL)
            cells = ["", TOTAL_LEVEL, *cells[2:]]
        elif has_numbers(cells):
            reader.issue(line, "unknown-row", f"a row without a classification code: {cells[:2]}")
            continue
        else:
            continue
        reader.fill(row, line, cells, columns)
        row[code_field] = code if CODE.match(code) else None
        row[name_field] = cells[1] or None
    return reader.body


def read_two_sided(kind: TableKind, lines: Sequence[Line], context: Context) -> TableBody:
    reader = Reader(kind, context)
    sides: dict[str, list[str]] = kind.columns
    widths = {side: len(cols) for side, cols in sides.items()}
    seen: dict[str, dict[str, str]] = {side: {} for side in sides}
    started = False
    for line in lines:
        cells = line.cells
        if not line.has_cells:
            continue
        if reader.is_header(cells) or (not started and not has_numbers(cells)):
            reader.body.header_lines.add(line.number)
            continue
        started = True
        cells = reader.check_width(line, cells, sum(widths.values()))
        offset = 0
        for side, columns in sides.items():
            block = cells[offset : offset + widths[side]]
            offset += widths[side]
            values = dict(zip(columns, block, strict=True))
            name = values.get("item_name", "")
            others = [v for k, v in values.items() if k not in ("item_name", "line_no")]
            if not name and not any(others):
                if values.get("line_no"):
                    number = reader.integer(line, values["line_no"], "line_no")
                    if number is not None:
                        reader.body.placeholders.append((line.number, Decimal(number)))
                continue
            key, function_code = reader.item_key(name, seen[side])
            if name and key is None:
                reader.issue(line, "unknown-item", f"{side} item not recognised: {name!r}", "info")
            row = reader.new_row(line, side=side, item_key=key, function_code=function_code)
            reader.fill(row, line, block, columns)
    return reader.body


def read_economic_groups(kind: TableKind, lines: Sequence[Line], context: Context) -> TableBody:
    reader = Reader(kind, context)
    groups: int = context.groups or kind.options["groups"]
    personnel: list[int] = kind.options["personnel_groups"]
    columns: list[str] = kind.columns
    width = len(columns)
    totals = {
        context.catalogue.name(k): v for k, v in context.catalogue.variants["group_totals"].items()
    }
    by_group: list[list[tuple[Line, list[str]]]] = [[] for _ in range(groups)]
    total_lines: list[tuple[Line, str, str]] = []
    for line in lines:
        cells = line.cells
        if not line.has_cells:
            continue
        labels = [i for i, c in enumerate(cells) if context.catalogue.name(c) in totals]
        if labels:
            for position, start in enumerate(labels):
                end = labels[position + 1] if position + 1 < len(labels) else len(cells)
                values = [c for c in cells[start + 1 : end] if c]
                if len(values) > 1:
                    reader.issue(line, "extra-cells", f"{cells[start]} has several values {values}")
                group = totals[context.catalogue.name(cells[start])]
                total_lines.append((line, group, values[0] if values else ""))
            continue
        if reader.is_header(cells):
            reader.body.header_lines.add(line.number)
            continue
        cells = reader.check_width(line, cells, width * groups)
        for group in range(groups):
            block = cells[group * width : (group + 1) * width]
            if any(block):
                by_group[group].append((line, block))
    for group, entries in enumerate(by_group):
        expense_group = "personnel" if group in personnel else "public"
        for line, block in entries:
            code = block[0]
            if not CODE.match(code) or len(code) > SECTION_DIGITS:
                if has_numbers(block[1:]) or block[0]:
                    reader.issue(
                        line, "unknown-row", f"not an economic code in group {group + 1}: {block}"
                    )
                continue
            amount = parse_cell(reader, line, block[2], columns[2])
            row = reader.new_row(
                line,
                level=level_of(code),
                parent_code=parent_of(code),
                expense_group=expense_group,
                not_applicable=amount == "na",
            )
            row[columns[0]] = code
            row[columns[1]] = block[1] or None
            row[columns[2]] = amount if isinstance(amount, Decimal) else None
    for line, group, cell in total_lines:
        amount = parse_cell(reader, line, cell, columns[2])
        label = next(k for k, v in context.catalogue.variants["group_totals"].items() if v == group)
        row = reader.new_row(
            line, level=TOTAL_LEVEL, expense_group=group, not_applicable=amount == "na"
        )
        row[columns[1]] = label
        row[columns[2]] = amount if isinstance(amount, Decimal) else None
    return reader.body


def parse_cell(reader: Reader, line: Line, cell: str, name: str) -> Decimal | str | None:
    """An amount that may be printed as —— (returned as "na")."""
    try:
        amount = parse_amount(cell)
    except AmountError as exc:
        reader.issue(line, "unparsed-amount", f"{name}: {exc}")
        return None
    if amount.kind == "not_applicable":
        return "na"
    return scaled(amount.value, reader.context.scale)


def scaled(value: Decimal | None, scale: Decimal) -> Decimal | None:
    """An amount in 万元, exactly: a table printed in 元 is divided by 10,000 with no
    rounding (``156,211,123`` 元 → ``15621.1123`` 万元)."""
    if value is None or scale == 1:
        return value
    converted = (value * scale).normalize() if value else value
    exponent = converted.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:  # 1E+1 → 10
        converted = converted.quantize(Decimal(1))
    return converted


def read_three_public_wide(kind: TableKind, lines: Sequence[Line], context: Context) -> TableBody:
    reader = Reader(kind, context)
    phases: dict[str, list[str]] = kind.columns
    width = sum(len(cols) for cols in phases.values())
    for line in lines:
        cells = line.cells
        if not line.has_cells:
            continue
        values = [c for c in cells if c]
        if (
            is_column_numbers(cells, context.catalogue)
            or not values
            or not all(is_numeric_token(c) for c in values)
        ):
            reader.body.header_lines.add(line.number)
            continue
        cells = reader.check_width(line, cells, width)
        offset = 0
        for phase, columns in phases.items():
            block = cells[offset : offset + len(columns)]
            offset += len(columns)
            row = reader.new_row(line, phase=phase)
            reader.fill(row, line, block, columns)
    return reader.body


def read_statistics(kind: TableKind, lines: Sequence[Line], context: Context) -> TableBody:
    reader = Reader(kind, context)
    catalogue = context.catalogue
    sections = {catalogue.name(k): v for k, v in catalogue.variants["statistics_sections"].items()}
    count_units: dict[str, str] = catalogue.variants["statistics_count_units"]
    section: str | None = None
    for line in lines:
        cells = line.cells
        if not line.has_cells:
            continue
        name, number, value = reader.check_width(line, cells, 3)
        heading = next((v for k, v in sections.items() if k in catalogue.name(name)), None)
        if heading and not number and not value:
            section = heading
            reader.body.header_lines.add(line.number)
            continue
        if reader.is_header(cells):
            reader.body.header_lines.add(line.number)
            continue
        key = catalogue.alias("statistics_items", name)
        if key is None:
            reader.issue(line, "unknown-item", f"statistics item not recognised: {name!r}", "info")
        row = reader.new_row(line, section=section, item_name=name or None, item_key=key)
        row["line_no"] = reader.integer(line, number, "line_no")
        if key in count_units or "(辆)" in catalogue.name(name):
            row["count"] = reader.integer(line, value, "count")
            row["count_unit"] = count_units.get(key or "", "辆")
        else:
            row["amount_10k_yuan"] = reader.amount(line, value, "amount_10k_yuan")
    return reader.body


def read_named_rows(kind: TableKind, lines: Sequence[Line], context: Context) -> TableBody:
    reader = Reader(kind, context)
    columns: list[str] = kind.columns
    names: int = kind.options.get("names", 1)
    keyed = kind.options.get("keyed", False)
    projects = kind.options.get("projects", False)
    started = False
    for line in lines:
        cells = line.cells
        if not line.has_cells:
            continue
        if reader.is_header(cells) or (not started and not has_numbers(cells) and not cells[0]):
            reader.body.header_lines.add(line.number)
            continue
        started = True
        cells = reader.check_width(line, cells, len(columns))
        cells = label_from_code(cells, columns, names, context)
        if not any(cells[:names]):
            if has_numbers(cells):
                reader.issue(line, "unknown-row", f"a row without a name: {cells}")
            continue
        row = reader.new_row(line)
        reader.fill(row, line, cells, columns)
        first = cells[0]
        code = row.get("economic_code") or ""
        if "level" in row:
            row["level"] = (
                TOTAL_LEVEL
                if context.catalogue.is_total(first)
                else (
                    level_of(code)
                    if CODE.match(code)
                    else (SECTION_LEVEL if cells[1] else CLASS_LEVEL)
                )
            )
        if keyed:
            row["item_key"] = context.catalogue.alias("item_keys", first)
            if row["item_key"] is None:
                reader.issue(line, "unknown-item", f"item not recognised: {first!r}", "info")
        if projects:
            row["row_type"] = "project"
    if projects:
        mark_aggregates(reader.body.rows, context)
    return reader.body


def label_from_code(
    cells: list[str], columns: Sequence[str], names: int, context: Context
) -> list[str]:
    """A 合计 printed in the code column of a named table is the row's name."""
    codes = [i for i, name in enumerate(columns) if name.endswith("_code")]
    if not codes or any(cells[:names]):
        return cells
    label = cells[codes[0]]
    if context.catalogue.is_total(label):
        cells = list(cells)
        cells[0], cells[codes[0]] = label, ""
    return cells


def mark_aggregates(rows: list[Row], context: Context) -> None:
    """Rows up to the one naming the unit itself are department/unit subtotals."""
    if not context.unit_name:
        return
    unit = context.catalogue.name(context.unit_name)
    names = [context.catalogue.name(row.get("project_name") or "") for row in rows]
    if unit in names:
        for row in rows[: names.index(unit) + 1]:
            row["row_type"] = "aggregate"


LAYOUTS: dict[str, Callable[[TableKind, Sequence[Line], Context], TableBody]] = {
    "classified": read_classified,
    "two_sided": read_two_sided,
    "economic_groups": read_economic_groups,
    "three_public_wide": read_three_public_wide,
    "statistics": read_statistics,
    "named_rows": read_named_rows,
}
