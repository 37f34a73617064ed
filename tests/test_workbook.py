"""The Excel workbook writer: a seed's workbook read back with openpyxl, and its XML parts.

The seed ``001_…`` is used because its tables hold every kind of cell: text (42 cells starting
with ``=``), integers, amounts, booleans and empty values.
"""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from builder.pipeline import load_disclosures
from builder.publish import publish, workbook
from builder.publish.packages import workbook_about, workbook_sheets
from builder.publish.resources import PackagePlan, Resource
from builder.publish.workbook import (
    column_width,
    fits_excel,
    numbers_as_text,
    sheet_name,
    workbook_bytes,
    write_cell,
    write_workbook,
)
from tests.conftest import SOURCES

SEED_001 = "001_417cec5d1b5bc998"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class Published:
    plan: PackagePlan
    path: Path
    book: Workbook


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Seed 001 published as its package; its workbook read back with openpyxl."""
    root = tmp_path_factory.mktemp("workbook")
    sources = root / "sources"
    sources.mkdir()
    for suffix in (".txt", ".meta.yaml"):
        shutil.copy(SOURCES / f"{SEED_001}{suffix}", sources)
    plan = next(p for p in publish(load_disclosures(sources), root / "packages") if p.workbook)
    assert plan.workbook is not None
    path = root / "packages" / plan.name / plan.workbook
    return Published(plan, path, openpyxl.load_workbook(path))


def expected_width(title: str) -> int:
    """Header width: CJK characters count two columns, plus a margin of 2, within 8..60."""
    return min(60, max(8, sum(2 if ord(c) >= 0x2E80 else 1 for c in title) + 2))


def read_back(about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(about, sheets)))


def build_workbook(
    about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]
) -> dict[str, str]:
    """The XML parts of the workbook, by zip entry name."""
    archive = zipfile.ZipFile(io.BytesIO(workbook_bytes(about, sheets)))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def column_widths(published: Published, title: str) -> list[float]:
    """The width of each column of a sheet, from its ``<cols>`` (ranges expanded)."""
    index = published.book.sheetnames.index(title) + 1
    xml = zipfile.ZipFile(published.path).read(f"xl/worksheets/sheet{index}.xml")
    widths = []
    for col in ET.fromstring(xml).iter(f"{MAIN}col"):
        span = int(col.get("max", "0")) - int(col.get("min", "0")) + 1
        widths += [float(col.get("width", "0"))] * span
    return widths


def shared_strings(parts: dict[str, str]) -> list[str]:
    """The texts of the shared-strings part, as written (Excel's escapes not decoded)."""
    root = ET.fromstring(parts["xl/sharedStrings.xml"])
    return ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]


def stored_width(width: float) -> float:
    """A column width as XlsxWriter stores it (the characters plus Excel's cell padding)."""
    return width + 0.7109375


def text_resource(*texts: str) -> Resource:
    schema = {"fields": [{"name": "text", "type": "string", "title": "文本"}]}
    return Resource("texts", "文本", "", schema, [{"text": text} for text in texts])


# --------------------------------------------------------------------------- a seed's workbook


def test_sheets_are_the_about_sheet_then_one_per_resource(published: Published) -> None:
    titles = [title for title, _ in workbook_sheets(published.plan)]
    assert published.book.sheetnames == ["说明", *titles]
    assert "01 收入支出决算总表" in titles


def test_about_sheet_has_bold_labels_and_values(published: Published) -> None:
    sheet = published.book["说明"]
    about = workbook_about(published.plan)
    for number, (label, value) in enumerate(about, start=1):
        assert sheet.cell(number, 1).value == (label or None)
        assert (sheet.cell(number, 2).value, type(sheet.cell(number, 2).value)) == (
            value,
            type(value),
        )
        assert sheet.cell(number, 1).font.b == bool(label), "labels are bold"
        assert not sheet.cell(number, 2).font.b
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (
        stored_width(24),
        stored_width(100),
    )
    assert sheet.freeze_panes is None
    assert sheet.auto_filter.ref is None


def test_data_sheets_have_a_bold_frozen_filtered_header(published: Published) -> None:
    for title, resource in workbook_sheets(published.plan):
        sheet = published.book[title]
        fields = resource.schema["fields"]
        titles = [f.get("title") or f["name"] for f in fields]
        (header,) = sheet.iter_rows(min_row=1, max_row=1)
        assert [cell.value for cell in header] == titles
        assert all(cell.font.b for cell in header)
        assert sheet.freeze_panes == "A2"
        last = get_column_letter(len(fields))
        assert sheet.auto_filter.ref == f"A1:{last}{len(resource.rows) + 1}"
        assert column_widths(published, title) == [stored_width(expected_width(t)) for t in titles]


