"""A resource to publish, and a package of them, as plain data (before any file is written).

A :class:`Resource` holds its public Table Schema and its rows as Python values (amounts as
exact ``Decimal``); the writers turn it into CSV, Parquet and a workbook sheet. The portal's
combined resources arrive :class:`Prebuilt` instead: their CSV text joined from every
disclosure's part (``builder.publish.portal``), so that thousands of disclosures are combined
as text, not row by row. A :class:`PackagePlan` is everything one ``datapackage.json`` folder
will hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Prebuilt:
    """A resource's CSV text (header included) and its decimal widths, already rendered."""

    csv: str
    rows: int
    decimals: dict[str, tuple[int, int]]  # number field → (whole digits, scale)


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
    ordered = []
    for number, row in enumerate(rows, start=1):
        if set(row) != set(names):
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
        f["name"]: convert(values.get(f["name"]), f["type"], f["name"]) for f in schema["fields"]
    }


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
