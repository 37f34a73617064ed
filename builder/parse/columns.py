"""Columns mapped from their header text, not their position.

A table body starts with header rows (one or several, with merged cells printed once) and
may repeat them after a page break. This module reads those rows into one *header path* per
printed column (the texts above it, top to bottom, a merged cell counted over every column
it spans), maps each column to a declared field by the header titles the schema lists beside
the field (``title`` and ``x-headers``), and rewrites every data line into the declared
column order, so that the layout readers (``tables.py``) never depend on where a publisher
put a column.

- Codes split over 类 / 款 / 项 columns are joined into one code.
- Two-sided tables (收入 | 支出) and tables of several phases (预算数 | 决算数) first split the
  columns into their groups by the group words of ``variants.yaml`` (``header_groups``).
- Side-by-side repeats of the same columns (the economic detail table) become groups.
- A column no field claims is kept as printed beside the table (``unmapped_columns``: its
  header and cells with their lines) and reported (``unmapped-column``); its numbers stay
  listed as unparsed in the coverage report.
- Without readable headers the declared order is used, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from builder.parse.amounts import is_numeric_token
from builder.parse.catalogue import Catalogue, TableKind
from builder.parse.report import Issue
from builder.parse.tables import CODE, is_column_numbers
from builder.sources.reading import Line

CODE_DIGITS = re.compile(r"^\d{2,3}$")
YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}年?度?$")
YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}年?度?")


@dataclass
class Conformed:
    """A table body rewritten into the declared column order."""

    lines: list[Line]
    header_lines: set[int] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    groups: int | None = None
    mapped_by: str = "header"
    joined: list[tuple[int, str]] = field(default_factory=list)  # (line, code part) joined
    printed: list[str] | None = None  # declared columns the header names (None: by position)
    unmapped: list[dict[str, Any]] = field(default_factory=list)  # columns kept as printed


@dataclass(frozen=True)
class Target:
    """Where a printed column goes: a group (side, phase or repeat) and a declared column."""

    group: str
    column: str
    part: int | None = None  # position of a 类/款/项 part within a split code


@dataclass(frozen=True)
class Header:
    """A body's header as read for one kind: its rows, where data starts, the width of the
    printed grid and one path of header texts per printed column."""

    rows: list[tuple[Line, list[str]]]
    data: list[tuple[Line, list[str]]]
    first_data: int | None
    width: int
    paths: list[list[str]]


def read_header(kind: TableKind, body: Sequence[Line], catalogue: Catalogue) -> Header:
    """The header rows of ``body`` (those before the first data row), as ``kind`` reads them."""
    rows = [(line, line.cells) for line in body if line.has_cells]
    header_rows, first_data = split_header(rows, catalogue, header_words(kind, catalogue))
    if not header_rows:
        return Header([], rows, first_data, 0, [])
    width = max(len(cells) for _, cells in header_rows)
    grid = [pad(cells, width) for _, cells in header_rows]
    if first_data is not None:
        data_cells = pad(rows[first_data][1], width)
        parts = [c if is_code_part(c, catalogue) else "" for c in data_cells]
        if any(parts):
            grid.append(parts)
    paths = header_paths([[header_text(c, catalogue) for c in row] for row in grid])
    return Header(header_rows, rows, first_data, width, paths)


def conform(kind: TableKind, body: Sequence[Line], catalogue: Catalogue) -> Conformed:
    """Map the columns of ``body`` by their headers and rewrite its lines in declared order."""
    header = read_header(kind, body, catalogue)
    rows, header_rows, width, paths = header.data, header.rows, header.width, header.paths
    result = Conformed(list(body))
    if not header_rows:
        result.mapped_by = "position"
        if rows:
            result.issues.append(
                Issue(
                    "info",
                    "columns-by-position",
                    rows[0][0].number,
                    f"{kind.title}: no header rows; columns read in the declared order",
                    kind.stem,
                )
            )
        return result
    targets = map_columns(kind, paths, catalogue)
    if targets is None:
        result.mapped_by = "position"
        result.issues.append(
            Issue(
                "info",
                "columns-by-position",
                header_rows[0][0].number,
                f"{kind.title}: the header names no declared column; columns read in the"
                " declared order",
                kind.stem,
            )
        )
        result.header_lines = set()
        return result
    mapping, groups = targets
    result.printed = sorted({t.column for t in mapping.values()})
    # every row's key once (the header rows are the first rows: split_header)
    keys = [row_key(cells, catalogue) for _, cells in rows]
    header_keys = set(keys[: len(header_rows)])
    data_rows = [
        row
        for row, key in zip(rows[len(header_rows) :], keys[len(header_rows) :], strict=True)
        if key not in header_keys
    ]
    for index in range(width):
        if index in mapping:
            continue
        kept = [
            {"source_line": line.number, "text": cells[index]}
            for line, cells in data_rows
            if index < len(cells) and cells[index] and not is_code_part(cells[index], catalogue)
        ]
        if not kept:
            continue
        title = "/".join(p for p in paths[index] if p)
        result.unmapped.append({"column": index + 1, "header": title, "cells": kept})
        result.issues.append(
            Issue(
                "warning",
                "unmapped-column",
                header_rows[0][0].number,
                f"{kind.title}: column {index + 1} ({title or 'no header'}) matches no declared"
                f" field; its {len(kept)} cell(s) are kept as printed under unmapped_columns",
                kind.stem,
            )
        )
    header_numbers = {line.number for line, _ in header_rows}
    layout_groups = group_names(kind, groups)
    plan = rewrite_plan(kind, mapping, layout_groups)
    code_columns = [index for index, target in mapping.items() if target.part is not None]
    lines: list[Line] = []
    read = iter(zip(rows, keys, strict=True))  # the cells and key of each line with cells
    for line in body:
        if not line.has_cells:
            lines.append(line)
            continue
        (_, printed), key = next(read)
        if line.number in header_numbers or key in header_keys:
            result.header_lines.add(line.number)
            continue
        extra = [c for c in printed[width:] if c]
        if extra:
            result.issues.append(
                Issue(
                    "warning",
                    "extra-cells",
                    line.number,
                    f"{len(extra)} cell(s) beyond the {width} columns of the header: {extra}",
                    kind.stem,
                )
            )
        cells = align(printed, width, catalogue)  # a new list
        for index in code_columns:
            if index < len(cells) and is_code_part(cells[index], catalogue):
                cells[index] = ""
        canonical = rewrite_by(plan, cells, catalogue)
        result.joined.extend(
            (line.number, cells[index])
            for index in code_columns
            if index < len(cells) and cells[index].isdigit()
        )
        lines.append(line.with_text("\t".join(canonical)))
    result.lines = lines
    result.groups = len(layout_groups)
    return result


# --------------------------------------------------------------------------- header rows


def header_words(kind: TableKind, catalogue: Catalogue) -> set[str]:
    """Every header title of the kind's columns, group words and code parts."""
    words = {name for names in field_aliases(kind, catalogue).values() for name in names}
    words.update(catalogue.variants["header_code_parts"])
    for names in catalogue.variants["header_groups"].get(kind.layout, {}).values():
        words.update(names)
    return words


