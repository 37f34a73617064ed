"""The portal package as a database to query: one SQLite file (the partitioned Parquet
dataset is :mod:`builder.publish.partitions`).

**SQLite** (:func:`write_database`): one table per resource of the portal package, named as
the resource, with its fields as columns (``string`` → TEXT, ``integer`` → INTEGER, ``number``
→ REAL, ``boolean`` → INTEGER 0/1) and its primary key; a view ``<table>_detail`` per table
that has a ``disclosure_id`` joins the disclosure's title, source address, publication date
and licence (``disclosures``) and the unit's record (``units``), so that a row says whose,
which year, which kind and where it was published; and a ``release`` table (version, date).
sqlite3, Datasette and DuckDB (its ``sqlite`` extension) open the file as it is. Amounts are
binary floats there, as in Excel (SQLite has no decimal type): exact values are in the CSV and
Parquet files. The file is written aside, vacuumed, and moved into place; the same package and
SQLite library give the same bytes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builder.publish.packages import DESCRIPTOR
from builder.publish.schemas import DISCLOSURE_ID
from builder.release import Release

BATCH_ROWS = 10_000  # rows converted to Python values at a time
SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
DETAIL_SUFFIX = "_detail"
# What a view adds to a row, from the disclosures catalogue and the units.
DETAIL_COLUMNS = (
    ("d.title", "disclosure_title"),
    ("d.source_url", "source_url"),
    ("d.published", "published"),
    ("d.licence", "licence"),
    ("u.budget_years", "unit_budget_years"),
    ("u.final_years", "unit_final_years"),
)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_descriptor(package: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((package / DESCRIPTOR).read_text(encoding="utf-8"))
    return loaded


def sql_column(column: pa.ChunkedArray) -> list[Any]:
    """A column's values as SQLite stores them: amounts as floats, booleans as 0/1, dates as
    ISO text. Converted by Arrow a column at a time (a Python call per value cost most of the
    database's time); decimals go through their exact text, which Arrow parses to the nearest
    float as Python's ``float(Decimal)`` does (Arrow's direct decimal cast is not always)."""
    kind = column.type
    if pa.types.is_decimal(kind):
        column = pc.cast(pc.cast(column, pa.string()), pa.float64())
    elif pa.types.is_boolean(kind):
        column = pc.cast(column, pa.int8())
    elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        column = pc.cast(column, pa.string())
    values: list[Any] = column.to_pylist()
    return values


def create_table(resource: dict[str, Any]) -> str:
    schema = resource["schema"]
    columns = [f"{quoted(f['name'])} {SQL_TYPES.get(f['type'], 'TEXT')}" for f in schema["fields"]]
    keys = schema.get("primaryKey") or []
    if keys:
        columns.append(f"PRIMARY KEY ({', '.join(quoted(k) for k in keys)})")
    return f"CREATE TABLE {quoted(resource['name'])} ({', '.join(columns)})"


def create_view(name: str) -> str:
    extra = ", ".join(f"{column} AS {alias}" for column, alias in DETAIL_COLUMNS)
    return (
        f"CREATE VIEW {quoted(name + DETAIL_SUFFIX)} AS SELECT t.*, {extra} "
        f"FROM {quoted(name)} AS t JOIN disclosures AS d USING ({DISCLOSURE_ID}) "
        "LEFT JOIN units AS u ON u.unit_id = d.unit_id"
    )


def fill_table(connection: sqlite3.Connection, package: Path, resource: dict[str, Any]) -> None:
    """Insert a resource's rows from its Parquet file, ``BATCH_ROWS`` at a time (in the
    file's order, so the bytes are those of one insert of the whole table): the Python
    values of a whole portal table were the build's largest memory at 10,000 disclosures."""
    names = [f["name"] for f in resource["schema"]["fields"]]
    marks = ", ".join("?" for _ in names)
    insert = f"INSERT INTO {quoted(resource['name'])} VALUES ({marks})"
    parquet = pq.ParquetFile(package / resource["x-parquet"]["path"])
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=names):
            table = pa.Table.from_batches([batch])
            columns = [sql_column(table.column(name)) for name in names]
            connection.executemany(insert, zip(*columns, strict=True))
    finally:
        parquet.close()


def write_database(package: Path, target: Path, release: Release) -> None:
    """The SQLite database of the (portal) package folder ``package``, written to ``target``."""
    descriptor = load_descriptor(package)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building")
    building.unlink(missing_ok=True)
    connection = sqlite3.connect(building)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        for resource in descriptor.get("resources", []):
            connection.execute(create_table(resource))
            fill_table(connection, package, resource)
        for resource in descriptor.get("resources", []):
            names = {f["name"] for f in resource["schema"]["fields"]}
            if DISCLOSURE_ID in names and resource["name"] != "disclosures":
                connection.execute(create_view(resource["name"]))
        connection.execute("CREATE TABLE release (key TEXT PRIMARY KEY, value TEXT)")
        connection.executemany(
            "INSERT INTO release VALUES (?, ?)",
            [
                ("version", release.version),
                ("date", release.date),
                ("package", str(descriptor.get("name", ""))),
                ("title", str(descriptor.get("title", ""))),
            ],
        )
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    os.replace(building, target)
