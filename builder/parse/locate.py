"""Where each table is: the marks that start a table region (a title, a number such as
公开01表, or content a kind fits), the regions they delimit, and the standard tables that
are missing (announced or expected, but with no body)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from builder.parse.catalogue import (
    Catalogue,
    TableKind,
)
from builder.parse.recognise import (
    Recognition,
    is_title_like,
    recognise,
    rows_follow,
    strip_continuation,
)
from builder.parse.report import Issue
from builder.sources.reading import Line

NUMBER_DISTANCE = 3  # a table number is printed within this many lines of its title


@dataclass(frozen=True)
class Doc:
    """What the document-level steps share: the lines, the catalogue, the family, issues."""

    lines: Sequence[Line]
    catalogue: Catalogue
    family: str
    issues: list[Issue]
    stops: tuple[int, ...] = ()  # part headings: a table region never runs past one


@dataclass(frozen=True)
class Other:
    """A table that matches no standard kind: published as printed."""

    start: int
    end: int
    title_line: Line


@dataclass(frozen=True)
class Located:
    """A table region found in the tables part."""

    kind: TableKind
    start: int
    end: int
    title_line: Line | None
    number_line: Line | None
    printed_number: str | None


def number_of(text: str, catalogue: Catalogue) -> str | None:
    compact = catalogue.name(text)
    for pattern in catalogue.variants["table_numbers"]:
        match = re.match(pattern, compact)
        if match:
            return match["n"]
    return None


@dataclass
class Marks:
    """What starts a table in the tables part: titles, printed numbers and title-like lines
    that name no known kind."""

    titles: list[tuple[int, TableKind]]
    numbers: list[tuple[int, str]]
    candidates: list[int]
    nonempty: list[int]


def scan_marks(doc: Doc, start: int, end: int) -> Marks:
    lines, catalogue, family = doc.lines, doc.catalogue, doc.family
    marks = Marks([], [], [], [i for i in range(start, end) if lines[i].text.strip()])
    nonempty = marks.nonempty
    for position, index in enumerate(nonempty):
        if lines[index].has_cells:
            continue
        text = lines[index].text.strip()
        kind = catalogue.kind_for_title(text, family)
        if kind:
            marks.titles.append((index, kind))
            continue
        number = number_of(text, catalogue)
        if number is None and position + 1 < len(nonempty):
            following = lines[nonempty[position + 1]].text.strip()
            if following == "表":
                number = number_of(text + following, catalogue)
        if number is not None:
            marks.numbers.append((index, number))
        elif is_title_like(text, catalogue) and rows_follow(lines, index, end):
            continuation = strip_continuation(catalogue.title_name(text), catalogue)
            if catalogue.kind_for_title(continuation, family) is None:
                marks.candidates.append(index)
    # a title-like line right above a known title is a heading (上海市XX局2024年度部门决算表)
    starts = {index for index, _ in marks.titles} | {index for index, _ in marks.numbers}
    next_line = dict(pairwise(nonempty))
    marks.candidates = [i for i in marks.candidates if next_line.get(i) not in starts]
    return marks


def locate_tables(doc: Doc, start: int, end: int) -> tuple[list[Located], list[Other]]:
    """Find each table's title and number lines and cut the part into regions."""
    lines, catalogue, family, issues = doc.lines, doc.catalogue, doc.family, doc.issues
    marks = scan_marks(doc, start, end)
    titles, numbers, candidates, nonempty = (
        marks.titles,
        marks.numbers,
        marks.candidates,
        marks.nonempty,
    )
    starts: list[tuple[int, TableKind | None, Line | None, Line | None, str | None]] = []
    used: set[int] = set()
    for index, kind in titles:
        near = [
            (abs(nonempty.index(n) - nonempty.index(index)), n, number)
            for n, number in numbers
            if n not in used and abs(nonempty.index(n) - nonempty.index(index)) <= NUMBER_DISTANCE
        ]
        number_line, printed, first = None, None, index
        if near:
            _, n, printed = min(near)
            used.add(n)
            number_line, first = lines[n], min(index, n)
            if int(printed) != int(kind.number):
                issues.append(
                    Issue(
                        "warning",
                        "number-mismatch",
                        lines[n].number,
                        f"{kind.title} is printed as table {printed};"
                        f" the standard number is {kind.number}",
                        kind.stem,
                    )
                )
        starts.append((first, kind, lines[index], number_line, printed))
    for n, number in numbers:
        if n in used:
            continue
        kind_by_number = catalogue.kind_for_number(int(number), family)
        if kind_by_number is None:
            starts.append((n, None, None, lines[n], number))
            continue
        issues.append(
            Issue(
                "warning",
                "title-missing",
                lines[n].number,
                f"table {number} has no recognisable title; read as {kind_by_number.title}",
                kind_by_number.stem,
            )
        )
        starts.append((n, kind_by_number, None, lines[n], number))
    starts.extend((index, None, lines[index], None, None) for index in candidates)
    starts.sort(key=lambda s: s[0])
    located: list[Located] = []
    others: list[Other] = []
    for position, (first, found, title_line, number_line, printed) in enumerate(starts):
        last = starts[position + 1][0] if position + 1 < len(starts) else end
        last = min([last, *(stop for stop in doc.stops if stop > first)])
        chosen = found or recognised(doc, first, last, title_line or number_line)
        if chosen is None:
            others.append(Other(first, last, title_line or number_line or lines[first]))
        else:
            located.append(Located(chosen, first, last, title_line, number_line, printed))
    seen: dict[str, Located] = {}
    for table in located:
        if table.kind.stem in seen:
            issues.append(
                Issue(
                    "warning",
                    "duplicate-table",
                    lines[table.start].number,
                    f"{table.kind.title} appears again"
                    f" (first at line {lines[seen[table.kind.stem].start].number})",
                    table.kind.stem,
                )
            )
        seen.setdefault(table.kind.stem, table)
    return located, others