def split_header(
    rows: Sequence[tuple[Line, list[str]]], catalogue: Catalogue, words: set[str]
) -> tuple[list[tuple[Line, list[str]]], int | None]:
    """The leading header rows and the index of the first data row."""
    headers: list[tuple[Line, list[str]]] = []
    for index, (line, cells) in enumerate(rows):
        if is_data_row(cells, catalogue, words):
            return headers, index
        headers.append((line, cells))
    return headers, None


def is_data_row(cells: Sequence[str], catalogue: Catalogue, words: set[str]) -> bool:
    """A row with amounts, a classification code first, or a 合计 label first that is not
    followed by header words."""
    values = [c for c in cells if c]
    if not values:
        return False
    if is_column_numbers(cells, catalogue):
        return False
    if any(is_numeric_token(c) for c in values):
        return True
    first = catalogue.name(cells[0])
    if CODE.match(first):
        return True
    others = [header_text(c, catalogue) for c in values[1:]]
    return first in catalogue.total_names and not any(o in words for o in others)


def is_code_part(cell: str, catalogue: Catalogue) -> bool:
    parts: list[str] = catalogue.variants["header_code_parts"]
    return catalogue.name(cell) in parts


def header_text(cell: str, catalogue: Catalogue) -> str:
    """A header cell as compared: folded, a leading year dropped (a lone year is 金额)."""
    name = catalogue.name(cell)
    if not name or name in catalogue.column_number_labels or name.isdigit():
        return ""
    if YEAR_ONLY.match(name):
        return str(catalogue.variants["lone_year_header"])
    return YEAR_PREFIX.sub("", name) or name


