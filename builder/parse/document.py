"""A whole disclosure: metadata, table regions, tables, annexes, narrative and the report.

The document is read in its printed order: the cover (unit, year, kind), the table of
contents (which tables it announces), the parts (第一部分 ... 第五部分), the table regions
inside the tables part (a title and/or a number such as 公开01表 starts one), and the annexes.
Each table region is read by the reader of its kind's layout (``tables.py``); every
numeric token of each region is then accounted for (``coverage.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise
from typing import Any

from builder.errors import DisclosureError
from builder.parse import annexes, narrative
from builder.parse.catalogue import (
    Catalogue,
    TableKind,
    load_catalogue,
    normalise_title,
    pick_layout,
)
from builder.parse.columns import conform
from builder.parse.coverage import Region, account, landed_values
from builder.parse.generic import read_other_table
from builder.parse.patterns import CONVERTIBLE, MONEY_SCALES
from builder.parse.recognise import (
    Recognition,
    is_title_like,
    recognise,
    rows_follow,
    strip_continuation,
)
from builder.parse.report import Issue
from builder.parse.tables import LAYOUTS, Context
from builder.sources.reading import Line, SourceText

FORMAT = "open-budget-portal/canonical-parse"
FORMAT_VERSION = 1

YEAR_TOKEN = re.compile(r"((?:19|20)\d{2})(?=年|$|\D)")
YEAR_IN_TITLE = re.compile(r"(?:19|20)\d{2}年?度?")
TITLE_TAIL = re.compile(r"(?:年度?)?(?:[区市省县]级)?$")
PART_HEADING = re.compile(r"^第(?P<n>[一二三四五六七八九十]+)部分\s*(?P<title>.*)$")
TOC_LEADER = re.compile(r"\.{3,}|…{2,}|·{3,}")
TOC_ENTRY = re.compile(r"(?:\.{3,}|…{2,}|·{3,}).*$|\t\s*\d+\s*$")
YEAR = re.compile(r"(\d{4})\s*年")
COVER_LINES = 12
MAX_SECTION_HEADING = 40
EVIDENCE_LINES = 200  # a layout family is recognised on the cover and the contents
NUMBER_DISTANCE = 3  # a table number is printed within this many lines of its title


@dataclass(frozen=True)
class Part:
    """A document part (第一部分 ...): its kind and its lines (heading excluded)."""

    kind: str | None
    heading: Line
    start: int  # index of the first line after the heading
    end: int  # index after the last line


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


def parse_source(source: SourceText) -> dict[str, Any]:
    """Parse a disclosure text into the canonical structure (JSON-ready but for Decimals)."""
    lines = source.lines
    layout, evidence = pick_layout([ln.text for ln in lines[:EVIDENCE_LINES]])
    catalogue = load_catalogue(layout)
    issues: list[Issue] = []
    cover = read_cover(source)
    refuse_second_disclosure(source, cover["line"])
    family = cover["kind"]
    toc_end, announced = read_toc(lines, catalogue, family)
    parts = read_parts(lines, toc_end, catalogue)
    start, end = tables_span(parts, toc_end, len(lines), issues)
    stops = tuple(sorted(part.start - 1 for part in parts))
    doc = Doc(lines, catalogue, family, issues, stops)
    located, others = locate_tables(doc, start, end)
    if not located:
        raise DisclosureError(
            source.path,
            None,
            "no standard table found (such as 收入支出决算总表 / 公开01表 or 预算收支总表)",
            "check that this is a budget or final-accounts disclosure extracted as text",
        )
    annex_regions = annexes.locate_annexes(lines)
    context = Context(catalogue, cover["unit_name"])
    tables: list[dict[str, Any]] = []
    regions: list[Region] = []
    for table in located:
        record, region = read_table(lines, table, context, issues)
        tables.append(record)
        regions.append(region)
    other_tables: list[dict[str, Any]] = []
    for other in others:
        record, region = read_other_table(other.title_line, lines[other.start + 1 : other.end])
        other_tables.append(record)
        regions.append(region)
    by_start = {table.start: record for table, record in zip(located, tables, strict=True)}
    tables.extend(missing_tables(doc, located, by_start, announced))
    tables.sort(key=lambda t: int(t["number"]))

    evaluations, targets = read_annexes(lines, annex_regions, regions)
    skip = {n for a in annex_regions for n in range(a.start_line, a.end_line + 1)}
    spans = [(t.start, t.end) for t in located] + [(t.start, t.end) for t in others]
    skip |= {lines[i].number for first, last in spans for i in range(first, last)}
    texts = narrative.read_narrative(lines, parts, skip, catalogue, issues)
    coverage = [account(region) for region in regions]
    metadata = document_metadata(source, cover, tables, issues)
    metadata["layout"] = {"family": layout or "generic", "evidence": evidence}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "document": metadata,
        "tables": tables,
        "other_tables": other_tables,
        "annexes": {"performance_evaluations": evaluations, "performance_targets": targets},
        "narrative": texts,
        "report": build_report(source, issues, coverage, tables),
    }


def tables_span(
    parts: Sequence[Part], toc_end: int, size: int, issues: list[Issue]
) -> tuple[int, int]:
    """Where the tables are: the tables part, else everything after the contents."""
    table_part = next((p for p in parts if p.kind == "tables"), None)
    if table_part is not None:
        return table_part.start, table_part.end
    issues.append(
        Issue("warning", "no-tables-part", None, "no 第二部分 heading; tables searched everywhere")
    )
    return toc_end, size


def read_annexes(
    lines: Sequence[Line], found: Sequence[annexes.AnnexRegion], regions: list[Region]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The performance sheets (self-evaluations, target declarations); their regions are
    added to ``regions`` for the coverage report."""
    evaluations, targets = [], []
    for annex in found:
        annex_lines = lines[annex.start_line - 1 : annex.end_line]
        if annex.kind == "performance_evaluation":
            record = annexes.parse_performance_evaluation(annex_lines)
            evaluations.append(record)
        else:
            record = annexes.parse_performance_target(annex_lines)
            targets.append(record)
        region = Region(f"annex:{annex.title}", annex_lines)
        region.landed = list(landed_values([record]))
        regions.append(region)
    return evaluations, targets


