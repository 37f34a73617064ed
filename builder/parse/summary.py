"""Presenting a parse: the readable summary and the JSON form (Decimals as exact strings)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from builder import declarations
from builder.parse.catalogue import load_layouts


def to_json(parsed: dict[str, Any]) -> Any:
    """The parse with every Decimal as its exact text (JSON has no decimal type)."""
    return json.loads(json.dumps(parsed, default=_default, ensure_ascii=False))


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def layout_line(doc: dict[str, Any]) -> str:
    layout = doc.get("layout") or {}
    family = layout.get("family", "generic")
    if not layout.get("evidence"):
        return f"{family} (no layout family's evidence found: national data only)"
    title = load_layouts().get(family, {}).get("title")
    named = f"{family} {title}" if title else family
    return f"{named} (evidence: {', '.join(layout['evidence'])})"


def format_summary(parsed: dict[str, Any]) -> str:
    doc = parsed["document"]
    report = parsed["report"]
    coverage = report["coverage"]
    out = [
        f"{doc['source_file']}",
        f"  unit:   {doc['unit_name']}",
        f"  year:   {doc['year']}   kind: {doc['kind']} ({doc['scope'] or ''}{doc['kind_zh']})"
        f"   money unit: {doc['money_unit']}",
        f"  layout: {layout_line(doc)}",
        "  tables:",
    ]
    by_content = {i["table"] for i in report["issues"] if i["code"] == "recognised-by-content"}
    for table in parsed["tables"]:
        status = table["status"]
        detail = (
            f"{len(table['rows'])} rows"
            if status == "parsed"
            else declarations.labels("tables", "status")[status]
        )
        where = (
            f"line {table['start_line']}"
            if "start_line" in table
            else f"expected after line {table['expected_after_line']}"
        )
        if table.get("page"):
            where += f", page {table['page']}"
        if table.get("printed_money_unit") not in (None, declarations.PUBLISHED_MONEY_UNIT):
            where += f", printed in {table['printed_money_unit']}, converted to 万元"
        if table["kind"] in by_content:
            where += f", recognised by content as printed {table.get('printed_title')!r}"
        out.append(f"    {table['number']:>2} {table['title']}: {detail} ({where})")
    for other in parsed.get("other_tables", []):
        out.append(
            f"    -- {other['title']}: {len(other['rows'])} rows as printed, matches no standard"
            f" table (line {other['start_line']})"
        )
    annexes = parsed["annexes"]
    out.append(
        f"  annexes: {len(annexes['performance_evaluations'])} performance self-evaluations, "
        f"{len(annexes['performance_targets'])} performance target declarations"
    )
    narrative = parsed["narrative"]
    out.append(
        f"  narrative: {len(narrative['overview'])} overview sections, "
        f"{len(narrative['explanations'])} explanation sections, "
        f"{len(narrative['glossary'])} glossary terms"
    )
    out.append(
        f"  numbers: {coverage['tokens']} numeric tokens in tables and annexes, "
        f"{coverage['landed']} landed, {coverage['header']} column numbers, "
        f"{coverage['placeholder']} line numbers of blank lines, {coverage['unparsed']} unparsed"
        f" ({coverage['accounted_percent']}% accounted for)"
    )
    for region in coverage["regions"]:
        for token in region["unparsed"]:
            page = f" (page {token['page']})" if token.get("page") else ""
            out.append(
                f"    unparsed: line {token['line']}{page}: {token['token']!r} in {token['text']!r}"
            )
    problems = [i for i in report["issues"] if i["severity"] != "info"]
    if problems:
        out.append("  not understood / to check:")
        for issue in problems:
            line = f"line {issue['line']}: " if issue["line"] else ""
            out.append(f"    [{issue['severity']}] {line}{issue['message']}")
    return "\n".join(out) + "\n"
