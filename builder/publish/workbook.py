"""The Excel workbook of a disclosure: an about sheet, then one sheet per resource.

For readers of Excel, who would evaluate indicator cells such as ``=100%`` as formulas:
headers are the fields' Chinese titles (bold, frozen, with an autofilter), amounts are numeric
cells, and every text cell is written as a string, never a formula (XlsxWriter with
``strings_to_formulas``, ``strings_to_numbers`` and ``strings_to_urls`` off, and every text
written with ``write_string``). Excel has no decimal type, so amounts become binary floats
here (the documented exception; CSV and Parquet stay exact). A float holds 15 significant
digits for sure: a number with more (``99999999999999.99`` would become ``…98``) is written as
a text cell of its exact digits instead, and the about sheet lists every such cell
(:func:`numbers_as_text`). A negative zero is written as 0, as in the CSV and Parquet files.
Characters XML cannot hold (C0 controls but tab and line breaks) are dropped from text.

XlsxWriter (PyPI ``XlsxWriter``) writes the file: the portal's own SpreadsheetML writer was
replaced by it (BENCHMARKS.md, 2026-12-01 "downloads": about 14 ms more CPU per workbook).
The bytes are stable: a fixed creation date (XlsxWriter then dates every zip entry
1980-01-01 as well), and nothing else that depends on the clock or the machine.
"""

from __future__ import annotations

import io
import math
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from string import ascii_uppercase
from typing import Any

import xlsxwriter
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import _utf16_len, _utf16_truncate
from xlsxwriter.worksheet import Worksheet

from builder.publish.resources import Resource

FIXED_DATE = datetime(1980, 1, 1)
CREATOR = "open budget portal"
ABOUT_SHEET = "说明"
ABOUT_WIDTHS = (24, 100)
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDE_FROM = 0x2E80  # CJK radicals and up: two columns wide
EXCEL_DIGITS = 15  # significant digits a binary float (an Excel number) always holds
SURELY_FITS = 10**EXCEL_DIGITS  # an int below this in size has at most 15 digits
SAFE_EXPONENT = 280  # decimal exponents far from a float's limits (10^±308, subnormals)
NUMBERS_AS_TEXT = "写为文本的数值"
NUMBERS_AS_TEXT_NOTE = (
    f"以下数值超过{EXCEL_DIGITS}位有效数字，Excel数值无法精确保存，故以文本写入（CSV和Parquet文件中为精确数值）。"
    f" These numbers have more than {EXCEL_DIGITS} significant digits, more than an Excel number"
    " holds exactly, so they are written as text cells of their exact digits (the CSV and"
    " Parquet files hold them as exact numbers)."
)
OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

# Characters XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
# What XlsxWriter's escapes change: Excel's _xHHHH_ (a control character, or a literal one)
# and the XML escapes (in text: &, < and >; its pattern has " and a line break too).
EXCEL_ESCAPED = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f]")
XML_ESCAPED = re.compile('["&<>\n]')
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text without the characters XML cannot hold."""
    return XML_ILLEGAL.sub("", text)


def fits_excel(value: Decimal | int) -> bool:
    """Whether an Excel number (a binary float, 15 significant digits) holds ``value`` exactly:
    its float printed with 15 significant digits reads back as the same number.

    A number of at most 15 significant digits well inside a float's range always does (a
    float keeps 15 decimal digits, C's ``DBL_DIG``): that is told from its digits alone,
    the float is made only for the others (most amounts are the first kind)."""
    if type(value) is int:
        if -SURELY_FITS < value < SURELY_FITS:
            return True
    elif type(value) is Decimal and value.is_finite():
        _, digits, exponent = value.as_tuple()
        if len(digits) <= EXCEL_DIGITS and -SAFE_EXPONENT < int(exponent) < SAFE_EXPONENT:
            return True
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
    CSV line, counting the header as 1; field name; exact digits), in sheet order. Found
    once for a resource (its README and its workbook both ask)."""
    found: list[tuple[int, str, str]] | None = resource.memo.get("as_text")
    if found is None:
        found = resource.memo["as_text"] = numbers_of_rows_as_text(resource)
    return found


def numbers_of_rows_as_text(resource: Resource) -> list[tuple[int, str, str]]:
    names = resource.field_names
    return [
        (number, name, number_text(value))
        for number, row in enumerate(resource.rows, start=2)
        for name in names
        if (kind := type(value := row[name])) is not str  # the most common cells, at once
        and value is not None
        and kind is not bool
        and is_number(value)
        and not fits_excel(value)
    ]


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


