"""Byte-stable CSV and Parquet files of a resource, and the size and hash of any file.

CSV: UTF-8 with a byte-order mark (declared ``utf-8-sig``: :data:`CSV_ENCODING` says why),
comma-separated, ``\\n`` line ends, the declared field names as header, amounts as exact
decimal text, booleans as ``true``/``false``, missing values empty. A negative zero
(``-0.00`` as printed) is written ``0.00``: Parquet's decimal128 is a scaled integer and has no
negative zero, and both files hold the same values (``verify`` checks that they do).
Parquet: pyarrow with the Arrow schema derived from the Table Schema (amounts decimal128), no
schema metadata, Snappy, one fixed row-group size, format version 2.6. Rows are written in the
order given (the builders sort them by key). A prebuilt resource (the portal's combined
tables) has its CSV text already; its Parquet file is that text read back with the declared
Arrow types (:func:`read_csv_as`, the same reading ``verify`` compares with).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from builder.publish.resources import COPY_BLOCK, Resource, Spooled
from builder.publish.schemas import arrow_schema_of_widths, decimal_widths

LINE_TERMINATOR = "\n"
# UTF-8 with a byte-order mark. Excel on a Chinese Windows machine reads a CSV without one as
# GBK, so every Chinese character turns to mojibake; with it, a double click opens the file
# right. Every reader the data is meant for skips the mark (frictionless, pandas, pyarrow,
# DuckDB, R's readr, Python's csv with encoding="utf-8-sig"), and one file per table keeps a
# single truth (a second, Excel-only copy of every CSV would double the downloads and leave
# users to guess which one is the data). The descriptors declare it, so they stay true to
# the bytes: a program that opens the file with the declared encoding gets clean headers.
CSV_ENCODING = "utf-8-sig"
ROW_GROUP_SIZE = 1_000_000
# Snappy, not zstd 9: a disclosure's 15 small files cost 8.7 ms of CPU with zstd, 4.1 ms with
# Snappy (the codec's cost is per column chunk), for 49.6 → 54.0 KB (BENCHMARKS "clean-60");
# Snappy is also what Spark, pandas and DuckDB write by default, so every reader has it.
COMPRESSION = "snappy"
PARQUET_VERSION = "2.6"


@dataclass(frozen=True)
class FileInfo:
    """Size and checksum of a written file, in the forms datapackage.json uses."""

    path: str  # relative to the package folder, with forward slashes
    bytes: int
    sha256: str

    @property
    def hash(self) -> str:
        return f"sha256:{self.sha256}"


def file_info(root: Path, relative: str) -> FileInfo:
    path = root / relative
    with path.open("rb") as handle:  # a block at a time: the portal's files are large
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    return FileInfo(relative, path.stat().st_size, sha256)


def written(root: Path, relative: str, data: bytes) -> FileInfo:
    """``data`` written at ``relative`` under ``root`` (whose folders exist); its size and
    hash from the bytes in memory, not read back."""
    (root / relative).write_bytes(data)
    return FileInfo(relative, len(data), hashlib.sha256(data).hexdigest())


def csv_cell(value: Any) -> str:
    """A value as CSV text: exact decimals, ISO dates, lower-case booleans, '' for missing."""
    if type(value) is str:  # the most common cell first
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(unsigned_zero(value), "f")
    if isinstance(value, float):
        raise TypeError(f"float {value!r} in a published table; amounts must be Decimal")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def unsigned_zero(value: Decimal) -> Decimal:
    """The value, a negative zero without its sign (``-0.00`` → ``0.00``): equal, and what a
    decimal128 holds."""
    return value.copy_abs() if value.is_zero() else value


def csv_lines(names: list[str], rows: list[dict[str, Any]]) -> str:
    """CSV lines of ``rows`` (their ``names`` fields, in order), without a header."""
    return "".join(csv_line_list(names, rows))


class _Lines(list[str]):
    """What a ``csv.writer`` writes to: a line a row (it writes each row at once)."""

    write = list.append


def csv_line_list(names: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """:func:`csv_lines`, a line a row (each with its line end)."""
    lines = _Lines()
    writer = csv.writer(lines, lineterminator=LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in names])
    return lines


def csv_header(names: list[str]) -> str:
    return csv_lines(names, [dict(zip(names, names, strict=True))])


def csv_text(resource: Resource) -> str:
    if resource.prebuilt is not None:
        text = resource.prebuilt.csv
        if isinstance(text, Spooled):
            with text.open() as stream:
                return stream.read().decode("utf-8")
        return text
    names = resource.field_names
    return csv_header(names) + "".join(body_lines(resource))


def body_lines(resource: Resource) -> list[str]:
    """The CSV lines of a resource's rows (no header), made once: the portal's part of a
    disclosure's resource is these lines too (``builder.publish.portal.part``)."""
    lines: list[str] | None = resource.memo.get("csv_lines")
    if lines is None:
        lines = resource.memo["csv_lines"] = csv_line_list(resource.field_names, resource.rows)
    return lines