# --------------------------------------------------------------------------- cover & parts


def read_cover(source: SourceText) -> dict[str, Any]:
    """Unit, year, kind and scope from the cover, however its title is split over lines.

    The cover is the first non-empty lines before the table of contents or the first part
    heading. A label line (``预算主管部门：…``, ``单位名称：…``) names the unit; otherwise the unit
    is the title's text before the year or the kind. The year may stand on a line of its own.
    """
    catalogue = load_catalogue()
    patterns = catalogue.patterns
    title_lines: list[Line] = []
    labels: list[tuple[str, str]] = []
    first: Line | None = None
    for line in source.lines:
        text = "".join(line.cells) if line.has_cells else line.text.strip()
        if not text:
            continue
        first = first or line
        compact = catalogue.name(text)
        if compact == "目录" or PART_HEADING.match(compact):
            break
        label = patterns.cover_label.match(compact)
        if label:
            labels.append((label["label"], label["name"]))
        else:
            title_lines.append(line)
        if len(title_lines) + len(labels) >= COVER_LINES:
            break
    title = "".join(("".join(ln.cells) if ln.has_cells else ln.text.strip()) for ln in title_lines)
    compact = "".join(title.split())
    kinds = list(patterns.cover_kind.finditer(compact))
    years = YEAR_TOKEN.findall(compact)
    if not kinds or not years:
        raise DisclosureError(
            source.path,
            first.number if first else None,
            "not a disclosure: no cover title with a year and 预算 or 决算"
            " (such as 2024年度部门决算公开) in the first lines",
            "the file should be a 部门预算/决算公开 document (PDF, or its text)",
        )
    kind_match = kinds[0]
    kind_line = next(ln for ln in title_lines if kind_match["kind"] in "".join(ln.text.split()))
    scope = kind_match["scope"] or next(
        (patterns.scope_of_label[label] for label, _ in labels), None
    )
    unit = next((name for _, name in labels if name), None)
    if unit is None:
        before = compact[: kind_match.start()]
        before = TITLE_TAIL.sub("", YEAR_IN_TITLE.sub("", before))
        unit = before or None
    return {
        "unit_name": unit,
        "year": int(years[0]),
        "scope": scope,
        "kind": patterns.kind_of_word[kind_match["kind"]],
        "kind_zh": kind_match["kind"],
        "title": title,
        "line": kind_line.number,
    }