def test_cells_keep_their_types(published: Published) -> None:
    seen: set[str] = set()
    for title, resource in workbook_sheets(published.plan):
        rows = published.book[title].iter_rows(min_row=2)
        for row, cells in zip(resource.rows, rows, strict=True):
            for value, cell in zip(row.values(), cells, strict=True):
                assert not cell.font.b
                if value is None:
                    assert cell.value is None
                    kind = "empty"
                elif isinstance(value, str):
                    assert (cell.value, cell.data_type) == (value, "s")
                    kind = "formula-like text" if value.startswith("=") else "text"
                elif isinstance(value, bool):
                    assert (cell.value, cell.data_type) == (value, "b")
                    kind = "boolean"
                elif isinstance(value, int):
                    assert (cell.value, type(cell.value), cell.data_type) == (value, int, "n")
                    kind = "integer"
                else:
                    assert isinstance(value, Decimal)
                    assert (cell.value, cell.data_type) == (float(value), "n")
                    kind = "amount"
                seen.add(kind)
    kinds = {"empty", "text", "formula-like text", "boolean", "integer", "amount"}
    assert seen == kinds, "the seed exercises every kind of cell"


def test_writes_are_byte_stable_and_name_no_library(published: Published, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    write_workbook(again, workbook_about(published.plan), workbook_sheets(published.plan))
    data = published.path.read_bytes()
    assert again.read_bytes() == data
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert len({info.external_attr for info in infos}) == 1, "the same attributes for all"
    assert len({info.create_system for info in infos}) == 1
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
    assert b"xlsxwriter" not in data.lower()
    core = archive.read("docProps/core.xml").decode()
    assert "<dc:creator>open budget portal</dc:creator>" in core
    assert core.count("1980-01-01T00:00:00Z") == 2, "created and modified are fixed"


def test_every_part_is_well_formed_xml(published: Published) -> None:
    archive = zipfile.ZipFile(published.path)
    names = archive.namelist()
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == len(published.book.sheetnames)
    for name in names:
        ET.fromstring(archive.read(name))  # raises ParseError when malformed


def test_each_filtered_sheet_has_a_hidden_filter_database_name(published: Published) -> None:
    workbook = ET.fromstring(zipfile.ZipFile(published.path).read("xl/workbook.xml"))
    names = workbook.findall(f"{MAIN}definedNames/{MAIN}definedName")
    expected = [
        (
            str(number),
            title,
            f"$A$1:${get_column_letter(len(r.schema['fields']))}${len(r.rows) + 1}",
        )
        for number, (title, r) in enumerate(workbook_sheets(published.plan), start=1)
    ]
    found = []
    for name in names:
        sheet, _, area = str(name.text).rpartition("!")
        found.append((name.get("localSheetId"), sheet.strip("'"), area))  # quoted when needed
    assert sorted(found) == sorted(expected)  # XlsxWriter writes them in name order
    assert {(n.get("name"), n.get("hidden")) for n in names} == {("_xlnm._FilterDatabase", "1")}


# --------------------------------------------------------------------------- text and names


def test_text_is_escaped_cleaned_and_keeps_its_spaces() -> None:
    texts = ['a & <b> "c"', " padded ", "two\nlines", "crlf\r\nend", "bell\x07 gone", "=SUM(A1)"]
    sheet = read_back([], [("文本", text_resource(*texts))])["文本"]
    values = [cell.value for (cell,) in sheet.iter_rows(min_row=2)]
    assert values == [
        'a & <b> "c"',
        " padded ",
        "two\nlines",
        "crlf_x000D_\nend",  # Excel's escape of a carriage return; Excel reads it back as \r
        "bell gone",
        "=SUM(A1)",
    ]
    assert {cell.data_type for (cell,) in sheet.iter_rows(min_row=2)} == {"s"}


def test_formula_like_text_is_an_inline_string_never_a_formula() -> None:
    """OWASP's CSV-injection payloads stay text: ``t="inlineStr"``, no ``<f>`` element."""
    hostile = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)"]
    parts = build_workbook([("来源", hostile[0])], [("文本", text_resource(*hostile))])
    assert set(hostile) <= set(shared_strings(parts))
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        sheet = ET.fromstring(parts[name])
        assert list(sheet.iter(f"{MAIN}f")) == [], "no formula element"
        assert {c.get("t") for c in sheet.iter(f"{MAIN}c")} == {"s"}, "every cell a string"
    book = read_back([("来源", hostile[0])], [("文本", text_resource(*hostile))])
    cells = [cell for (cell,) in book["文本"].iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(text, "s") for text in hostile]


