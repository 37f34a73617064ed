"""The Excel workbook of a disclosure: an about sheet, then one sheet per resource.

For readers of Excel, who would misread a UTF-8 CSV without BOM and evaluate indicator cells
such as ``=100%`` as formulas: headers are the fields' Chinese titles (bold, frozen, with an
autofilter), amounts are numeric cells, and every text cell is written as text. Excel has no
decimal type, so amounts become binary floats here (the documented exception; CSV and Parquet
stay exact). A float holds 15 significant digits for sure: a number with more
(``99999999999999.99`` would become ``…98``) is written as a text cell of its exact digits
instead, and the about sheet lists every such cell (:func:`numbers_as_text`). A negative zero is
written as 0, as in the CSV and Parquet files.

The SpreadsheetML (Office Open XML) parts are built here as strings, a few thousand cells per
workbook, rather than through a spreadsheet library's object model (which took about nine times
as long): text cells are inline strings, and there is no theme or shared-strings part.
:func:`build_workbook` returns the parts, :func:`workbook_bytes` zips them.

The file is byte-stable: fixed document dates, no library name or version, and zip entries in a
fixed order with fixed dates and attributes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from builder.publish.resources import Resource

Parts = dict[str, str]  # zip entry name → XML text, in the order they are written

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DATE = "1980-01-01T00:00:00Z"
CREATOR = "open budget portal"
ABOUT_SHEET = "说明"
ABOUT_WIDTHS = (24, 100)
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDE_FROM = 0x2E80  # CJK radicals and up: two columns wide
BOLD = ' s="1"'  # the second cellXfs entry of STYLES_XML
EXCEL_DIGITS = 15  # significant digits a binary float (an Excel number) always holds
NUMBERS_AS_TEXT = "写为文本的数值"
NUMBERS_AS_TEXT_NOTE = (
    f"以下数值超过{EXCEL_DIGITS}位有效数字，Excel数值无法精确保存，故以文本写入（CSV和Parquet文件中为精确数值）。"
    f" These numbers have more than {EXCEL_DIGITS} significant digits, more than an Excel number"
    " holds exactly, so they are written as text cells of their exact digits (the CSV and"
    " Parquet files hold them as exact numbers)."
)

# Characters XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads _xHHHH_ in text as an escaped character; a literal one is escaped as _x005F_xHHHH_.
EXCEL_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")
XML_SPACE = " \t\n\r"

DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT = "application/vnd.openxmlformats-officedocument"
WORKSHEET_TYPE = f"{CONTENT}.spreadsheetml.worksheet+xml"

ROOT_RELS_XML = (
    f'{DECLARATION}<Relationships xmlns="{RELS_NS}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
CORE_XML = (
    f"{DECLARATION}<cp:coreProperties"
    ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f"<dc:creator>{CREATOR}</dc:creator>"
    f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:created>'
    f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:modified>'
    "</cp:coreProperties>"
)
APP_XML = (
    f"{DECLARATION}<Properties"
    ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>{CREATOR}</Application></Properties>"
)
FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
STYLES_XML = (
    f'{DECLARATION}<styleSheet xmlns="{MAIN_NS}">'
    f'<fonts count="2"><font>{FONT}</font><font><b/>{FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
FROZEN_HEADER = (
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
)


def clean_text(text: str) -> str:
    """Text without the characters XML cannot hold."""
    return XML_ILLEGAL.sub("", text)


def escape_text(text: str) -> str:
    """Clean text escaped for element content (a carriage return kept as a reference)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def escape_attribute(text: str) -> str:
    """Clean text escaped for a double-quoted attribute value (line breaks kept)."""
    text = escape_text(text).replace('"', "&quot;")
    return text.replace("\t", "&#9;").replace("\n", "&#10;")


def text_element(text: str) -> str:
    """The ``<t>`` element of clean, non-empty text; whitespace at the ends and line breaks
    are kept."""
    if "_x" in text:
        text = EXCEL_ESCAPE.sub(r"_x005F\g<0>", text)
    escaped = escape_text(text)
    if text[0] in XML_SPACE or text[-1] in XML_SPACE or "\n" in text:
        return f'<t xml:space="preserve">{escaped}</t>'
    return f"<t>{escaped}</t>"


