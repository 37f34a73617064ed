"""README.md of each data package, in Chinese with an English part.

What it is, the source document and its address, the files (each with its Chinese title), how
to read the columns, the licence, a citation with the data version and date, and the audit's
findings. The text is generated from the same plan as the files, so it cannot drift from them;
the only date in it is the release's (``builder.release``, a setting), never the clock. Every
text from a provenance record or a document (unit names, titles, licences, source URLs,
audit messages) is written through ``builder.publish.readme_markup``: as text, never as
Markdown or HTML markup.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from builder import declarations
from builder.declarations import PUBLISHED_MONEY_UNIT as UNIT
from builder.publish.files import CSV_ENCODING
from builder.publish.readme_markup import code, markdown_text, web_link
from builder.publish.workbook import numbers_as_text
from builder.release import Release, current_release

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


def status_zh(status: str) -> str:
    """A table status in the README: its Chinese label, declared once (tables.status,
    x-labels), and its English explanation."""
    return f"{declarations.labels('tables', 'status')[status]} {STATUS_EN[status]}"


PORTAL_NAME = "开放预算门户 (open budget portal)"
FINDINGS = "findings"
EXCEL_NOTE = (
    "Excel 工作簿便于阅读：表头为中文，金额为数值，文本一律为文本"
    "（原文的 `=100%` 不会被当作公式）。"
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
READING_ZH = [
    "- 每个 CSV 文件是一张表：第一行是英文列名，每列的中文名、类型和单位见 `datapackage.json` "
    "中该资源的 `schema`（网站的“数据字典”页逐一列出）。",
    f"- 金额列名以 `_10k_yuan` 结尾，单位为{UNIT}，按原文照录的精确小数；空单元格表示原文未填；"
    "`not_applicable` 为 true 表示原文印的是 `——`（不适用），不是零。",
    "- `row_number` 是行在原表中的顺序，`source_line` 是它在原文文本中的行号（可用来回查原文）。",
    "- 功能分类代码（`function_code`）：类 3 位、款 5 位、项 7 位，上级行是代码的前缀；"
    "经济分类代码（`economic_code`）同理。",
    f"- CSV 为 UTF-8 编码并以 BOM 开头（`encoding: {CSV_ENCODING}`），中文 Windows 上的 Excel "
    "可以直接双击打开；程序读取时请用该编码（Python：`encoding='utf-8-sig'`），逗号分隔，"
    "`\\n` 换行。",
    "- Parquet 文件与 CSV 内容相同，金额为 decimal128（精确）。",
]
READING_EN = (
    "Each CSV is one table: English column names in the first line; each column's Chinese "
    "title, type and unit are in the resource's `schema` in `datapackage.json`. Amount columns "
    "end in `_10k_yuan` (万元, 10,000 yuan), exact decimals as printed; an empty cell was left "
    "blank in the document; `not_applicable` true means the document printed `——`. "
    "`source_line` is the row's line in the source text. CSV files are UTF-8 with a byte-order "
    f"mark (declared `{CSV_ENCODING}`, so Excel on Chinese Windows opens them as UTF-8), "
    "comma-separated, `\\n` line ends."
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
        return [*out, "核查未发现问题。The audit found nothing to report.", ""]
    severities = [f.get("severity") for f in findings]
    counts = ", ".join(
        plural(severities.count(s), s) for s in ("error", "warning", "info") if s in severities
    )
    out += [
        f"核查发现 {len(findings)} 处（{counts}）：原文的合计不相等、表格缺失或为空、名称不一致等。"
        "这些是原文件本身的情况，本数据包照录原文，未作任何更正；明细见 `csv/findings.csv`。",
        f"The audit reports {plural(len(findings), 'finding')} ({counts}) about the disclosure "
        "as published. They are facts about the document, not errors of this package; nothing "
        "was corrected.",
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


def citation(
    disclosure: Disclosure,
    title: str,
    *,
    markdown: bool = False,
    release: Release | None = None,
) -> str:
    """How to cite the disclosure, with the data version and date: plain text
    (``x-citation``), or Markdown for the README."""
    record = disclosure.record
    release = release or current_release()
    if markdown:
        unit, title = markdown_text(record.unit), markdown_text(title)
        names = code(record.id), code(record.source_file), code(record.sha256)
    else:
        unit = record.unit
        names = f"`{record.id}`", f"`{record.source_file}`", f"`{record.sha256}`"
    package, source, sha256 = names
    return (
        f"{unit}. {title}. {record.year}. Data package {package}, {PORTAL_NAME}, "
        f"data version {release.version} ({release.date}). "
        f"Source file {source} (sha256 {sha256})."
    )


def published_at(record: SourceRecord) -> str:
    """Where and when the source was published: an http(s) link, else text; or not recorded."""
    where = web_link(record.source_url) if record.source_url else "未记录 not recorded"
    return where + (f" on {markdown_text(record.published)}" if record.published else "")


def files_table(resources: list[Resource], workbook: str | None) -> list[str]:
    """Every file of the package with its Chinese title."""
    out = [
        "| 文件 file | 中文名 | 内容 what it holds |",
        "|---|---|---|",
        "| `README.md` | 说明 | 本文件 this file |",
        "| `datapackage.json` | 数据包描述 | [Frictionless](https://datapackage.org/) 描述："
        "每个资源的字段、中文名、单位、键、大小和 SHA-256，许可、来源、版本 |",
    ]
    if workbook is not None:
        out.append(f"| {code(workbook)} | Excel 工作簿 | 说明页和每个资源一个工作表 |")
    for resource in resources:
        title = markdown_text(resource.title)
        rows = f"{resource.row_count} 行 rows"
        out.append(f"| `csv/{resource.name}.csv` | {title} | CSV，{rows} |")
        out.append(f"| `parquet/{resource.name}.parquet` | {title} | Parquet，{rows} |")
    return out


def header(title: str, release: Release) -> list[str]:
    return [f"# {markdown_text(title)}", "", f"{release.label} · 开放预算门户", ""]


def disclosure_readme(
    disclosure: Disclosure,
    properties: dict[str, Any],
    resources: list[Resource],
    workbook: str,
) -> str:
    """The README of one disclosure's package."""
    record, release = disclosure.record, current_release()
    title = properties["title"]
    fiscal = properties["x-fiscal"]
    what = f"{record.year}年度{record.scope}{record.kind_zh}"
    kind_en = "budget" if record.kind == "budget" else "final accounts"
    out = [
        *header(title, release),
        "## 这是什么",
        "",
        f"**{markdown_text(record.unit)}** {markdown_text(what)}公开文件的开放数据：每张标准表格、"
        "名词解释、绩效附表和核查发现，由开放预算门户从公开文件的文本整理生成，数值照录原文。"
        f"金额单位为{fiscal['money_unit']}（{fiscal['factor']:,} 元）。"
        "这些文件是生成的，请勿编辑。",
        "",
        "## 来源 Source",
        "",
        f"- 原文地址 published at: {published_at(record)}",
        f"- 原文文本 source text: {code(record.source_file)}, sha256 {code(record.sha256)}, "
        f"{properties['x-disclosure']['source_lines']} lines",
        "",
        "## 文件 Files",
        "",
        *files_table(resources, workbook),
        "",
        "## 如何读这些列",
        "",
        *READING_ZH,
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
    rows = {resource.name: len(resource.rows) for resource in resources}
    for entry in properties["x-tables"]:
        resource = code(entry["kind"]) if entry["published"] else "–"
        count = rows.get(entry["kind"], 0) if entry["published"] else "–"
        out.append(
            f"| {document_text(entry['table_number'])} | {document_text(entry['title'])} | "
            f"{resource} | {status_zh(entry['status'])} | {count} |"
        )
    out += [
        "",
        *findings_section(next((r.rows for r in resources if r.name == FINDINGS), [])),
        "## 许可 Licence",
        "",
        f"{markdown_text(record.licence)}.",
        "",
        "## 引用 How to cite",
        "",
        citation(disclosure, title, markdown=True, release=release),
        "",
        "## English",
        "",
        f"Open data of one disclosure: **{markdown_text(record.unit)}**, {record.year}, "
        f"{kind_en} ({markdown_text(record.scope + record.kind_zh)}), generated by the "
        f"{PORTAL_NAME} from the text of the published document, data version "
        f"{release.version} ({release.date}). Amounts are in {fiscal['money_unit']} "
        f"({fiscal['factor']:,} {fiscal['currency']}) as published. {READING_EN}",
        "",
    ]
    return "\n".join(out)


def portal_readme(
    properties: dict[str, Any],
    resources: list[Resource],
    disclosures: list[tuple[SourceRecord, int]],
) -> str:
    """The README of the portal-wide package (or of one year of it); ``disclosures``: records
    and finding counts."""
    release = current_release()
    fiscal = properties["x-fiscal"]
    units = len({record.unit_id for record, _ in disclosures})
    out = [
        *header(properties["title"], release),
        "## 这是什么",
        "",
        f"{len(disclosures)} 份公开文件（{units} 个单位）的数据合并在一起：每种标准表格一个资源，"
        "每行都带公开文件标识（`disclosure_id`）、单位（`publisher_id`、`publisher_name`）、"
        "年度（`fiscal_year`）、公开类型（`disclosure_kind`、`disclosure_kind_zh`）和范围"
        "（`disclosure_scope`），无需连接目录表即可比较单位和年度；另有公开文件目录"
        "（`disclosures`，含每份文件的原文地址）、单位目录（`units`）、各表状态（`tables`）、"
        "名词解释、绩效附表和核查发现。"
        f"金额单位为{fiscal['money_unit']}（{fiscal['factor']:,} 元），照录原文。",
        "",
        "每份公开文件另有自己的数据包（含 Excel 工作簿）。",
        "",
        "## 文件 Files",
        "",
        *files_table(resources, properties.get("x-workbook")),
        "",
        "## 如何读这些列",
        "",
        *READING_ZH,
        "",
        CSV_FORMULA_NOTE,
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
        "## English",
        "",
        f"{properties['description']} {len(disclosures)} disclosures of {units} units, data "
        f"version {release.version} ({release.date}). {READING_EN}",
        "",
    ]
    return "\n".join(out)
