"""The rules of the table family: completeness of the tables, and their arithmetic.

Hierarchy sums, row sums, balances and identities across tables, with the conventions of
:mod:`builder.validate.base`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from builder.declarations import CLASS_LEVEL, ITEM_LEVEL, SECTION_LEVEL, TOTAL_LEVEL
from builder.parse.catalogue import TableKind
from builder.validate.base import (
    HIERARCHY_WORDS,
    Cell,
    Disclosure,
    Row,
    Run,
    Selector,
    Wording,
    applicable,
    cell,
    cell_label,
    code_field,
    field_title,
    matches,
    name_field,
    row_label,
    table_label,
    table_order,
)


def family_kinds(run: Run) -> list[str]:
    """The kinds a check applies to that belong to this disclosure's family (budget/final)."""
    doc = run.doc
    kinds = [stem for stem in run.check.applies_to if doc.kind(stem).family == doc.family]
    return sorted(kinds, key=lambda stem: table_order(doc, stem))


def run_missing_tables(run: Run) -> None:
    """Each standard table of the family is there and readable."""
    doc = run.doc
    for stem in family_kinds(run):
        if stem not in doc.tables:  # the parse lists every table it expected
            continue
        run.evaluated += 1
        status = doc.status(stem)
        if status not in ("missing", "unreadable"):
            continue
        zh, en = table_label(doc, stem)
        table = doc.tables.get(stem, {})
        rows: tuple[int, ...]
        if status == "unreadable":
            rows = (int(table["start_line"]),) if table.get("start_line") else ()
            zh_why, en_why = "有标题但读不出任何数据行", "has a title but no row could be read"
        else:
            places = (table.get("expected_after_line"), table.get("expected_before_line"))
            rows = tuple(int(n) for n in places if n)
            if table.get("announced"):
                zh_why = "文本中没有此表的表体（目录中列有此表）"
                en_why = "has no body in the text (the table of contents lists it)"
            else:
                zh_why, en_why = "文本中没有此表", "is not in the text"
        title = doc.kind(stem).title
        run.state((stem,), rows, f"{zh}《{title}》缺失：{zh_why}。", f"{en} ({stem}) {en_why}.")


def prints_amounts(doc: Disclosure, stem: str, rows: Iterable[Row]) -> bool:
    kind = doc.kind(stem)
    names = [*kind.amount_fields, *(name for name in kind.field_names if name == "count")]
    return any(row.get(name) is not None for row in rows for name in names)


def run_empty_tables(run: Run) -> None:
    """Tables that are published without data (本表无数据, or no amount at all)."""
    doc = run.doc
    for stem in family_kinds(run):
        table = doc.tables.get(stem)
        status = doc.status(stem)
        if table is None or status not in ("empty", "parsed"):
            continue
        run.evaluated += 1
        if status == "parsed" and prints_amounts(doc, stem, table.get("rows", [])):
            continue
        zh, en = table_label(doc, stem)
        if status == "empty":
            zh_why, en_why = "注明“本表无数据”", "says 本表无数据 (no data)"
        else:
            zh_why, en_why = "未列任何金额", "prints no amount"
        line = table.get("start_line")
        run.state(
            (stem,),
            (int(line),) if line else (),
            f"{zh}《{doc.kind(stem).title}》为空表：{zh_why}。",
            f"{en} ({stem}) is empty: it {en_why}.",
        )


def run_empty_note_with_amounts(run: Run) -> None:
    """A table whose note says it is empty (本表无数据) but which prints amounts."""
    doc = run.doc
    for stem in family_kinds(run):
        table = doc.tables.get(stem)
        if table is None or doc.status(stem) != "parsed":
            continue
        run.evaluated += 1
        rows = table.get("rows", [])
        if not table.get("says_empty") or not prints_amounts(doc, stem, rows):
            continue
        zh, en = table_label(doc, stem)
        lines = sorted({int(row["source_line"]) for row in rows})
        run.state(
            (stem,),
            tuple(lines),
            f"{zh}《{doc.kind(stem).title}》注明本表无数据（或为空表），却列有金额。",
            f"{en} ({stem}) says it has no data, yet prints amounts.",
        )