def test_empty_or_unwritable_text_is_an_empty_cell() -> None:
    parts = build_workbook([("", None)], [("文本", text_resource("", "\x00\x01", "x"))])
    sheet = ET.fromstring(parts["xl/worksheets/sheet2.xml"])
    cells = sheet.findall(f"{MAIN}sheetData/{MAIN}row/{MAIN}c")
    assert [c.get("r") for c in cells] == ["A1", "A4"], "the header and x, nothing between"
    about = ET.fromstring(parts["xl/worksheets/sheet1.xml"])
    assert about.findall(f"{MAIN}sheetData/{MAIN}row/{MAIN}c") == []


def test_literal_excel_escapes_are_themselves_escaped() -> None:
    """Excel reads ``_x0041_`` as "A"; a literal one is written ``_x005F_x0041_``."""
    parts = build_workbook([], [("文本", text_resource("id_x0041_b"))])
    assert "id_x005F_x0041_b" in shared_strings(parts)


def test_numbers_are_written_as_their_shortest_text() -> None:
    fields = [
        {"name": n, "type": t} for n, t in (("n", "integer"), ("a", "number"), ("b", "boolean"))
    ]
    rows = [
        {"n": 7, "a": Decimal("3621.803"), "b": True},
        {"n": -1, "a": Decimal("5408.80"), "b": False},
    ]
    resource = Resource("numbers", "数", "", {"fields": fields}, rows)
    xml = build_workbook([], [("数", resource)])["xl/worksheets/sheet2.xml"]
    assert '<c r="A2"><v>7</v></c><c r="B2"><v>3621.803</v></c><c r="C2" t="b"><v>1</v></c>' in xml
    assert '<c r="A3"><v>-1</v></c><c r="B3"><v>5408.8</v></c><c r="C3" t="b"><v>0</v></c>' in xml


def test_an_excel_number_holds_at_most_15_significant_digits() -> None:
    assert fits_excel(Decimal("9999999999999.99"))  # 15 digits
    assert fits_excel(Decimal("3621.803"))
    assert fits_excel(Decimal("-0.00"))
    assert fits_excel(Decimal("1E+20"))
    assert fits_excel(10**20)
    assert not fits_excel(Decimal("99999999999999.99"))  # 16: the float is ….984375
    assert not fits_excel(Decimal("0.1234567890123456"))
    assert not fits_excel(2**53 + 1)
    assert not fits_excel(10**400), "an int beyond a float's range"
    assert not fits_excel(Decimal("1E+400")), "beyond a float's range"
    assert not fits_excel(Decimal("1E-400")), "a float would be 0"


def test_the_digit_count_shortcut_and_the_float_agree_at_its_edges() -> None:
    assert fits_excel(10**15 - 1)  # 15 digits: told from the digits
    assert fits_excel(-(10**15) + 1)
    assert fits_excel(10**15)  # 16 digits but a power of ten: the float says yes
    assert not fits_excel(10**15 + 1)
    assert fits_excel(Decimal("1.000000000000000000"))  # 19 digits, the number 1
    assert fits_excel(Decimal("1E+279"))
    assert fits_excel(Decimal("1E+300"))
    assert fits_excel(Decimal("1.5E-300"))
    assert not fits_excel(Decimal("NaN"))
    assert not fits_excel(Decimal("-Infinity"))


def test_a_number_excel_cannot_hold_is_text_and_listed_on_the_about_sheet() -> None:
    schema = {"fields": [{"name": "a", "type": "number"}, {"name": "n", "type": "integer"}]}
    rows = [
        {"a": Decimal("99999999999999.99"), "n": 1},
        {"a": Decimal("3621.803"), "n": 9007199254740993},
    ]
    book = read_back([("标题", "测试")], [("It's 金额", Resource("a", "金额", "", schema, rows))])
    values = [[(c.value, c.data_type) for c in row] for row in book["It's 金额"].iter_rows(2)]
    assert values == [
        [("99999999999999.99", "s"), (1, "n")],
        [(3621.803, "n"), ("9007199254740993", "s")],
    ]
    about = [(a.value, b.value) for a, b in book["说明"].iter_rows(max_col=2)]
    assert about[0] == ("标题", "测试")
    assert about[1] == (None, None)
    assert about[2][0] == "写为文本的数值"
    assert about[2][1].startswith("以下数值超过15位有效数字，Excel数值无法精确保存，故以文本写入")
    assert about[3:] == [
        ("'It''s 金额'!A2", "99999999999999.99"),
        ("'It''s 金额'!B3", "9007199254740993"),
    ]


