"""Checking the generated packages: schemas, keys and checksums, and a readable report.

Each ``datapackage.json`` is validated with frictionless on its CSV resources (declared types and
constraints, primary keys, foreign keys, ``bytes`` and ``hash``). Around it, vectorised checks
that stay fast for hundreds of disclosures: every resource still declares the schema its
declaration file implies; each Parquet file matches its listed size and hash, has the declared
columns and holds exactly the CSV's values (both read with pyarrow, a negative zero in the CSV
counting as a difference, since Parquet's decimals have none); README and workbook match
their listed size and hash. Accounting findings are counted, never failures.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from builder.publish.files import read_csv_as
from builder.publish.schemas import ARROW_TYPES

DESCRIPTOR = "datapackage.json"
FINDINGS = "findings"
MAX_LISTED = 20  # errors shown per package; the count says how many more
NEGATIVE_ZERO = r"^-(0+(\.0*)?|\.0+)$"  # an amount's text that reads as a zero with a sign


@dataclass(frozen=True)
class Problem:
    """One violation: where (resource, row, field) and what."""

    resource: str
    message: str
    row: int | None = None
    field: str | None = None

    def describe(self) -> str:
        where = self.resource
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f" field {self.field}"
        return f"{where}: {self.message}"


@dataclass
class PackageCheck:
    """The result for one package folder."""

    name: str
    resources: int = 0
    rows: int = 0
    findings: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def sha256_of(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    return len(data), f"sha256:{hashlib.sha256(data).hexdigest()}"


def check_listed_file(root: Path, entry: dict[str, Any], owner: str) -> list[Problem]:
    """A file listed with ``bytes`` and ``hash`` exists and matches them."""
    path = root / entry["path"]
    if not path.is_file():
        return [Problem(owner, f"{entry['path']} is listed but missing")]
    size, digest = sha256_of(path)
    problems = []
    if size != entry.get("bytes"):
        problems.append(
            Problem(owner, f"{entry['path']}: {size} bytes, listed {entry.get('bytes')}")
        )
    if digest != entry.get("hash"):
        problems.append(
            Problem(owner, f"{entry['path']}: hash {digest}, listed {entry.get('hash')}")
        )
    return problems


def frictionless_problems(descriptor: Path) -> tuple[list[Problem], dict[str, int]]:
    """Validate the package with frictionless; problems and row counts per resource."""
    # Imported here: frictionless takes a quarter second to import, and only `validate` needs it.
    from frictionless import FrictionlessException, Package  # noqa: PLC0415

    try:
        package = Package(str(descriptor))
        report = package.validate()
    except FrictionlessException as error:
        return [Problem(DESCRIPTOR, error.error.message)], {}
    problems = [Problem(DESCRIPTOR, str(item.message)) for item in report.errors]
    rows: dict[str, int] = {}
    for task in report.tasks:
        rows[task.name] = int(task.stats.get("rows") or 0)
        for item in task.errors:
            cell = getattr(item, "cell", None)
            kind = f'{item.type} (cell "{cell}")' if cell else item.type
            problems.append(
                Problem(
                    task.name,
                    f"{kind}: {item.note or item.message}",
                    getattr(item, "row_number", None),
                    getattr(item, "field_name", None),
                )
            )
    return problems, rows


def expected_arrow_type(kind: str, actual: pa.DataType) -> bool:
    if kind == "number":
        return bool(pa.types.is_decimal(actual))
    return kind in ARROW_TYPES and bool(actual == ARROW_TYPES[kind])


def parquet_problems(root: Path, resource: dict[str, Any]) -> list[Problem]:
    """The Parquet twin of a CSV resource: listed size and hash, columns, identical values."""
    name, twin = resource["name"], resource.get("x-parquet")
    if twin is None:
        return [Problem(name, "no x-parquet entry")]
    problems = check_listed_file(root, twin, name)
    if problems:
        return problems
    table = pq.read_table(root / twin["path"])
    return column_problems(name, resource["schema"]["fields"], table) or value_problems(
        root / resource["path"], name, table
    )


def column_problems(name: str, fields: list[dict[str, Any]], table: pa.Table) -> list[Problem]:
    """The Parquet file has the declared columns, in order, with the declared types."""
    names = [f["name"] for f in fields]
    if table.schema.names != names:
        return [Problem(name, f"Parquet columns {table.schema.names} differ from {names}")]
    return [
        Problem(name, f"Parquet type {arrow.type} for {spec['type']}", field=spec["name"])
        for spec, arrow in zip(fields, table.schema, strict=True)
        if not expected_arrow_type(spec["type"], arrow.type)
    ]


def value_problems(csv_path: Path, name: str, table: pa.Table) -> list[Problem]:
    """The CSV holds exactly the Parquet values.

    Amount columns are read as text first: a negative zero (``-0.00``) reads as the decimal 0,
    so it is looked for in the text (a decimal128 has no sign of zero, and the writer drops it);
    then the text is converted to the Parquet column's decimal type and compared.
    """
    as_text = pa.schema(
        [pa.field(f.name, pa.string()) if pa.types.is_decimal(f.type) else f for f in table.schema]
    )
    try:
        csv_table = read_csv_as(csv_path, as_text)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        return [Problem(name, f"CSV not readable as the Parquet types: {error}")]
    if csv_table.num_rows != table.num_rows:
        return [Problem(name, f"CSV has {csv_table.num_rows} rows, Parquet {table.num_rows}")]
    problems = []
    for column in table.schema:
        values = csv_table.column(column.name)
        if pa.types.is_decimal(column.type):
            zeros = pc.sum(pc.match_substring_regex(values, NEGATIVE_ZERO)).as_py() or 0
            if zeros:
                problems.append(
                    Problem(
                        name,
                        f"{plural(zeros, 'negative zero')} in the CSV, which the Parquet"
                        " decimals cannot hold (0 there)",
                        field=column.name,
                    )
                )
                continue
            try:
                values = pc.cast(values, column.type)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
                problems.append(
                    Problem(name, f"CSV not readable as {column.type}: {error}", field=column.name)
                )
                continue
        if not values.equals(table.column(column.name)):
            problems.append(Problem(name, "Parquet values differ from the CSV", field=column.name))
    return problems


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def schema_problems(resource: dict[str, Any], expected: dict[str, Any] | None) -> list[Problem]:
    if expected is not None and resource.get("schema") != expected:
        return [Problem(resource["name"], "schema differs from its declaration file")]
    return []


def check_package(
    root: Path,
    expected_schemas: dict[str, dict[str, Any]],
    implied: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
) -> PackageCheck:
    """Validate one package folder; ``expected_schemas`` maps resource names to schemas.

    ``implied`` gives the schema of a resource whose name is not in ``expected_schemas`` (a
    table published as printed, whose columns are its own), or None to leave it unchecked.
    """
    check = PackageCheck(root.name)
    descriptor_path = root / DESCRIPTOR
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        check.problems.append(Problem(DESCRIPTOR, f"not readable: {error}"))
        return check
    problems, rows = frictionless_problems(descriptor_path)
    check.problems.extend(problems)
    for resource in descriptor.get("resources", []):
        check.resources += 1
        check.rows += rows.get(resource["name"], 0)
        if resource["name"] == FINDINGS:
            check.findings = rows.get(resource["name"], 0)
        expected = expected_schemas.get(resource["name"])
        if expected is None and implied is not None:
            expected = implied(resource)
        check.problems.extend(schema_problems(resource, expected))
        check.problems.extend(parquet_problems(root, resource))
    for entry in descriptor.get("x-files", []):
        check.problems.extend(check_listed_file(root, entry, DESCRIPTOR))
    return check


def format_report(checks: list[PackageCheck]) -> str:
    """A readable report: one line per package, its problems below it, a total line."""
    out = []
    for check in checks:
        status = "ok  " if check.valid else "FAIL"
        out.append(
            f"{status} {check.name}: {check.resources} resources, {check.rows} rows, "
            f"{check.findings} audit findings"
        )
        for problem in check.problems[:MAX_LISTED]:
            out.append(f"     {problem.describe()}")
        if len(check.problems) > MAX_LISTED:
            out.append(f"     ... and {len(check.problems) - MAX_LISTED} more")
    failed = [c for c in checks if not c.valid]
    # A year's portal package (portal.2024) repeats rows of the portal package: not counted.
    findings = sum(c.findings for c in checks if "." not in c.name)
    out.append(
        f"{len(checks)} packages checked, {len(failed)} with schema violations; "
        f"{findings} audit findings published (facts about the disclosures, not build errors)"
    )
    return "\n".join(out) + "\n"
