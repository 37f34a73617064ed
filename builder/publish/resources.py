"""A resource to publish, and a package of them, as plain data (before any file is written).

A :class:`Resource` holds its public Table Schema and its rows as Python values (amounts as
exact ``Decimal``); the writers turn it into CSV, Parquet and a workbook sheet. The portal's
combined resources arrive :class:`Prebuilt` instead: their CSV text joined from every
disclosure's part (``builder.publish.portal``), so that thousands of disclosures are combined
as text, not row by row. A :class:`PackagePlan` is everything one ``datapackage.json`` folder
will hold.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

COPY_BLOCK = 1 << 20
NOT_TEXT = frozenset({"number", "integer", "boolean"})  # the kinds convert does not write as text


@dataclass(frozen=True)
class Spooled:
    """A resource's CSV text kept on disk: its header, then byte ranges of a spool file (the
    portal's combined resources, appended disclosure by disclosure: ``builder.publish.spool``),
    read as one stream (:meth:`open`) instead of being joined in memory."""

    header: str
    path: Path
    ranges: list[tuple[int, int]]  # (offset, length) in the spool file, in order

    def open(self) -> io.BufferedReader:
        """The CSV text's UTF-8 bytes (header included), as a stream."""
        return io.BufferedReader(_RangesReader(self), COPY_BLOCK)


class _RangesReader(io.RawIOBase):
    """The bytes of a :class:`Spooled`: its header, then each range of its file in turn."""

    def __init__(self, spooled: Spooled) -> None:
        super().__init__()
        self.file = spooled.path.open("rb")
        self.head = spooled.header.encode("utf-8")
        self.ranges = [(-1, len(self.head)), *spooled.ranges]  # offset -1: the header
        self.index = 0  # the range being read
        self.at = 0  # bytes of it already read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while self.index < len(self.ranges) and self.at == self.ranges[self.index][1]:
            self.index += 1
            self.at = 0
        if self.index == len(self.ranges):
            return 0
        offset, length = self.ranges[self.index]
        size = min(len(view), length - self.at)
        if offset < 0:
            view[:size] = self.head[self.at : self.at + size]
        else:
            self.file.seek(offset + self.at)
            size = self.file.readinto(view[:size]) or 0
            if size == 0:
                raise OSError(f"{self.file.name}: shorter than its spooled ranges")
        self.at += size
        return size

    def close(self) -> None:
        self.file.close()
        super().close()


@dataclass(frozen=True)
class Prebuilt:
    """A resource's CSV text (header included) and its decimal widths, already rendered;
    the text in memory, or :class:`Spooled` on disk."""

    csv: str | Spooled
    rows: int
    decimals: dict[str, tuple[int, int]]  # number field → (whole digits, scale)

    @property
    def text(self) -> str:
        """The CSV text, in memory (a disclosure's part of a combined resource always is)."""
        if isinstance(self.csv, Spooled):
            raise TypeError(f"{self.csv.path}: spooled, not in memory")
        return self.csv


@dataclass(frozen=True)
class Resource:
    """One table of a package: name (also its file stem), schema, rows and extra properties."""

    name: str
    title: str
    description: str
    schema: dict[str, Any]
    rows: list[dict[str, Any]]
    properties: dict[str, Any] = field(default_factory=dict)
    prebuilt: Prebuilt | None = None  # set instead of rows for the portal's combined resources
    # what the writers derived from the rows, kept for the next writer that needs it (its CSV
    # lines, its amounts' widths: ``builder.publish.files``); the rows are not changed after
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]

    @property
    def row_count(self) -> int:
        return self.prebuilt.rows if self.prebuilt is not None else len(self.rows)


@dataclass(frozen=True)
class PackagePlan:
    """One data package folder: descriptor properties, resources, README and workbook name."""

    name: str
    properties: dict[str, Any]
    resources: list[Resource]
    readme: str
    workbook: str | None = None


def order_rows(
    name: str, schema: dict[str, Any], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rows with their values in the schema's field order; a row with other fields is an error."""
    names = [f["name"] for f in schema["fields"]]
    expected = set(names)
    ordered = []
    for number, row in enumerate(rows, start=1):
        if row.keys() != expected:  # compared as sets, without making one a row
            missing = sorted(set(names) - set(row))
            extra = sorted(set(row) - set(names))
            raise ValueError(
                f"{name} row {number}: fields differ from the schema"
                f" (missing {missing}, unexpected {extra})"
            )
        ordered.append({n: row[n] for n in names})
    return ordered


def shape_row(schema: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A row with exactly the schema's fields, values converted to the declared types.

    Used for records that come from other stages as loose dicts (glossary entries, findings,
    annexes): absent keys become None, numbers become exact Decimals, lists become text.
    """
    return {
        f["name"]: as_declared(values.get(f["name"]), f["type"], f["name"])
        for f in schema["fields"]
    }


# the type a value of each Table Schema type already has when :func:`as_declared` keeps it
KEPT_TYPE = {"number": Decimal, "integer": int, "boolean": None}


def shape_rows(
    schema: dict[str, Any], rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], bool]:
    """:func:`shape_row` of each row, and whether every value was kept as it was (the very
    object; each row then has the schema's fields, and the shaped rows equal ``rows``).

    :func:`as_declared`'s test without a call for each value: 40 % less CPU for a
    disclosure's glossary, findings, annexes and portal parts (BENCHMARKS.md, "pkg-cpu2")."""
    fields = [(f["name"], f["type"], KEPT_TYPE.get(f["type"], str)) for f in schema["fields"]]
    kept = True
    out = []
    for values in rows:
        row = {}
        for name, kind, sort in fields:
            value = values.get(name)
            if type(value) is sort and (sort is not str or value):
                row[name] = value
            else:
                shaped = row[name] = as_declared(value, kind, name)
                if shaped is not value or name not in values:
                    kept = False
        out.append(row)
    return out, kept


def as_declared(value: Any, kind: str, name: str) -> Any:
    """:func:`convert`, a value already of its declared type (most are) returned at once:
    a third less CPU for the rows of a disclosure's package and portal parts."""
    sort = type(value)
    if (
        (sort is Decimal and kind == "number")
        or (sort is int and kind == "integer")
        or (sort is str and value and kind not in NOT_TEXT)
    ):
        return value
    return convert(value, kind, name)


def convert(value: Any, kind: str, name: str) -> Any:
    """One value as the Table Schema type ``kind`` wants it (None for missing)."""
    if value is None or value == "":
        return None
    if kind == "number":
        return to_decimal(value, name)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"{name}: {value!r} is not an integer")
        return int(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{name}: {value!r} is not a boolean")
        return value
    text = ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    return text or None


def to_decimal(value: Any, name: str) -> Decimal:
    """An exact Decimal from a Decimal, an int or numeric text (never from a float)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"{name}: {value!r} is not a number") from exc
    raise ValueError(f"{name}: {value!r} ({type(value).__name__}) is not an exact number")