def refuse_second_disclosure(source: SourceText, cover_line: int) -> None:
    """Two disclosures in one file would mix their tables: name the line where the second
    one starts and ask for the file to be split."""
    second_cover = load_catalogue().patterns.second_cover
    for line in source.lines[cover_line:]:
        if not line.has_cells and second_cover.match(line.text.strip().replace(" ", "")):
            raise DisclosureError(
                source.path,
                line.number,
                f"a second disclosure starts here ({line.text.strip()}); "
                f"the first starts at line {cover_line}",
                "split the file into one disclosure per file",
            )


def is_toc_entry(text: str) -> bool:
    return bool(TOC_ENTRY.search(text))


def read_toc(
    lines: Sequence[Line], catalogue: Catalogue, family: str
) -> tuple[int, list[TableKind]]:
    """The index after the table of contents and the tables it announces.

    The contents end where the document's first entry is printed again as a heading; or,
    when its entries carry dot leaders or page numbers, at the first part heading without
    them, or at the first page without them.
    """
    start = next((i for i, ln in enumerate(lines) if toc_text(ln, catalogue) == "目录"), None)
    if start is None:
        return 0, []
    announced: list[TableKind] = []
    first_entry: str | None = None
    leader_page: int | None = None
    index = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        text = line.text.strip()
        if not text:
            continue
        entry = is_toc_entry(text) or (line.has_cells and bool(TOC_LEADER.search(text)))
        name = catalogue.name(TOC_ENTRY.sub("", text))
        if first_entry is not None and name == first_entry and not entry:
            return index, announced
        new_page = line.page is not None and line.page != leader_page
        if leader_page is not None and not entry and (PART_HEADING.match(text) or new_page):
            return index, announced
        if entry:
            leader_page = line.page if line.page is not None else leader_page or 0
        first_entry = first_entry or name
        kind = catalogue.kind_for_title(TOC_ENTRY.sub("", text), family)
        if kind and kind not in announced:
            announced.append(kind)
    return index, announced


def toc_text(line: Line, catalogue: Catalogue) -> str:
    return catalogue.name("".join(line.cells) if line.has_cells else line.text)


def part_kind(title: str, catalogue: Catalogue) -> str | None:
    name = catalogue.name(TOC_ENTRY.sub("", title))
    for kind, markers in catalogue.variants["parts"].items():
        if any(marker in name for marker in markers):
            return str(kind)
    return None


def read_parts(lines: Sequence[Line], start: int, catalogue: Catalogue) -> list[Part]:
    """The parts (第一部分 …); a document printed without them (Shanghai's budgets) is cut
    at its section headings that name a part (…主要职能, 名词解释, …编制说明)."""
    headings = []
    for index in range(start, len(lines)):
        text = lines[index].text.strip()
        match = PART_HEADING.match(text)
        if match and not is_toc_entry(text):
            headings.append((index, part_kind(match["title"], catalogue)))
    if not headings:
        headings = section_headings(lines, start, catalogue)
    parts = []
    for position, (index, kind) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        parts.append(Part(kind, lines[index], index + 1, end))
    return parts


