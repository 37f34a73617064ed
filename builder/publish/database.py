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
Parquet files. The file is written aside and vacuumed into place (``VACUUM INTO``, with a
fixed schema cookie); the same package and SQLite library give the same bytes.

**After a change** (``earlier``): a rebuild copies the file the last build wrote and replaces
in it only the rows of the disclosures whose source key changed, at the rowids they had (the
layout, returned and kept with the file's record, says where each disclosure's rows are),
then vacuums it: the bytes are those of the file written from scratch. At 1,000 disclosures
the table fill was most of the file's 2.3 s of CPU.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builder.publish.packages import DESCRIPTOR
from builder.publish.schemas import DISCLOSURE_ID
from builder.release import Release

BATCH_ROWS = 10_000  # rows converted to Python values at a time
LAYOUT_FORMAT = 1
SCHEMA_COOKIE = 1  # the schema cookie a file is vacuumed with (vacuum_into)
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


def write_database(
    package: Path,
    target: Path,
    release: Release,
    keys: Mapping[str, str] | None = None,
    earlier: EarlierDatabase | None = None,
) -> dict[str, Any]:
    """The SQLite database of the (portal) package folder ``package``, written to ``target``;
    its layout (:func:`database_layout`: which rows are whose).

    ``keys``: each disclosure's source key (its rows are a function of it). With ``earlier``
    (the database an earlier build wrote, and its layout), the rows of the disclosures whose
    key changed are replaced in a copy of it, where every table keeps its rows' places; any
    other difference (schema, release, a table's row counts) fills that table or the whole
    file again. Either way the file is then vacuumed into ``target`` with one schema cookie,
    so it is byte for byte the database written from scratch.
    """
    descriptor = load_descriptor(package)
    resources = descriptor.get("resources", [])
    layout = database_layout(package, resources, release_rows(release, descriptor), keys or {})
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building")
    building.unlink(missing_ok=True)
    base = earlier if earlier is not None and updatable(earlier.layout, layout) else None
    if base is not None:
        shutil.copyfile(base.path, building)
    connection = sqlite3.connect(building)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        if base is not None:
            for resource in resources:
                update_table(connection, package, resource, base.layout, layout)
        else:
            fill_database(connection, package, resources, release_rows(release, descriptor))
        connection.commit()
        vacuum_into(connection, target)
    finally:
        connection.close()
    building.unlink()
    return layout


def fill_database(
    connection: sqlite3.Connection,
    package: Path,
    resources: list[dict[str, Any]],
    release: list[tuple[str, str]],
) -> None:
    """An empty database's tables, views and release rows, from scratch."""
    for resource in resources:
        connection.execute(create_table(resource))
        fill_table(connection, package, resource)
    for resource in resources:
        names = {f["name"] for f in resource["schema"]["fields"]}
        if DISCLOSURE_ID in names and resource["name"] != "disclosures":
            connection.execute(create_view(resource["name"]))
    connection.execute("CREATE TABLE release (key TEXT PRIMARY KEY, value TEXT)")
    connection.executemany("INSERT INTO release VALUES (?, ?)", release)


def release_rows(release: Release, descriptor: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        ("version", release.version),
        ("date", release.date),
        ("package", str(descriptor.get("name", ""))),
        ("title", str(descriptor.get("title", ""))),
    ]


def vacuum_into(connection: sqlite3.Connection, target: Path) -> None:
    """``VACUUM INTO`` a file beside ``target``, then move it there. The schema cookie is set
    first, so that the file does not depend on how many statements made its source (a copy
    updated, or a file filled from scratch)."""
    vacuumed = target.with_name(f".{target.name}.vacuumed")
    vacuumed.unlink(missing_ok=True)
    connection.execute(f"PRAGMA schema_version = {SCHEMA_COOKIE}")
    connection.execute("VACUUM INTO ?", (str(vacuumed),))
    os.replace(vacuumed, target)


# --------------------------------------------------------------------------- layout, update
#
# The portal package's rows are in disclosure-id order, each disclosure's rows made from its
# own source only (``builder.publish.portal``; the ``units`` table excepted, which has no
# disclosure id). A table's layout is the number of rows of each disclosure, in the order of
# the layout's ids; a rowid table filled in that order gives row ``n`` the rowid ``n + 1``,
# so a disclosure's rows are at the same rowids as long as no count changes.


@dataclass(frozen=True)
class EarlierDatabase:
    """A database an earlier build wrote (as it wrote it) and the layout it returned."""

    path: Path
    layout: Mapping[str, Any]