def write_cell(sheet: Any, row: int, column: int, value: Any, style: Any = None) -> None:
    """One cell: text as a string (never a formula), numbers Excel can hold as numbers, other
    numbers as their exact digits, nothing for None or empty text."""
    if value is None:
        return
    if type(value) is Decimal and fits_excel(value):  # the most common cell first
        number = float(value)
        sheet.write_number(row, column, abs(number) if number == 0 else number, style)
        return
    if isinstance(value, str):
        text = clean_text(value)
        if text:
            sheet.write_string(row, column, text, style)
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
        return
    if isinstance(value, Decimal) and not value.is_finite():
        ref = f"{column_letter(column + 1)}{row + 1}"
        raise ValueError(f"cell {ref}: {value!r} is not a finite number")
    if is_number(value):
        if not fits_excel(value):
            sheet.write_string(row, column, number_text(value), style)
            return
        number = float(value)  # Excel numbers are binary floats; see the module docstring
        sheet.write_number(row, column, abs(number) if number == 0 else number, style)
        return
    raise TypeError(f"no workbook cell for a {type(value).__name__}")


class DataSheet(Worksheet):  # type: ignore[misc]  # XlsxWriter has no type hints
    """A worksheet whose body rows come as finished XML (:func:`data_sheet` writes them).

    XlsxWriter keeps every cell as a tuple in ``table`` until the file is closed, then
    writes each one's ``<c>`` element through half a dozen calls; a data sheet's body is
    made of the two plainest cells, a number and a shared string of no format, so it is
    written here as the same XML, a row at a time (``body``), and only the rest (the bold
    header, the rare other cell) goes through XlsxWriter's table. The bytes are the same
    (tests/test_workbook.py, and the packages' golden hashes); 21.1 → 13.5 ms of CPU per
    workbook (BENCHMARKS.md, 2026-12-02 "pkg-cpu")."""

    def __init__(self) -> None:
        super().__init__()
        self.body: dict[int, tuple[int, int, str]] = {}  # row: first, last column, cells
        self.widths: list[int] = []  # of columns 0, 1, ... (:meth:`set_widths`)
        self.header: tuple[Any, list[tuple[int, str]]] | None = None  # (:meth:`set_header`)

    def set_widths(self, widths: list[int]) -> None:
        """The widths of the first columns, in characters (each at least 1): as XlsxWriter's
        ``set_column`` would set them one by one, written by :meth:`_write_cols` as its
        ``<cols>`` would be, without a ``ColumnInfo`` and a dozen calls for each column."""
        if self.col_info or any(width < 1 for width in widths):
            raise ValueError("widths of at least one character, set once")
        self.widths = widths

    def _write_cols(self) -> None:
        """XlsxWriter's ``<cols>``: a ``<col>`` a run of columns of the same width."""
        if not self.widths:
            super()._write_cols()
            return
        digit, padding = self.max_digit_width, self.cell_padding
        cols = []
        first = 0
        for column, width in enumerate(self.widths):
            if column + 1 < len(self.widths) and self.widths[column + 1] == width:
                continue  # the run goes on
            pixels = int(width * digit + 0.5) + padding  # set_column's conversion
            characters = (pixels * 256 // digit) / 256.0  # and _write_col_info's back
            custom = ' customWidth="1"' if pixels != self.default_col_width else ""
            cols.append(
                f'<col min="{first + 1}" max="{column + 1}" width="{characters:.16g}"{custom}/>'
            )
            first = column + 1
        self.fh.write(f"<cols>{''.join(cols)}</cols>")

    def set_header(self, style: Any, cells: list[tuple[int, str]]) -> None:
        """The first row: text cells of the format ``style``, each a column and the end of
        its ``<c>`` after the style (:meth:`Body.text_end`), written as XlsxWriter's
        ``_write_cell`` would write them (the style's index asked for then, as it asks)."""
        for column, _ in cells:
            if self._check_dimensions(0, column):
                raise ValueError(f"column {column + 1}: beyond a worksheet's size")
        self.header = (style, cells)

    def add_row(self, row: int, first: int, last: int, cells: str) -> None:
        """Row ``row`` (0-based) of cells ``first``..``last`` as ``<c>`` elements."""
        if self._check_dimensions(row, first) or self._check_dimensions(row, last):
            raise ValueError(f"row {row + 1}: beyond a worksheet's size")
        self.body[row] = (first, last, cells)

    def _write_rows(self) -> None:
        if self.header is not None and self.header[1]:
            style, header = self.header
            xf = style._get_xf_index()
            cells = "".join(f'<c r="{column_letter(c + 1)}1" s="{xf}{end}' for c, end in header)
            self.body[0] = (header[0][0], header[-1][0], cells)
        if not self.body:
            super()._write_rows()
            return
        if (
            self.row_info
            or self.comments
            or any(info.column_format is not None for info in self.col_info.values())
        ):
            raise NotImplementedError("a data sheet has no row, column or comment formats")
        table = {row: cells for row, cells in self.table.items() if cells}
        spans: dict[int, tuple[int, int]] = {}
        extents = [(row, min(cells), max(cells)) for row, cells in table.items()]
        for row, first, last in extents + [(r, f, la) for r, (f, la, _) in self.body.items()]:
            low, high = spans.get(row // 16, (first, last))
            spans[row // 16] = (min(low, first), max(high, last))
        write = self.fh.write
        for row in sorted(table.keys() | self.body.keys()):
            low, high = spans[row // 16]
            span = f"{low + 1}:{high + 1}"
            if row in table:
                self._write_row(row, span)
                cells = table[row]
                for column in sorted(cells):
                    self._write_cell(row, column, cells[column])
                self._xml_end_tag("row")
            else:
                write(f'<row r="{row + 1}" spans="{span}">{self.body[row][2]}</row>')


class Strings(SharedStrings):  # type: ignore[misc]  # XlsxWriter has no type hints
    """The shared-strings part, written as XlsxWriter writes it (``_write_si``: Excel's
    ``_xHHHH_`` escapes, ``xml:space`` for edge spaces, XML escapes), its strings at once
    in one loop instead of a dozen calls each: a workbook's 700 strings in 0.6 ms of CPU,
    not 2 ms (BENCHMARKS.md, 2026-12-02 "pkg-cpu"). Same bytes: tested against XlsxWriter's
    own writer (tests/test_workbook.py)."""

    def _write_sst_strings(self) -> None:
        escape_control = self._escape_control_characters
        parts = []
        for text in self.string_table.string_array:
            string = escape_control(text) if EXCEL_ESCAPED.search(text) else text
            if string.startswith("<r>") and string.endswith("</r>"):
                parts.append(f"<si>{string}</si>")  # XlsxWriter's rich string, as it is
                continue
            if XML_ESCAPED.search(string):
                string = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            if string[:1].isspace() or string[-1:].isspace():
                parts.append(f'<si><t xml:space="preserve">{string}</t></si>')
            else:
                parts.append(f"<si><t>{string}</t></si>")
        self.fh.write("".join(parts))


class StringsPackager(Packager):  # type: ignore[misc]
    def _write_shared_strings_file(self) -> None:
        """As XlsxWriter's, with :class:`Strings`."""
        sst = Strings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class Book(xlsxwriter.Workbook):  # type: ignore[misc]
    """A workbook whose shared strings are written by :class:`Strings` (XlsxWriter's
    ``_get_packager`` is there to be overridden)."""

    def __init__(self, filename: Any, options: dict[str, Any]) -> None:
        super().__init__(filename, options)
        self.texts: dict[str, str] = {}  # for :class:`Body`

    def _get_packager(self) -> Packager:
        return StringsPackager()


def data_sheet(book: Any, name: str, resource: Resource, bold: Any) -> list[tuple[int, str, str]]:
    """A resource's sheet: a bold, frozen, filtered header of titles, then its rows
    (:class:`Body`); the numbers it holds as text, as :func:`numbers_as_text` lists them."""
    sheet: DataSheet = book.add_worksheet(name, worksheet_class=DataSheet)
    fields = resource.schema["fields"]
    names = [field["name"] for field in fields]
    titles = [field.get("title") or field["name"] for field in fields]
    sheet.set_widths([column_width(str(title)) for title in titles])
    body = Body(sheet, names, {line for line, _, _ in numbers_as_text(resource)}, book.texts)
    if all(type(title) is str for title in titles):
        ends = [(column, body.text_end(title)) for column, title in enumerate(titles)]
        sheet.set_header(bold, [(column, end) for column, end in ends if end])
    else:
        for column, title in enumerate(titles):
            write_cell(sheet, 0, column, title, bold)
    for number, row in enumerate(resource.rows, start=1):
        body.add(number, row)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(resource.rows), len(names) - 1)
    return body.as_text


class Body:
    """A data sheet's body, a row at a time, each cell as :func:`write_cell` would write it:
    text as a shared string (cut to Excel's limit as XlsxWriter cuts it), amounts and
    integers Excel holds as numbers, others as text of their exact digits (listed in
    ``as_text``), booleans as booleans; the same errors for any other value.

    ``odd``: the sheet rows that hold a number Excel cannot (:func:`numbers_as_text`, found
    once for the README and the workbook); the numbers of the other rows are written without
    asking again. ``texts``: each text value met in the workbook, and the end of its cell
    (its shared string's index; '' for a text of nothing), so that a text met again is not
    cleaned and looked up again (its count in the shared strings goes up as XlsxWriter's
    lookup would)."""

    def __init__(
        self, sheet: DataSheet, names: list[str], odd: set[int], texts: dict[str, str]
    ) -> None:
        self.sheet = sheet
        self.names = names
        self.letters = [column_letter(column + 1) for column in range(len(names))]
        self.table = sheet.str_table
        self.shared = sheet.str_table._get_shared_string_index
        self.longest: int = sheet.xls_strmax
        self.as_text: list[tuple[int, str, str]] = []
        self.odd = odd
        self.texts = texts

    def add(self, number: int, row: dict[str, Any]) -> None:
        """Row ``number`` (0-based: the header is row 0) of the sheet."""
        line, letters, texts = number + 1, self.letters, self.texts
        plain = line not in self.odd  # every number of the row is one Excel holds
        cells = []
        first = last = -1
        for column, name in enumerate(self.names):
            value = row[name]
            kind = type(value)
            if (kind is Decimal or kind is int) and (plain or fits_excel(value)):
                amount = float(value)  # see the module docstring
                amount = abs(amount) if amount == 0 else amount
                cells.append(f'<c r="{letters[column]}{line}"><v>{amount:.16G}</v></c>')
            elif kind is str:
                end = texts.get(value)
                if end is None:
                    end = texts[value] = self.text_end(value)
                elif end:
                    self.table.count += 1  # what the shared strings' lookup counts
                if not end:
                    continue
                cells.append(f'<c r="{letters[column]}{line}{end}')
            elif value is None:
                continue
            elif kind is bool:
                cells.append(f'<c r="{letters[column]}{line}" t="b"><v>{int(value)}</v></c>')
            else:
                cell = self.other_cell(f"{letters[column]}{line}", name, value)
                if not cell:
                    continue
                cells.append(cell)
            last = column
            if first < 0:
                first = column
        if cells:
            self.sheet.add_row(number, first, last, "".join(cells))

    def text_end(self, value: str) -> str:
        """The end of a text cell of ``value`` after its reference ('' if it is no text)."""
        text = clean_text(value)
        if not text:
            return ""
        if len(text) > self.longest // 2 and _utf16_len(text) > self.longest:
            text = _utf16_truncate(text, self.longest)
        return f'" t="s"><v>{self.shared(text)}</v></c>'

    def text_cell(self, ref: str, text: str) -> str:
        if len(text) > self.longest // 2 and _utf16_len(text) > self.longest:
            text = _utf16_truncate(text, self.longest)
        return f'<c r="{ref}" t="s"><v>{self.shared(text)}</v></c>'

    def other_cell(self, ref: str, name: str, value: Any) -> str:
        """A cell of none of the common kinds ('' for empty text)."""
        if isinstance(value, str):
            text = clean_text(value)
            return self.text_cell(ref, text) if text else ""
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"cell {ref}: {value!r} is not a finite number")
        if not is_number(value):
            raise TypeError(f"no workbook cell for a {type(value).__name__}")
        if not fits_excel(value):
            digits = number_text(value)
            self.as_text.append((int(ref.lstrip(ascii_uppercase)), name, digits))
            return self.text_cell(ref, digits)
        number = float(value)
        return f'<c r="{ref}"><v>{abs(number) if number == 0 else number:.16G}</v></c>'


def workbook_bytes(about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]) -> bytes:
    """The xlsx file: an about sheet (label/value lines), then one sheet per (sheet title,
    resource)."""
    buffer = io.BytesIO()
    book = Book(buffer, OPTIONS)
    book.set_properties({"created": FIXED_DATE, "author": CREATOR})
    bold = book.add_format({"bold": True})
    used: set[str] = set()
    about_sheet = book.add_worksheet(sheet_name(ABOUT_SHEET, used))
    as_text: list[tuple[str, Any]] = []
    for title, resource in sheets:
        name = sheet_name(title, used)
        found = data_sheet(book, name, resource, bold)
        columns = {field: n for n, field in enumerate(resource.field_names, start=1)}
        quoted = name.replace("'", "''")
        as_text += [
            (f"'{quoted}'!{column_letter(columns[field])}{row}", digits)
            for row, field, digits in found
        ]
    if as_text:
        about = [*about, ("", None), (NUMBERS_AS_TEXT, NUMBERS_AS_TEXT_NOTE), *as_text]
    for column, width in enumerate(ABOUT_WIDTHS):
        about_sheet.set_column(column, column, width)
    for number, (label, value) in enumerate(about):
        write_cell(about_sheet, number, 0, label, bold)
        write_cell(about_sheet, number, 1, value)
    about_sheet.activate()
    book.close()
    return buffer.getvalue()


def write_workbook(
    path: Path, about: list[tuple[str, Any]], sheets: list[tuple[str, Resource]]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(about, sheets))