def section_headings(
    lines: Sequence[Line], start: int, catalogue: Catalogue
) -> list[tuple[int, str | None]]:
    """Short plain lines that end in a part's section name (variants.yaml ``part_sections``)."""
    endings: dict[str, list[str]] = catalogue.variants["part_sections"]
    found: list[tuple[int, str | None]] = []
    for index in range(start, len(lines)):
        line = lines[index]
        name = catalogue.name(line.text)
        if line.has_cells or not name or len(name) > MAX_SECTION_HEADING or is_toc_entry(line.text):
            continue
        kind = next((k for k, ends in endings.items() if name.endswith(tuple(ends))), None)
        if kind is None:
            continue
        previous = next((i for i in range(index - 1, start - 1, -1) if lines[i].text.strip()), None)
        if found and found[-1][0] == previous and found[-1][1] == kind:
            continue  # 其他相关情况说明 / 一、“三公”经费预算情况说明: a section of that part
        found.append((index, kind))
    return found


# --------------------------------------------------------------------------- tables


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
            continuation = strip_continuation(normalise_title(text, catalogue.traditional))
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
    name = normalise_title(text, doc.catalogue.traditional)
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


def read_table(
    lines: Sequence[Line], table: Located, context: Context, issues: list[Issue]
) -> tuple[dict[str, Any], Region]:
    """Read one located table region: meta lines, then the body with its layout reader."""
    region_lines = list(lines[table.start : table.end])
    marks = {ln.number for ln in (table.title_line, table.number_line) if ln is not None}
    meta: list[str] = []
    body_start = len(region_lines)
    for offset, line in enumerate(region_lines):
        if line.has_cells:
            body_start = offset
            break
        if line.number not in marks and line.text.strip() != "表":
            meta.append(line.text.strip())
    meta_text = "".join(meta)
    patterns = context.catalogue.patterns
    unit = patterns.meta_unit.search(meta_text)
    money = patterns.meta_money.search(meta_text.replace(" ", ""))
    year = YEAR.search(meta_text)
    body_lines = region_lines[body_start:]
    scale = MONEY_SCALES.get(money["unit"], Decimal(1)) if money else Decimal(1)
    conformed = conform(table.kind, body_lines, context.catalogue)
    issues.extend(conformed.issues)
    table_context = replace(context, scale=scale, groups=conformed.groups)
    body = LAYOUTS[table.kind.layout](table.kind, conformed.lines, table_context)
    body.header_lines |= conformed.header_lines
    issues.extend(body.issues)
    markers = context.catalogue.variants["empty_markers"]
    says_empty = any(marker in line.text for line in region_lines for marker in markers)
    has_amounts = any(
        value is not None and not isinstance(value, (bool, str))
        for row in body.rows
        for key, value in row.items()
        if key not in ("row_number", "source_line", "line_no")
    )
    status = "parsed"
    if says_empty and not has_amounts:
        status, rows = "empty", []
    else:
        rows = body.rows
        if says_empty:
            issues.append(
                Issue(
                    "warning",
                    "empty-but-has-data",
                    table_line(table, lines),
                    "the table says 本表无数据 but prints amounts",
                    table.kind.stem,
                )
            )
        if not rows:
            status = "unreadable"
            issues.append(
                Issue(
                    "error",
                    "no-rows",
                    table_line(table, lines),
                    f"{table.kind.title}: no rows could be read",
                    table.kind.stem,
                )
            )
    if not money:
        issues.append(
            Issue(
                "warning",
                "money-unit-missing",
                table_line(table, lines),
                f"{table.kind.title}: no 金额单位 line",
                table.kind.stem,
            )
        )
    record = {
        "kind": table.kind.stem,
        "number": table.kind.number,
        "title": table.kind.title,
        "printed_title": table.title_line.text.strip() if table.title_line else None,
        "printed_number": table.number_line.text.strip() if table.number_line else None,
        "status": status,
        "start_line": region_lines[0].number,
        "end_line": last_content_line(region_lines),
        **({"page": region_lines[0].page} if region_lines[0].page is not None else {}),
        "unit_name": "".join(unit["name"].split()) if unit else None,
        "year": int(year.group(1)) if year else None,
        "money_unit": "万元" if money and money["unit"] in CONVERTIBLE else None,
        "printed_money_unit": money["unit"] if money else None,
        "columns_mapped_by": conformed.mapped_by,
        **({"columns_printed": conformed.printed} if conformed.printed is not None else {}),
        "fields": [public_field(f) for f in table.kind.fields],
        **({"says_empty": True} if says_empty else {}),
        **({"unmapped_columns": conformed.unmapped} if conformed.unmapped else {}),
        "rows": rows,
    }
    region = Region(f"table:{table.kind.stem}", body_lines, scale=scale)
    region.landed = list(landed_values(rows))
    row_lines = {int(row["source_line"]) for row in rows}
    region.landed.extend(
        (number, Decimal(part)) for number, part in conformed.joined if number in row_lines
    )
    region.header_lines = body.header_lines
    region.placeholders = body.placeholders
    return record, region