def row_parents(kind: TableKind, rows: Sequence[Row]) -> list[tuple[int, int | None]]:
    """Each row that has a parent level, with its parent's position (None when not printed).

    By code prefix, or by order without codes: 合计 rows are parents of the 类 rows (of the
    same ``expense_group`` where the table has groups, as table 06 has 人员经费合计 and
    公用经费合计); a 类 row of a table that prints no codes (budget table 6) is the parent of
    the 款 rows that follow it. A 类 row is listed only under a printed 合计.
    """
    code_name = code_field(kind)
    totals: dict[object, int] = {}
    by_code: dict[object, int] = {}
    for position, row in enumerate(rows):
        if row.get("level") == TOTAL_LEVEL:
            totals.setdefault(row.get("expense_group"), position)
        elif code_name and row.get(code_name):
            by_code.setdefault(row[code_name], position)
    parents: list[tuple[int, int | None]] = []
    last_class: int | None = None
    for position, row in enumerate(rows):
        level = row.get("level")
        if level == CLASS_LEVEL:
            last_class = position
            total = totals.get(row.get("expense_group"))
            if total is not None:
                parents.append((position, total))
        elif code_name and level in (SECTION_LEVEL, ITEM_LEVEL):
            parents.append((position, by_code.get(row.get("parent_code"))))
        elif level == SECTION_LEVEL:
            parents.append((position, last_class))
    return parents


def hierarchy_links(kind: TableKind, rows: Sequence[Row]) -> dict[int, list[int]]:
    """Row positions of each parent's children (see :func:`row_parents`)."""
    links: dict[int, list[int]] = {}
    for position, parent in row_parents(kind, rows):
        if parent is not None:
            links.setdefault(parent, []).append(position)
    return links


def run_orphans(run: Run) -> None:
    """Every 款 and 项 row has its parent row printed: an orphan's amounts add up to no
    printed total, so no hierarchy sum would ever check them."""
    doc = run.doc
    for stem in run.check.applies_to:
        rows = doc.rows(stem)
        kind = doc.kind(stem)
        zh_table, en_table = table_label(doc, stem)
        for position, parent in row_parents(kind, rows):
            row = rows[position]
            if row.get("level") == CLASS_LEVEL:
                continue
            run.evaluated += 1
            if parent is not None:
                continue
            level, label = str(row.get("level")), row_label(doc, stem, row)
            code = row.get("parent_code")
            if code:
                zh_missing, en_missing = f"上级科目 {code} 不在表中", f"its parent {code} is not"
            else:
                zh_missing, en_missing = "其前没有类级科目", "no 类 row precedes it"
            run.state(
                (stem,),
                (int(row["source_line"]),),
                f"{zh_table} {label}（{level}）：{zh_missing}，其金额不计入任何合计，无从核对。",
                f"{en_table} {label} ({level}): {en_missing} in the table, so its amounts"
                " add up to no printed total and cannot be checked.",
            )


def run_hierarchy(run: Run) -> None:
    """Parent = sum of children, in every amount column of every classified table."""
    doc = run.doc
    for stem in run.check.applies_to:
        rows = doc.rows(stem)
        if not rows:
            continue
        kind = doc.kind(stem)
        for parent, children in hierarchy_links(kind, rows).items():
            row = rows[parent]
            if not applicable(row):
                continue
            sums = HIERARCHY_WORDS[str(row.get("level"))]
            for name in kind.amount_fields:
                parts = [cell(stem, rows[child], name) for child in children]
                run.judge(
                    [cell(stem, row, name)],
                    [item for item in parts if applicable(item.row)],
                    partial(hierarchy_wording, doc, stem, row, name, sums),
                )


def hierarchy_wording(
    doc: Disclosure, stem: str, row: Row, name: str, sums: tuple[str, str]
) -> Wording:
    """A parent cell against the sum of its children, in words."""
    zh_table, en_table = table_label(doc, stem)
    zh_sum, en_sum = sums
    label = row_label(doc, stem, row)
    title = field_title(doc, stem, name)
    return Wording(f"{zh_table} {label}「{title}」", f"{en_table} {label} [{name}]", zh_sum, en_sum)


def run_row_sum(run: Run) -> None:
    """On each row, a total column = the sum of its part columns (default: all the others)."""
    doc, params = run.doc, run.check.params
    stem = str(params["table"])
    rows = doc.rows(stem)
    if not rows:
        return
    kind = doc.kind(stem)
    where: Mapping[str, Any] = params.get("where", {})
    sums: list[tuple[str, list[str]]] = []  # (total, parts) of each sum the table prints
    for spec in params["sums"]:
        total = str(spec["total"])
        parts = [str(name) for name in spec.get("parts", [])] or [
            name for name in kind.amount_fields if name != total
        ]
        parts = [name for name in parts if doc.printed(stem, name)]
        if parts and doc.printed(stem, total):
            sums.append((total, parts))

    def wording(printed: list[Cell], parts: list[str]) -> Wording:
        where_zh, where_en = cell_label(doc, printed)
        return Wording(
            where_zh,
            where_en,
            "＋".join(field_title(doc, stem, name) for name in parts) + "之和",
            "the sum of " + " + ".join(parts),
        )

    for row in rows:
        if not matches(row, where) or not applicable(row):
            continue
        for total, parts in sums:
            printed = [cell(stem, row, total)]
            run.judge(
                printed, [cell(stem, row, name) for name in parts], partial(wording, printed, parts)
            )