def fits_excel(value: Decimal | int) -> bool:
    """Whether an Excel number (a binary float, 15 significant digits) holds ``value`` exactly:
    its float printed with 15 significant digits reads back as the same number."""
    exact = value if isinstance(value, Decimal) else Decimal(value)
    if not exact.is_finite():
        return False
    number = float(exact)  # an int beyond a float's range is inf here, not OverflowError
    return math.isfinite(number) and Decimal(format(number, f".{EXCEL_DIGITS}g")) == value


def number_text(value: Decimal | int) -> str:
    """The exact digits of a number written as text (no exponent; a negative zero as 0)."""
    if isinstance(value, int):
        return str(value)
    return format(value.copy_abs() if value.is_zero() else value, "f")


def is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def numbers_as_text(resource: Resource) -> list[tuple[int, str, str]]:
    """The numbers of a resource that its sheet holds as text: (sheet row, which is also the
    CSV line, counting the header as 1; field name; exact digits), in sheet order."""
    names = resource.field_names
    return [
        (number, name, number_text(value))
        for number, row in enumerate(resource.rows, start=2)
        for name in names
        if is_number(value := row[name]) and not fits_excel(value)
    ]


def cell_xml(ref: str, value: Any, style: str = "") -> str:
    """One cell; text is an inline string, never a formula; None or empty text is no cell.

    A number an Excel number cannot hold exactly is written as text (:func:`fits_excel`).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        text = clean_text(value)
        return (
            f'<c r="{ref}"{style} t="inlineStr"><is>{text_element(text)}</is></c>' if text else ""
        )
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{value:d}</v></c>'
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"cell {ref}: {value!r} is not a finite number")
    if is_number(value) and not fits_excel(value):
        return cell_xml(ref, number_text(value), style)
    if isinstance(value, int):
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, Decimal | float):
        number = float(value)  # Excel numbers are binary floats; see the module docstring
        if not math.isfinite(number):
            raise ValueError(f"cell {ref}: {value!r} is not a finite number")
        return f'<c r="{ref}"{style}><v>{abs(number) if number == 0 else number!r}</v></c>'
    raise TypeError(f"cell {ref}: no workbook cell for a {type(value).__name__}")


def column_letter(number: int) -> str:
    """The letters of a 1-based column number: 1 → A, 27 → AA."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def sheet_name(title: str, used: set[str]) -> str:
    """A unique sheet name (Excel compares names ignoring case) of at most 31 characters."""
    name = clean_text(title).translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX].strip("'") or "_"
    candidate, counter = name, 2
    while candidate.casefold() in used:
        suffix = f" ({counter})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)].rstrip("'") + suffix
        counter += 1
    used.add(candidate.casefold())
    return candidate


def width_of(text: str) -> int:
    """Display width of a header: CJK characters count double."""
    return sum(2 if ord(char) >= WIDE_FROM else 1 for char in text)


def column_width(title: str) -> int:
    return min(MAX_WIDTH, max(MIN_WIDTH, width_of(title) + 2))


def sheet_xml(rows: list[list[Any]], widths: Sequence[int], *, header: bool, selected: bool) -> str:
    """A worksheet part: with ``header``, row 1 is bold, frozen and filtered; otherwise column
    A holds bold labels (the about sheet)."""
    if not widths:
        raise ValueError("a sheet needs at least one column")
    letters = [column_letter(n) for n in range(1, len(widths) + 1)]
    area = f"A1:{letters[-1]}{max(1, len(rows))}"
    tab = ' tabSelected="1"' if selected else ""
    parts = [
        f'{DECLARATION}<worksheet xmlns="{MAIN_NS}"><dimension ref="{area}"/><sheetViews>',
        f'<sheetView{tab} workbookViewId="0">',
        FROZEN_HEADER if header else "",
        "</sheetView></sheetViews><cols>",
        *(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(widths, start=1)
        ),
        "</cols><sheetData>",
    ]
    styles = ["" if header or column else BOLD for column in range(len(widths))]
    first_styles = [BOLD] * len(widths) if header else styles
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            cell_xml(f"{letter}{number}", value, style)
            for letter, value, style in zip(
                letters, row, first_styles if number == 1 else styles, strict=True
            )
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData>")
    if header:
        parts.append(f'<autoFilter ref="{area}"/>')
    parts.append("</worksheet>")
    return "".join(parts)


