"""A whole disclosure: metadata, table regions, tables, annexes, narrative and the report.

The document is read in its printed order: the cover (unit, year, kind), the table of
contents (which tables it announces), the parts (第一部分 ... 第五部分), the table regions
inside the tables part (a title and/or a number such as 公开01表 starts one), and the annexes.
Each table region is read by the reader of its kind's layout (``tables.py``); every
numeric token of each region is then accounted for (``coverage.py``).

This module orders the reading; ``cover``, ``contents`` and ``locate`` own the cover, the
contents and parts, and the table regions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from builder.errors import DisclosureError
from builder.parse import annexes, narrative
from builder.parse.catalogue import (
    load_catalogue,
    pick_layout,
)
from builder.parse.columns import conform
from builder.parse.contents import read_parts, read_toc, tables_span
from builder.parse.cover import read_cover, refuse_second_disclosure
from builder.parse.coverage import Region, account, landed_values
from builder.parse.generic import read_other_table
from builder.parse.locate import (
    Doc,
    Located,
    last_content_line,
    locate_tables,
    missing_tables,
    public_field,
)
from builder.parse.patterns import CONVERTIBLE, MONEY_SCALES, PUBLISHED_MONEY_UNIT
from builder.parse.report import Issue
from builder.parse.tables import LAYOUTS, Context
from builder.sources.reading import Line, SourceText

FORMAT = "open-budget-portal/canonical-parse"


FORMAT_VERSION = 1


YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")


EVIDENCE_LINES = 200  # a layout family is recognised on the cover and the contents


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
        body = lines[other.start + 1 : other.end]
        record, region = read_other_table(other.title_line, body, catalogue.patterns)
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
    note = next(
        (line for line in region_lines if any(marker in line.text for marker in markers)), None
    )
    says_empty = note is not None
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
        "money_unit": PUBLISHED_MONEY_UNIT if money and money["unit"] in CONVERTIBLE else None,
        "printed_money_unit": money["unit"] if money else None,
        "columns_mapped_by": conformed.mapped_by,
        **({"columns_printed": conformed.printed} if conformed.printed is not None else {}),
        "fields": [public_field(f) for f in table.kind.fields],
        **({"says_empty": True} if says_empty else {}),
        **({"empty_note": {"text": note.text.strip(), "line": note.number}} if note else {}),
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
    page_starts: list[list[int]] = []  # [first line, page] of each page of a PDF's text
    for line in source.lines:
        if line.page is not None and (not page_starts or page_starts[-1][1] != line.page):
            page_starts.append([line.number, line.page])
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
        **({"page_starts": page_starts} if page_starts else {}),
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
