"""README.md of each data package: what it is, its files, source, licence, citation, findings.

The text is generated from the same plan as the files, so it cannot drift from them, and holds
nothing that changes between builds (no dates, no versions). Every text from a provenance record
or a document (unit names, titles, licences, source URLs, audit messages) is written through
``builder.publish.readme_markup``: as text, never as Markdown or HTML markup.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from builder import declarations
from builder.publish.readme_markup import code, markdown_text, web_link
from builder.publish.workbook import numbers_as_text

if TYPE_CHECKING:
    from builder.publish.inputs import Disclosure, SourceRecord
    from builder.publish.resources import Resource

STATUS_EN = {
    "parsed": "parsed",
    "empty": "empty (published as a header without rows)",
    "missing": "missing (not in the document; no file)",
    "unreadable": "unreadable (no file)",
    "as_printed": "as printed (no standard kind; header and cells as text)",
}
# The Chinese label of each status is declared once (tables.status, x-labels).
STATUS_ZH = {
    status: f"{label} {STATUS_EN[status]}"
    for status, label in declarations.labels("tables", "status").items()
}
PORTAL_NAME = "开放预算门户 (open budget portal)"
FINDINGS = "findings"
EXCEL_NOTE = (
    "The workbook is for reading in Excel: headers in Chinese, amounts as numbers, text as text "
    "(so a printed `=100%` stays text). Excel stores numbers as binary floating point, so an "
    "amount such as 3621.803 is held as the nearest binary fraction; the CSV and Parquet files "
    "are exact (Parquet amounts are decimal128). A number with more than 15 significant digits, "
    "which an Excel number cannot hold exactly, is written as a text cell of its exact digits "
    "(listed on the workbook's 说明 sheet, and below when there is one). A negative zero "
    "printed as `-0.00` is published as `0.00` in every file: Parquet decimals have no negative "
    "zero."
)
# OWASP's list of the first characters that make a spreadsheet read a CSV cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FORMULA_NOTE = (
    "The CSV files are the data exactly as published, not a spreadsheet: a text cell that begins "
    "with `=`, `+`, `-`, `@`, a tab or a carriage return (a printed `=100%`) is written as it "
    "is, without the `'` prefix OWASP advises for CSV exports, since the prefix would change the "
    "value for every program that reads the data (and the Parquet files, which hold the same "
    "values). Do not open a CSV file in a spreadsheet program with formulas enabled: it could "
    "run such a cell (`=HYPERLINK(…)`) as a formula. Import it with its columns as text, or use "
    "the Excel workbook, where every text cell is an inline string, never a formula."
)
NUMBERS_AS_TEXT = (
    "These numbers have more than 15 significant digits and are text cells in the workbook "
    "(exact numbers in the CSV and Parquet files; line = CSV line = sheet row, the header being "
    "line 1):"
)
FILES = (
    (
        "`datapackage.json`",
        "[Frictionless data package](https://datapackage.org/): every resource's schema (field "
        "names, Chinese titles, units, keys), size and sha256, the licence, provenance and "
        "fiscal metadata",
    ),
    (
        "`csv/<resource>.csv`",
        "one CSV file per resource, UTF-8 without BOM, comma-separated, amounts as exact "
        "decimal text",
    ),
    (
        "`parquet/<resource>.parquet`",
        "the same tables as Parquet (amounts as decimal128, never floats), listed per resource "
        "under `x-parquet`",
    ),
)
FILES_TABLE = "| file | what it holds |\n|---|---|\n" + "".join(
    f"| {f} | {w} |\n" for f, w in FILES
)


def text(value: Any) -> str:
    """One of our values (an identifier, a number) as Markdown table text (None as a dash;
    pipes and newlines escaped)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).replace("|", "\\|").replace("\n", " ")