def recognised(doc: Doc, start: int, end: int, title: Line | None) -> TableKind | None:
    """The kind a table with an unknown title is by its content (reported), or None."""
    text = title.text.strip() if title else ""
    name = doc.catalogue.title_name(text)
    found = recognise(doc.lines[start + 1 : end], name, doc.catalogue, doc.family)
    line = doc.lines[start].number
    if isinstance(found, Recognition):
        doc.issues.append(
            Issue(
                "info",
                "recognised-by-content",
                line,
                f"{text!r} is not a known title; read as {found.kind.title} by its content"
                f" ({found.evidence})",
                found.kind.stem,
            )
        )
        return found.kind
    tied = "、".join(kind.title for kind in found)
    why = f"it fits {tied} equally" if found else "its header fits no standard table"
    doc.issues.append(
        Issue(
            "warning",
            "unknown-table",
            line,
            f"{text!r} is not a standard table ({why}); kept as a table as printed",
        )
    )
    return None


def last_content_line(region: Sequence[Line]) -> int:
    for line in reversed(region):
        if line.text.strip():
            return line.number
    return region[-1].number


def public_field(field: dict[str, Any]) -> dict[str, Any]:
    return {k: field[k] for k in ("name", "type", "title", "unit") if k in field}


def last_row_line(table: Located, records: dict[int, dict[str, Any]], lines: Sequence[Line]) -> int:
    """The last line holding a row of ``table`` (or its last non-blank line)."""
    rows = records[table.start]["rows"]
    if rows:
        return max(int(row["source_line"]) for row in rows)
    return last_content_line(lines[table.start : table.end])


def missing_tables(
    doc: Doc,
    located: Sequence[Located],
    tables_by_start: dict[int, dict[str, Any]],
    announced: Sequence[TableKind],
) -> list[dict[str, Any]]:
    """Tables announced in the contents (or standard for the family) with no body."""
    lines, catalogue, family, issues = doc.lines, doc.catalogue, doc.family, doc.issues
    present = {t.kind.stem for t in located}
    expected = list(announced) or catalogue.expected(family)
    missing = []
    for kind in expected:
        if kind.stem in present:
            continue
        before = [t for t in located if int(t.kind.number) < int(kind.number)]
        after = [t for t in located if int(t.kind.number) > int(kind.number)]
        after_line = last_row_line(before[-1], tables_by_start, lines) if before else None
        before_line = lines[after[0].start].number if after else None
        where = (
            f"between line {after_line} and line {before_line}"
            if after_line and before_line
            else (f"after line {after_line}" if after_line else f"before line {before_line}")
        )
        source = "announced in the table of contents" if kind in announced else "a standard table"
        issues.append(
            Issue(
                "warning",
                "table-missing",
                after_line,
                f"{kind.title} ({source}) has no body; expected {where}",
                kind.stem,
            )
        )
        missing.append(
            {
                "kind": kind.stem,
                "number": kind.number,
                "title": kind.title,
                "status": "missing",
                "announced": kind in announced,
                "expected_after_line": after_line,
                "expected_before_line": before_line,
                "fields": [public_field(f) for f in kind.fields],
                "rows": [],
            }
        )
    return missing
