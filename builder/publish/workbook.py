"""The Excel workbook of a disclosure: an about sheet, then one sheet per resource.

For readers of Excel, who would misread a UTF-8 CSV without BOM and evaluate indicator cells
such as ``=100%`` as formulas: headers are the fields' Chinese titles, amounts are numeric
cells, and every text cell is written as text. Excel has no decimal type, so amounts become
binary floats here (the documented exception; CSV and Parquet stay exact).

The file is byte-stable: document properties carry a fixed date and no library version, and
the zip is rewritten with fixed entry dates and attributes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from builder.publish.resources import Resource

FIXED_TIME = datetime(1980, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CREATOR = "open budget portal"
APP_XML = (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>open budget portal</Application></Properties>'
)
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDE_FROM = 0x2E80  # CJK radicals and up: two columns wide
BOLD = Font(bold=True)


def cell_value(value: Any) -> Any:
    """A value for a cell: amounts as numbers, text without characters XML cannot hold."""
    if isinstance(value, Decimal):
        return float(value)  # Excel numbers are binary floats; see the module docstring
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    """Write one cell; text stays text even when it starts with = (never a formula)."""
    cell = sheet.cell(row=row, column=column, value=cell_value(value))
    if isinstance(value, str):
        cell.data_type = "s"


def sheet_name(title: str, used: set[str]) -> str:
    name = title.translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX]
    candidate, counter = name, 2
    while candidate in used:
        suffix = f" ({counter})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
        counter += 1
    used.add(candidate)
    return candidate


def width_of(text: str) -> int:
    """Display width of a header: CJK characters count double."""
    return sum(2 if ord(char) >= WIDE_FROM else 1 for char in text)


def fill_sheet(sheet: Worksheet, resource: Resource) -> None:
    fields = resource.schema["fields"]
    for column, field in enumerate(fields, start=1):
        put(sheet, 1, column, field.get("title") or field["name"])
        sheet.cell(row=1, column=column).font = BOLD
        letter = get_column_letter(column)
        width = width_of(field.get("title") or field["name"]) + 2
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width))
    for number, row in enumerate(resource.rows, start=2):
        for column, field in enumerate(fields, start=1):
            value = row[field["name"]]
            if value is not None:
                put(sheet, number, column, value)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(fields))
    sheet.auto_filter.ref = f"A1:{last}{max(1, len(resource.rows) + 1)}"


def build_workbook(about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]) -> Workbook:
    """An about sheet (label/value lines), then one sheet per (sheet title, resource)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    used: set[str] = set()
    first.title = sheet_name("说明", used)
    for number, (label, value) in enumerate(about, start=1):
        put(first, number, 1, label)
        first.cell(row=number, column=1).font = BOLD
        if value is not None:
            put(first, number, 2, value)
    first.column_dimensions["A"].width = 24
    first.column_dimensions["B"].width = 100
    for title, resource in sheets:
        fill_sheet(workbook.create_sheet(sheet_name(title, used)), resource)
    workbook.properties.creator = CREATOR
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    return workbook


def stable_zip(data: bytes) -> bytes:
    """Rewrite an xlsx zip with fixed entry dates and attributes and a version-free app.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = APP_XML if entry.filename == "docProps/app.xml" else source.read(entry)
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, content)
    return out.getvalue()


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter, not Workbook.save: save() stamps the current time as "modified".
        ExcelWriter(workbook, archive).save()
    return stable_zip(buffer.getvalue())


def write_workbook(
    path: Path, about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(build_workbook(about, sheets)))