def document_text(value: Any) -> str:
    """A text from a record or a document as Markdown table text (None as a dash), escaped."""
    if value is None or value == "":
        return "–"
    return markdown_text(value)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def findings_section(findings: list[dict[str, Any]]) -> list[str]:
    """The findings as published in the findings resource (lists already joined as text)."""
    out = ["## 核查发现 Known audit findings", ""]
    if not findings:
        return [*out, "The audit found nothing to report. 未发现问题。", ""]
    severities = [f.get("severity") for f in findings]
    counts = ", ".join(
        plural(severities.count(s), s) for s in ("error", "warning", "info") if s in severities
    )
    out += [
        f"The audit reports {plural(len(findings), 'finding')} ({counts}) about the disclosure "
        "as published: totals that do not add up, missing or empty tables, names that differ. "
        "They are facts about the document, not errors of this package; nothing was corrected. "
        "The rows are in `csv/findings.csv`.",
        "",
        "| check | severity | tables | source lines | expected | actual | difference | 说明 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for finding in findings:
        cells = [
            finding.get("check_id"),
            finding.get("severity"),
            finding.get("tables"),
            finding.get("rows"),
            finding.get("expected"),
            finding.get("actual"),
            finding.get("difference"),
        ]
        message = document_text(finding.get("message_zh"))
        out.append("| " + " | ".join(text(cell) for cell in cells) + f" | {message} |")
    return [*out, ""]


def formula_like_cells(resource: Resource) -> int:
    """How many text cells of a resource begin like a formula (:data:`FORMULA_STARTS`)."""
    return sum(
        1
        for row in resource.rows
        for value in row.values()
        if isinstance(value, str) and value.startswith(FORMULA_STARTS)
    )


def formula_like_count(resources: list[Resource]) -> str:
    """The sentence after :data:`CSV_FORMULA_NOTE`: how many such cells, in which resources."""
    counts = [(r.name, n) for r in resources if (n := formula_like_cells(r))]
    if not counts:
        return "This package holds no such text cell."
    total = sum(n for _, n in counts)
    where = ", ".join(f"`{name}` {n}" for name, n in counts)
    return f"This package holds {plural(total, 'such text cell')} ({where})."


def numbers_as_text_section(resources: list[Resource]) -> list[str]:
    """The numbers the workbook holds as text, by resource, CSV line and field (or nothing)."""
    cells = [
        f"- `{resource.name}` line {line}, `{name}`: {digits}"
        for resource in resources
        for line, name, digits in numbers_as_text(resource)
    ]
    return [NUMBERS_AS_TEXT, "", *cells, ""] if cells else []


def citation(disclosure: Disclosure, title: str, *, markdown: bool = False) -> str:
    """How to cite the disclosure: plain text (``x-citation``), or Markdown for the README."""
    record = disclosure.record
    if markdown:
        unit, title = markdown_text(record.unit), markdown_text(title)
        names = code(record.id), code(record.source_file), code(record.sha256)
    else:
        unit = record.unit
        names = f"`{record.id}`", f"`{record.source_file}`", f"`{record.sha256}`"
    package, source, sha256 = names
    return (
        f"{unit}. {title}. {record.year}. Data package {package}, {PORTAL_NAME}. "
        f"Source file {source} (sha256 {sha256})."
    )


def published_at(record: SourceRecord) -> str:
    """Where and when the source was published: an http(s) link, else text; or not recorded."""
    where = web_link(record.source_url) if record.source_url else "not recorded"
    return where + (f" on {markdown_text(record.published)}" if record.published else "")


def disclosure_readme(
    disclosure: Disclosure,
    properties: dict[str, Any],
    resources: list[Resource],
    workbook: str,
) -> str:
    """The README of one disclosure's package."""
    record = disclosure.record
    title = properties["title"]
    fiscal = properties["x-fiscal"]
    rows = {resource.name: len(resource.rows) for resource in resources}
    out = [
        f"# {markdown_text(title)}",
        "",
        f"Open data of one disclosure: **{markdown_text(record.unit)}**, {record.year}年度 "
        f"{markdown_text(record.scope + record.kind_zh)} "
        f"({'budget' if record.kind == 'budget' else 'final accounts'}), "
        f"generated by the {PORTAL_NAME} from the text of the published document. "
        "Generated files: do not edit; they are rebuilt from the source.",
        "",
        f"Amounts are in **{fiscal['money_unit']}** ({fiscal['factor']:,} {fiscal['currency']}) "
        "as published. Every table row keeps `source_line`, its line in the source text.",
        "",
        "## 文件 Files",
        "",
        FILES_TABLE.rstrip("\n"),
        f"| {code(workbook)} | Excel workbook: one sheet per resource |",
        "",
        EXCEL_NOTE,
        "",
        *numbers_as_text_section(resources),
        f"{CSV_FORMULA_NOTE} {formula_like_count(resources)}",
        "",
        "## 表格 Tables",
        "",
        "| 表号 | 表名 | resource | status | rows |",
        "|---|---|---|---|---|",
    ]
    for entry in properties["x-tables"]:
        resource = code(entry["kind"]) if entry["published"] else "–"
        count = rows.get(entry["kind"], 0) if entry["published"] else "–"
        out.append(
            f"| {document_text(entry['table_number'])} | {document_text(entry['title'])} | "
            f"{resource} | "
            f"{STATUS_ZH[entry['status']]} | {count} |"
        )
    others = [r for r in resources if r.name not in {e["kind"] for e in properties["x-tables"]}]
    out += ["", "Other resources:", ""]
    out += [
        f"- {code(r.name)}: {markdown_text(r.title)}, {plural(len(r.rows), 'row')}" for r in others
    ]
    out += [
        "",
        "## 来源 Source",
        "",
        f"- file: {code(record.source_file)}, sha256 {code(record.sha256)}, "
        f"{properties['x-disclosure']['source_lines']} lines",
        f"- published at: {published_at(record)}",
        "",
        "## 许可 Licence",
        "",
        f"{markdown_text(record.licence)}.",
        "",
        "## 引用 How to cite",
        "",
        citation(disclosure, title, markdown=True),
        "",
        *findings_section(next((r.rows for r in resources if r.name == FINDINGS), [])),
    ]
    return "\n".join(out)


def portal_readme(
    properties: dict[str, Any],
    resources: list[Resource],
    disclosures: list[tuple[SourceRecord, int]],
) -> str:
    """The README of the portal-wide package; ``disclosures``: records and finding counts."""
    fiscal = properties["x-fiscal"]
    out = [
        f"# {properties['title']}",
        "",
        properties["description"],
        "",
        f"{len(disclosures)} disclosures of "
        f"{len({record.unit_id for record, _ in disclosures})} units. Amounts are in "
        f"**{fiscal['money_unit']}** ({fiscal['factor']:,} {fiscal['currency']}) as published. "
        "Generated files: do not edit; they are rebuilt from the sources.",
        "",
        "## 文件 Files",
        "",
        FILES_TABLE.rstrip("\n"),
        "",
        "Each disclosure also has its own package (`../<disclosure id>/`) with an Excel workbook.",
        "",
        CSV_FORMULA_NOTE,
        "",
        "## 资源 Resources",
        "",
        "| resource | title | rows |",
        "|---|---|---|",
    ]
    out += [f"| {code(r.name)} | {markdown_text(r.title)} | {r.row_count} |" for r in resources]
    out += [
        "",
        "## 公开文件 Disclosures",
        "",
        "| disclosure | unit | year | kind | findings |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {code(record.id)} | {markdown_text(record.unit)} | {record.year} | "
        f"{markdown_text(record.kind_zh)} | {findings} |"
        for record, findings in disclosures
    ]
    licences = sorted({record.licence for record, _ in disclosures})
    out += [
        "",
        "## 许可 Licence",
        "",
        *[f"- {markdown_text(licence)}" for licence in licences],
        "",
        "## 引用 How to cite",
        "",
        properties["x-citation"],
        "",
    ]
    return "\n".join(out)