def resource_widths(resource: Resource) -> dict[str, tuple[int, int]]:
    """The widths of a resource's amounts (:func:`decimal_widths` of its rows), found once:
    its Parquet schema and its portal part use them."""
    widths: dict[str, tuple[int, int]] | None = resource.memo.get("widths")
    if widths is None:
        widths = resource.memo["widths"] = decimal_widths(resource.schema, resource.rows)
    return widths


def write_csv(resource: Resource, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    spooled = resource.prebuilt.csv if resource.prebuilt is not None else None
    if isinstance(spooled, Spooled):  # copied through, never whole in memory
        with path.open("wb") as target, spooled.open() as stream:
            target.write(codecs.BOM_UTF8)  # what CSV_ENCODING's encoding adds
            shutil.copyfileobj(stream, target, COPY_BLOCK)
        return
    path.write_bytes(csv_text(resource).encode(CSV_ENCODING))


def read_csv_as(source: Path | bytes | BinaryIO, schema: pa.Schema) -> pa.Table:
    """A CSV file of ours read with the given Arrow types ('' is missing, true/false)."""
    return pacsv.read_csv(
        io.BytesIO(source) if isinstance(source, bytes) else source,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=schema,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            true_values=["true"],
            false_values=["false"],
        ),
    )


def arrow_table(resource: Resource) -> pa.Table:
    """The resource as an Arrow table with its declared types (no pandas, no floats)."""
    if resource.prebuilt is not None:
        schema = arrow_schema_of_widths(resource.schema, resource.prebuilt.decimals)
        text = resource.prebuilt.csv
        if isinstance(text, Spooled):
            with text.open() as stream:
                table = read_csv_as(stream, schema)
        else:
            table = read_csv_as(text.encode("utf-8"), schema)
        return table.combine_chunks().cast(schema).replace_schema_metadata(None)
    schema = arrow_schema_of_widths(resource.schema, resource_widths(resource))
    # the rows converted by Arrow at once, not a column at a time from lists made in Python:
    # the same table in 40 % less CPU (BENCHMARKS.md, "pkg-cpu2")
    return pa.Table.from_pylist(resource.rows, schema=schema).replace_schema_metadata(None)


def write_parquet(resource: Resource, path: Path) -> None:
    write_table(arrow_table(resource), path)


def write_table(table: pa.Table, path: Path) -> None:
    """Written in memory first: pyarrow's own file opening costs more than a small table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(parquet_bytes(table))


def parquet_bytes(table: pa.Table) -> bytes:
    """An Arrow table as our Parquet files are written (the same options for every file).

    Into an Arrow buffer, not a ``BytesIO``: pyarrow then writes without calling back into
    Python for each write (the same bytes; 8 % less CPU for a disclosure's small files)."""
    buffer = pa.BufferOutputStream()
    pq.write_table(
        table,
        buffer,
        compression=COMPRESSION,
        use_dictionary=False,  # small tables: smaller and faster without (BENCHMARKS "clean-cpu2")
        write_statistics=True,
        version=PARQUET_VERSION,
        data_page_version="1.0",
        row_group_size=ROW_GROUP_SIZE,
        store_schema=False,
    )
    data: bytes = buffer.getvalue().to_pybytes()
    return data