def table_line(table: Located, lines: Sequence[Line]) -> int:
    return (table.title_line or table.number_line or lines[table.start]).number


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


# --------------------------------------------------------------------------- metadata & report


def document_metadata(
    source: SourceText, cover: dict[str, Any], tables: list[dict[str, Any]], issues: list[Issue]
) -> dict[str, Any]:
    names = Counter(t["unit_name"] for t in tables if t.get("unit_name"))
    units = Counter(t["money_unit"] for t in tables if t.get("money_unit"))
    printed = sorted({t["printed_money_unit"] for t in tables if t.get("printed_money_unit")})
    years = Counter(t["year"] for t in tables if t.get("year"))
    unit_name = cover["unit_name"] or (names.most_common(1)[0][0] if names else None)
    if unit_name is None:
        issues.append(
            Issue(
                "error",
                "unit-name-missing",
                cover["line"],
                "no unit name on the cover or in the tables",
            )
        )
    variants = sorted({unit_name, *names} - {None})
    if len(variants) > 1:
        issues.append(
            Issue("info", "unit-name-variants", None, f"the unit is named differently: {variants}")
        )
    for year in years:
        if year != cover["year"]:
            issues.append(
                Issue(
                    "warning",
                    "year-mismatch",
                    None,
                    f"tables say {year}, the cover says {cover['year']}",
                )
            )
    return {
        "source_file": source.path.name,
        "sha256": source.sha256,
        "encoding": source.encoding,
        "lines": len(source.lines),
        "title": cover["title"],
        "unit_name": unit_name,
        "unit_name_variants": variants,
        "year": cover["year"],
        "kind": cover["kind"],
        "kind_zh": cover["kind_zh"],
        "scope": cover["scope"],
        "money_unit": units.most_common(1)[0][0] if units else None,
        "printed_money_units": printed,
    }


def build_report(
    source: SourceText,
    issues: list[Issue],
    coverage: list[dict[str, Any]],
    tables: list[dict[str, Any]],
) -> dict[str, Any]:
    totals = Counter[str]()
    for entry in coverage:
        for key in ("tokens", "landed", "header", "placeholder"):
            totals[key] += entry[key]
        totals["unparsed"] += len(entry["unparsed"])
    noise = Counter(kind for line in source.lines for kind in line.noise)
    accounted = totals["landed"] + totals["header"] + totals["placeholder"]
    return {
        "tables": {
            status: sorted(t["number"] for t in tables if t["status"] == status)
            for status in ("parsed", "empty", "missing", "unreadable")
        },
        "coverage": {
            "tokens": totals["tokens"],
            "landed": totals["landed"],
            "header": totals["header"],
            "placeholder": totals["placeholder"],
            "unparsed": totals["unparsed"],
            "accounted_percent": str(
                (Decimal(100) * accounted / totals["tokens"]).quantize(Decimal("0.01"))
                if totals["tokens"]
                else Decimal(100)
            ),
            "regions": coverage,
        },
        "issues": [issue.to_json() for issue in issues],
        "noise_stripped": dict(sorted(noise.items())),
    }