def header_paths(grid: Sequence[Sequence[str]]) -> list[list[str]]:
    """One path per column: each header row's text over it, merged cells spread over the
    columns they span (a cell spans right over empty cells that have text below them,
    within the span of the cell above it)."""
    if not grid:
        return []
    width = len(grid[0])
    paths: list[list[str]] = [[] for _ in range(width)]
    parents = [(0, width)] * width
    for r, row in enumerate(grid):
        below = [any(grid[k][c] for k in range(r + 1, len(grid))) for c in range(width)]
        spans = list(parents)
        c = 0
        while c < width:
            if not row[c]:
                c += 1
                continue
            start, end = c, c + 1
            limit = parents[c][1]
            while end < limit and not row[end] and below[end]:
                end += 1
            for k in range(start, end):
                paths[k].append(row[c])
                spans[k] = (start, end)
            c = end
        parents = spans
    return paths


def pad(cells: Sequence[str], width: int) -> list[str]:
    return list(cells[:width]) + [""] * max(0, width - len(cells))


def row_key(cells: Sequence[str], catalogue: Catalogue) -> tuple[str, ...]:
    return tuple(catalogue.name(c) for c in cells if c)


def align(cells: Sequence[str], width: int, catalogue: Catalogue) -> list[str]:
    """A row printed with fewer cells than the header (a label spanning the code and name
    columns) keeps its label first and its amounts in the last columns."""
    if len(cells) >= width or not cells:
        return list(cells)
    first = catalogue.name(cells[0])
    if first in catalogue.total_names and any(is_numeric_token(c) for c in cells[1:]):
        return [cells[0], *[""] * (width - len(cells)), *cells[1:]]
    return pad(cells, width)


# --------------------------------------------------------------------------- mapping


def declared_groups(kind: TableKind) -> dict[str, list[str]]:
    if isinstance(kind.columns, dict):
        return {str(k): list(v) for k, v in kind.columns.items()}
    return {"": list(kind.columns)}


def group_names(kind: TableKind, groups: int) -> list[str]:
    declared = declared_groups(kind)
    if kind.layout == "economic_groups":
        return [str(i) for i in range(groups)]
    return list(declared)


def field_aliases(kind: TableKind, catalogue: Catalogue) -> dict[str, set[str]]:
    """Header titles of each declared column: its title and its ``x-headers``."""
    by_name = {f["name"]: f for f in kind.fields}
    aliases: dict[str, set[str]] = {}
    for columns in declared_groups(kind).values():
        for column in columns:
            spec: dict[str, Any] = by_name.get(column, {})
            titles = [spec.get("title", column), *spec.get("x-headers", [])]
            aliases[column] = {catalogue.name(t) for t in titles}
    return aliases


def group_of(path: Sequence[str], catalogue: Catalogue, kind: TableKind) -> str | None:
    words: dict[str, list[str]] = catalogue.variants["header_groups"].get(kind.layout, {})
    for text in path:
        for group, names in words.items():
            if any(text == name or text.endswith(name) for name in names):
                return group
    return None


def match_column(
    path: Sequence[str], aliases: dict[str, set[str]], catalogue: Catalogue
) -> tuple[str, int | None] | None:
    """The declared column whose header title is the deepest text of ``path``."""
    parts: list[str] = catalogue.variants["header_code_parts"]
    code_columns = [c for c in aliases if c.endswith("_code") or c == "code"]
    for depth in range(len(path) - 1, -1, -1):
        text = path[depth]
        if not text:
            continue
        if text in parts and code_columns:
            return code_columns[0], parts.index(text)
        found = [column for column, names in aliases.items() if text in names]
        if len(found) == 1:
            return found[0], None
    return None