def test_a_non_finite_amount_is_an_error() -> None:
    schema = {"fields": [{"name": "amount", "type": "number"}]}
    resource = Resource("amounts", "金额", "", schema, [{"amount": Decimal("NaN")}])
    with pytest.raises(ValueError, match="not a finite number"):
        build_workbook([], [("金额", resource)])


def test_sheet_names_are_unique_ignoring_case_and_valid_for_excel() -> None:
    used: set[str] = set()
    assert sheet_name("Data", used) == "Data"
    assert sheet_name("data", used) == "data (2)"
    assert sheet_name("'a/b:c'", used) == "a_b_c"
    long = "表" * 40
    assert sheet_name(long, used) == "表" * 31
    assert sheet_name(long, used) == "表" * 27 + " (2)"


def test_sheet_names_with_quotes_are_escaped_in_the_workbook() -> None:
    parts = build_workbook([], [('It\'s "ok" & fine', text_resource("x"))])
    workbook = ET.fromstring(parts["xl/workbook.xml"])
    sheets = workbook.findall(f"{MAIN}sheets/{MAIN}sheet")
    assert [s.get("name") for s in sheets] == ["说明", 'It\'s "ok" & fine']
    (name,) = workbook.findall(f"{MAIN}definedNames/{MAIN}definedName")
    assert name.text == "'It''s \"ok\" & fine'!$A$1:$A$2"


class CellByCell(Worksheet):  # type: ignore[misc]
    """A data sheet written the plain way: each body cell through ``write_cell`` into
    XlsxWriter's own table (its ``add_row`` is never called)."""

    def add_row(self, row: int, first: int, last: int, cells: str) -> None:
        raise AssertionError("the reference writes cell by cell")


def cell_by_cell(book: Any, name: str, resource: Resource, bold: Any) -> list[Any]:
    sheet = book.add_worksheet(name, worksheet_class=CellByCell)
    for column, field in enumerate(resource.schema["fields"]):
        sheet.set_column(column, column, column_width(str(field["title"])))
        write_cell(sheet, 0, column, field["title"], bold)
    for number, row in enumerate(resource.rows, start=1):
        for column, field in enumerate(resource.schema["fields"]):
            write_cell(sheet, number, column, row[field["name"]])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(resource.rows), len(resource.schema["fields"]) - 1)
    return numbers_as_text(resource)


def test_body_and_strings_are_what_xlsxwriter_writes_cell_by_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every kind of body cell (text to cut at Excel's limit, an emoji past it, escapes,
    amounts, a negative zero, numbers Excel cannot hold, booleans, empty rows) in rows of 1 to
    40 cells over more than 16 rows (the ``spans`` of each block of 16), and their shared
    strings (edge spaces, Excel's and XML's escapes), column widths in runs of equal ones
    and the bold header (one of its cells empty): the same bytes as XlsxWriter's own."""
    kinds: list[Any] = [
        None, "", "text", " padded", "tail\r", "\ttab", "<r>rich</r>", 'q"\n', "bell\x07",
        "_x0041_", "a & <b>", "长" * 20_000,
        "😀" * 17_000, Decimal("1.5"), Decimal("-0.00"), Decimal("99999999999999.99"),
        Decimal("1E+400"), 10**16, 7, True, False,
    ]  # fmt: skip
    sheets = []
    for width in (1, 3, 40):
        names = [f"f{n}" for n in range(width)]
        rows = [dict.fromkeys(names)] + [
            {name: kinds[(n * 7 + column * 3) % len(kinds)] for column, name in enumerate(names)}
            for n in range(37)
        ]
        titles = [f"{'列' * (n // 2 % 4 * 3)}{name}" for n, name in enumerate(names)]
        titles[-1] = "\x07" if width == 3 else titles[-1]  # a header cell of nothing
        schema = {"fields": [{"name": n, "title": t} for n, t in zip(names, titles, strict=True)]}
        sheets.append((f"宽{width}", Resource(f"r{width}", "表", "", schema, rows)))
    about = [("标题", "t"), ("年度", 2024)]
    fast = workbook_bytes(about, sheets)
    monkeypatch.setattr(workbook, "data_sheet", cell_by_cell)
    monkeypatch.setattr(workbook, "Book", xlsxwriter.Workbook)  # its own shared strings
    assert fast == workbook_bytes(about, sheets)