def run_equation(run: Run) -> None:
    """Selected cells = the sum of other selected cells, within or across tables."""
    doc, params = run.doc, run.check.params
    table = params.get("table")
    for equation in params["equations"]:
        for name in equation.get("fields") or params.get("fields") or [None]:
            total = Selector.read(equation["total"], table, name)
            parts = [Selector.read(spec, table, name) for spec in equation["parts"]]
            if not all(doc.parsed(selector.table) for selector in (total, *parts)):
                continue
            if not all(doc.printed(sel.table, sel.field) for sel in (total, *parts)):
                continue
            matched, printed = total.select(doc)
            selections = [part.select(doc) for part in parts]
            if not matched or not printed or any(count == 0 for count, _ in selections):
                continue
            if params.get("skip_when_total_empty") and all(c.value is None for c in printed):
                continue
            run.judge(
                printed,
                [item for _, cells in selections for item in cells],
                partial(equation_wording, doc, printed, equation),
            )


def equation_wording(doc: Disclosure, printed: list[Cell], equation: Mapping[str, Any]) -> Wording:
    where_zh, where_en = cell_label(doc, printed)
    return Wording(where_zh, where_en, str(equation["expected_zh"]), str(equation["expected_en"]))


def run_by_code(run: Run) -> None:
    """Rows of two tables matched by code (e.g. function class) carry the same amount."""
    doc, params = run.doc, run.check.params
    key = str(params["key"])
    left = Selector.read(params["left"], None, None)
    right = Selector.read(params["right"], None, None)
    if not (doc.parsed(left.table) and doc.parsed(right.table)):
        return
    if not (doc.printed(left.table, left.field) and doc.printed(right.table, right.field)):
        return
    sides: list[dict[str, Cell]] = []
    for selector in (left, right):
        cells: dict[str, Cell] = {}
        for item in selector.select(doc)[1]:
            cells.setdefault(str(item.row.get(key)), item)
        sides.append(cells)
    left_cells, right_cells = sides
    left_zh, left_en = table_label(doc, left.table)
    right_zh, right_en = table_label(doc, right.table)
    for code in sorted(set(left_cells) | set(right_cells)):
        printed = [left_cells[code]] if code in left_cells else []
        parts = [right_cells[code]] if code in right_cells else []
        if all(item.value is None for item in (*printed, *parts)):
            continue
        if printed:
            where_zh, where_en = cell_label(doc, printed)
        else:
            where_zh, where_en = f"{left_zh} {code}（无此行）", f"{left_en} {code} (no line)"
        if parts:
            part_zh, part_en = cell_label(doc, parts)
        else:
            part_zh, part_en = f"{right_zh} {code}（无此行）", f"{right_en} {code} (no row)"
        run.judge(printed, parts, Wording(where_zh, where_en, part_zh, part_en))


def run_code_names(run: Run) -> None:
    """A code printed in two tables of one disclosure carries one name (after folding)."""
    doc = run.doc
    seen: dict[tuple[str, str], list[tuple[str, int, str]]] = {}
    for stem in sorted(run.check.applies_to, key=lambda stem: table_order(doc, stem)):
        kind = doc.kind(stem)
        code_name, label_name = code_field(kind), name_field(kind)
        if code_name is None or label_name is None:
            continue
        for row in doc.rows(stem):
            code, name = row.get(code_name), row.get(label_name)
            if code and name:
                uses = seen.setdefault((code_name, str(code)), [])
                uses.append((stem, int(row["source_line"]), str(name)))
    for (_, code), uses in sorted(seen.items()):
        tables = tuple(dict.fromkeys(stem for stem, _, _ in uses))
        if len(tables) == 1:  # a name can only disagree between two tables
            continue
        run.evaluated += 1
        if len({doc.catalogue.name(name) for _, _, name in uses}) == 1:
            continue
        zh = "、".join(f"{table_label(doc, s)[0]}「{n}」（第{line}行）" for s, line, n in uses)
        en = ", ".join(f"{table_label(doc, s)[1]} {n!r} (line {line})" for s, line, n in uses)
        run.state(
            tables,
            tuple(line for _, line, _ in uses),
            f"科目 {code} 在各表中名称不一致：{zh}。",
            f"Code {code} is named differently across tables: {en}.",
        )