def map_columns(
    kind: TableKind, paths: Sequence[Sequence[str]], catalogue: Catalogue
) -> tuple[dict[int, Target], int] | None:
    """Printed column index → target; ``None`` when the header names no declared column."""
    declared = declared_groups(kind)
    aliases = field_aliases(kind, catalogue)
    mapping: dict[int, Target] = {}
    names = list(declared)
    current = names[0]
    repeat = 0
    worded = False
    seen_in_group: set[tuple[str, int | None]] = set()
    for index, path in enumerate(paths):
        if kind.layout == "economic_groups":
            matched = match_column(path, aliases, catalogue)
            if matched is None:
                continue
            if matched in seen_in_group:
                repeat += 1
                seen_in_group = set()
            seen_in_group.add(matched)
            mapping[index] = Target(str(repeat), matched[0], matched[1])
            continue
        group = group_of(path, catalogue, kind) if len(names) > 1 else names[0]
        worded = worded or (len(names) > 1 and group is not None)
        if group is None:
            group = current
        current = group
        group_aliases = {c: aliases[c] for c in declared[group]}
        matched = match_column(path, group_aliases, catalogue)
        if matched is None:
            continue
        target = Target(group, matched[0], matched[1])
        if any(t == target for t in mapping.values()):
            position = names.index(group)
            if worded or position + 1 >= len(names):
                continue
            # no group words in the header: a repeated column starts the next group
            current = group = names[position + 1]
            matched = match_column(path, {c: aliases[c] for c in declared[group]}, catalogue)
            if matched is None:
                continue
            target = Target(group, matched[0], matched[1])
        mapping[index] = target
    amounts = set(kind.amount_fields)
    if not any(t.column in amounts for t in mapping.values()):
        return None
    return mapping, repeat + 1


def rewrite(
    kind: TableKind,
    cells: Sequence[str],
    mapping: dict[int, Target],
    groups: Sequence[str],
    catalogue: Catalogue,
) -> list[str]:
    """``cells`` in the declared order of every group, split codes joined."""
    return rewrite_by(rewrite_plan(kind, mapping, groups), cells, catalogue)


Plan = list[tuple[list[str], list[tuple[int, Target]]]]


def rewrite_plan(kind: TableKind, mapping: dict[int, Target], groups: Sequence[str]) -> Plan:
    """For each group, its declared columns and the printed columns mapped to it (made once
    per table, used on every row)."""
    declared = declared_groups(kind)
    plan: Plan = []
    for group in groups:
        columns = declared[group] if group in declared else next(iter(declared.values()))
        plan.append((columns, [(i, t) for i, t in mapping.items() if t.group == group]))
    return plan


def rewrite_by(plan: Plan, cells: Sequence[str], catalogue: Catalogue) -> list[str]:
    """``cells`` rewritten by a :func:`rewrite_plan`."""
    out: list[str] = []
    for columns, targets in plan:
        values: dict[str, str] = {}
        code_parts: dict[str, dict[int, str]] = {}
        for index, target in targets:
            if index >= len(cells):
                continue
            if target.part is None:
                values[target.column] = cells[index]
            else:
                code_parts.setdefault(target.column, {})[target.part] = cells[index]
        for column, parts in code_parts.items():
            values[column] = join_code([parts[k] for k in sorted(parts)], catalogue)
        out.extend(values.get(column, "") for column in columns)
    return out


def join_code(parts: Sequence[str], catalogue: Catalogue) -> str:
    """类 ``201`` + 款 ``06`` + 项 ``01`` → ``2010601``; a label in the 类 column stays.

    A 款 or 项 printed without its leading zero (``2`` for ``02``, as spreadsheets print it)
    is read as two digits."""
    present = [p.strip() for p in parts if p.strip()]
    if present and all(CODE_DIGITS.match(p) or p.isdigit() for p in present):
        head, *rest = present
        return head + "".join(part.zfill(2) for part in rest)
    return "".join(present) if present else ""