def schema_key(resources: list[dict[str, Any]], release: list[tuple[str, str]]) -> str:
    """What the file is besides its rows: its tables, views and release rows."""
    parts = [create_table(r) for r in resources] + [create_view(r["name"]) for r in resources]
    text = json.dumps([LAYOUT_FORMAT, parts, release], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_counts(path: Path, order: Mapping[str, int]) -> list[int] | None:
    """Each disclosure's rows in the Parquet file ``path``, by its place in ``order``; None
    if the rows are not in that order (or name a disclosure not in it)."""
    column = pq.read_table(path, columns=[DISCLOSURE_ID]).column(0).combine_chunks()
    counts = [0] * len(order)
    if len(column) == 0:
        return counts
    runs = pc.run_end_encode(column)
    ends = runs.run_ends.to_pylist()
    last, start = -1, 0
    for disclosure_id, end in zip(runs.values.to_pylist(), ends, strict=True):
        place = order.get(disclosure_id, -1)
        if place <= last:
            return None
        counts[place], last, start = end - start, place, end
    return counts


def database_layout(
    package: Path,
    resources: list[dict[str, Any]],
    release: list[tuple[str, str]],
    keys: Mapping[str, str],
) -> dict[str, Any]:
    """The layout of the database of ``package``: its schema key, the disclosures' ids and
    source keys, and each table's rows per disclosure (None: not known, filled whole)."""
    ids = sorted(keys)
    order = {disclosure_id: place for place, disclosure_id in enumerate(ids)}
    counts: dict[str, list[int] | None] = {}
    for resource in resources:
        names = {f["name"] for f in resource["schema"]["fields"]}
        whole = DISCLOSURE_ID not in names or not ids or has_rowid_key(resource)
        parquet = package / resource["x-parquet"]["path"]
        counts[resource["name"]] = None if whole else row_counts(parquet, order)
    return {
        "format": LAYOUT_FORMAT,
        "schema": schema_key(resources, release),
        "ids": ids,
        "keys": [keys[i] for i in ids],
        "counts": counts,
    }


def has_rowid_key(resource: Mapping[str, Any]) -> bool:
    """Whether the table's primary key is its rowid (one INTEGER column): its rows are in key
    order, not in the order they were inserted."""
    keys = resource["schema"].get("primaryKey") or []
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    return len(keys) == 1 and SQL_TYPES.get(types.get(keys[0], ""), "") == "INTEGER"


def updatable(earlier: Mapping[str, Any], layout: Mapping[str, Any]) -> bool:
    """Whether a copy of the earlier file can be updated into this layout's file: the same
    schema and the same disclosures (their rows may have changed), and an earlier layout
    that is whole (a damaged record is not believed)."""
    if not layout["ids"] or any(earlier.get(k) != layout[k] for k in ("format", "schema", "ids")):
        return False
    keys, counts = earlier.get("keys"), earlier.get("counts")
    if not isinstance(keys, list) or len(keys) != len(layout["ids"]):
        return False
    if not isinstance(counts, dict) or set(counts) != set(layout["counts"]):
        return False
    return all(c is None or (isinstance(c, list) and len(c) == len(keys)) for c in counts.values())


def update_table(
    connection: sqlite3.Connection,
    package: Path,
    resource: dict[str, Any],
    earlier: Mapping[str, Any],
    layout: Mapping[str, Any],
) -> None:
    """Bring a table of the earlier file to the package's rows: replace the rows of the
    disclosures whose key changed (at their rowids) and, from the first disclosure whose
    count of rows changed, every row after (their rowids moved)."""
    name = resource["name"]
    counts, before = layout["counts"][name], earlier["counts"][name]
    if counts is None or before is None:
        connection.execute(f"DELETE FROM {quoted(name)}")
        fill_table(connection, package, resource)
        return
    moved = next((p for p, (n, b) in enumerate(zip(counts, before, strict=True)) if n != b), None)
    changed = [
        place
        for place, (key, old) in enumerate(zip(layout["keys"], earlier["keys"], strict=True))
        if key != old and counts[place] and (moved is None or place < moved)
    ]
    if not changed and moved is None:
        return
    starts = [0]
    for count in counts:
        starts.append(starts[-1] + count)
    spans = [(starts[place], counts[place]) for place in changed]
    if moved is not None:
        spans.append((starts[moved], starts[-1] - starts[moved]))
    table = pq.read_table(package / resource["x-parquet"]["path"])
    fields = [f["name"] for f in resource["schema"]["fields"]]
    columns = ", ".join(["rowid", *(quoted(f) for f in fields)])
    insert = f"INSERT INTO {quoted(name)} ({columns}) VALUES ({', '.join('?' * (len(fields) + 1))})"
    for number, (start, count) in enumerate(spans):
        last = "" if moved is not None and number == len(spans) - 1 else " AND rowid <= ?"
        bounds = (start + 1,) if not last else (start + 1, start + count)
        connection.execute(f"DELETE FROM {quoted(name)} WHERE rowid >= ?{last}", bounds)
        for offset in range(start, start + count, BATCH_ROWS):
            rows = table.slice(offset, min(BATCH_ROWS, start + count - offset))
            values = [sql_column(rows.column(f)) for f in fields]
            rowids = range(offset + 1, offset + rows.num_rows + 1)
            connection.executemany(insert, zip(rowids, *values, strict=True))