def resource_rows(resource: Resource) -> list[list[Any]]:
    """The header of field titles, then the values in field order."""
    fields = resource.schema["fields"]
    names = [field["name"] for field in fields]
    titles: list[Any] = [field.get("title") or field["name"] for field in fields]
    return [titles, *([row[name] for name in names] for row in resource.rows)]


def filter_name(sheet: int, name: str, columns: int, rows: int) -> str:
    """The hidden name Excel keeps beside a sheet's autofilter (``_xlnm._FilterDatabase``)."""
    quoted = name.replace("'", "''")
    area = f"'{quoted}'!$A$1:${column_letter(columns)}${max(1, rows)}"
    return (
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{sheet}" hidden="1">'
        f"{escape_text(area)}</definedName>"
    )


def workbook_xml(names: list[str], filters: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape_attribute(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, start=1)
    )
    defined = f"<definedNames>{''.join(filters)}</definedNames>" if filters else ""
    return (
        f'{DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets>{defined}</workbook>"
    )


def workbook_rels_xml(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{DOC_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{DOC_REL}/styles" Target="styles.xml"/>'
    return f'{DECLARATION}<Relationships xmlns="{RELS_NS}">{sheets}{styles}</Relationships>'


def content_types_xml(count: int) -> str:
    overrides = [
        ("/xl/workbook.xml", f"{CONTENT}.spreadsheetml.sheet.main+xml"),
        ("/xl/styles.xml", f"{CONTENT}.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{CONTENT}.extended-properties+xml"),
        *((f"/xl/worksheets/sheet{n}.xml", WORKSHEET_TYPE) for n in range(1, count + 1)),
    ]
    return (
        f'{DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def build_workbook(about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]) -> Parts:
    """The parts of a workbook: an about sheet (label/value lines), then one sheet per
    (sheet title, resource)."""
    used: set[str] = set()
    names = [sheet_name(ABOUT_SHEET, used)]
    worksheets = []
    filters = []
    as_text: list[tuple[str, Any]] = []
    for title, resource in sheets:
        rows = resource_rows(resource)
        names.append(sheet_name(title, used))
        widths = [column_width(str(header)) for header in rows[0]]
        worksheets.append(sheet_xml(rows, widths, header=True, selected=False))
        filters.append(filter_name(len(names) - 1, names[-1], len(widths), len(rows)))
        columns = {name: n for n, name in enumerate(resource.field_names, start=1)}
        quoted = names[-1].replace("'", "''")
        as_text += [
            (f"'{quoted}'!{column_letter(columns[name])}{row}", digits)
            for row, name, digits in numbers_as_text(resource)
        ]
    if as_text:
        about = [*about, ("", None), (NUMBERS_AS_TEXT, NUMBERS_AS_TEXT_NOTE), *as_text]
    about_rows = [[label, value] for label, value in about]
    worksheets.insert(0, sheet_xml(about_rows, ABOUT_WIDTHS, header=False, selected=True))
    count = len(worksheets)
    parts = {
        "[Content_Types].xml": content_types_xml(count),
        "_rels/.rels": ROOT_RELS_XML,
        "docProps/core.xml": CORE_XML,
        "docProps/app.xml": APP_XML,
        "xl/workbook.xml": workbook_xml(names, filters),
        "xl/_rels/workbook.xml.rels": workbook_rels_xml(count),
        "xl/styles.xml": STYLES_XML,
    }
    for number, xml in enumerate(worksheets, start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = xml
    return parts


def workbook_bytes(parts: Parts) -> bytes:
    """The xlsx zip of the parts, with fixed entry dates and attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # MS-DOS: no owner or group in the entry
            # zipfile gives an entry without attributes ?rw------- (0o600 << 16): fixed too.
            archive.writestr(info, xml.encode("utf-8"))
    return buffer.getvalue()


def write_workbook(
    path: Path, about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(build_workbook(about, sheets)))
