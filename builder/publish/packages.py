"""Writing data packages: each plan to a folder, all of them swapped in at once.

A package folder holds ``datapackage.json``, ``README.md``, ``csv/`` and ``parquet/`` (one file
per resource) and, for a disclosure, its ``.xlsx`` workbook. ``datapackage.json`` lists each
CSV as a resource (with ``bytes`` and ``hash``, which ``frictionless validate`` verifies) and
its Parquet twin under ``x-parquet``; README and workbook are listed under ``x-files``.

Everything is written to a temporary folder beside the output, which replaces the output only
when complete: a failed build never leaves a half-written tree.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder import declarations
from builder.publish.files import (
    CSV_ENCODING,
    FileInfo,
    arrow_table,
    csv_text,
    file_info,
    parquet_bytes,
    write_csv,
    written,
)
from builder.publish.json_text import indented
from builder.publish.readme import EXCEL_NOTE
from builder.publish.resources import PackagePlan, Resource, Spooled
from builder.publish.workbook import workbook_bytes

DESCRIPTOR = "datapackage.json"
README = "README.md"
CSV_MEDIATYPE = "text/csv"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_path(resource: Resource) -> str:
    return f"csv/{resource.name}.csv"


def parquet_path(resource: Resource) -> str:
    return f"parquet/{resource.name}.parquet"


def resource_descriptor(
    resource: Resource, csv_file: FileInfo, parquet: FileInfo
) -> dict[str, Any]:
    return {
        "name": resource.name,
        "type": "table",
        "title": resource.title,
        "description": resource.description,
        "path": csv_file.path,
        "scheme": "file",
        "format": "csv",
        "mediatype": CSV_MEDIATYPE,
        "encoding": CSV_ENCODING,
        "bytes": csv_file.bytes,
        "hash": csv_file.hash,
        "schema": resource.schema,
        **resource.properties,
        "x-parquet": {
            "path": parquet.path,
            "format": "parquet",
            "mediatype": PARQUET_MEDIATYPE,
            "bytes": parquet.bytes,
            "hash": parquet.hash,
        },
    }


def table_label(number: str | None, title: str) -> str:
    """``02 收入决算表``; a table of no standard number by its title alone."""
    return f"{number} {title}" if number else title


def workbook_sheets(plan: PackagePlan) -> list[tuple[str, Resource]]:
    """Sheet titles: tables as ``02 收入决算表``, other resources by their title."""
    numbers = {
        entry["kind"]: entry["table_number"] for entry in plan.properties.get("x-tables", [])
    }
    return [(table_label(numbers.get(r.name), r.title), r) for r in plan.resources]


def workbook_about(plan: PackagePlan) -> list[tuple[str, Any]]:
    """The about sheet: what the workbook is, its source, licence, citation and tables."""
    disclosure = plan.properties["x-disclosure"]
    fiscal = plan.properties["x-fiscal"]
    rows: list[tuple[str, Any]] = [
        ("标题", plan.properties["title"]),
        ("单位", disclosure["unit_name"]),
        ("年度", disclosure["year"]),
        ("类型", f"{disclosure['scope']}{disclosure['kind_zh']}"),
        ("金额单位", f"{fiscal['money_unit']}（{fiscal['factor']:,} {fiscal['currency']}）"),
        ("来源文件", disclosure["source_file"]),
        ("来源文件SHA-256", disclosure["source_sha256"]),
        ("许可", plan.properties["licenses"][0]["title"]),
        ("引用", plan.properties["x-citation"]),
        ("说明", EXCEL_NOTE),
        ("", None),
        ("表格", "状态"),
    ]
    for entry in plan.properties.get("x-tables", []):
        status = declarations.labels("tables", "status")[entry["status"]]
        rows.append(
            (
                table_label(entry["table_number"], entry["title"]),
                f"{status}，{entry['row_count']} 行",
            )
        )
    return rows


def write_package(plan: PackagePlan, root: Path) -> None:
    """Write one package folder: files first, then the descriptor that lists their hashes."""
    for folder in ("csv", "parquet"):
        (root / folder).mkdir(parents=True)
    resources = []
    for resource in plan.resources:
        csv = write_csv_file(resource, root)
        parquet = written(root, parquet_path(resource), parquet_bytes(arrow_table(resource)))
        resources.append(resource_descriptor(resource, csv, parquet))
    files = [written(root, README, plan.readme.encode("utf-8"))]
    if plan.workbook is not None:
        data = workbook_bytes(workbook_about(plan), workbook_sheets(plan))
        files.append(written(root, plan.workbook, data))
    listed = [
        {
            "path": info.path,
            "mediatype": XLSX_MEDIATYPE if info.path.endswith(".xlsx") else "text/markdown",
            "bytes": info.bytes,
            "hash": info.hash,
        }
        for info in files
    ]
    descriptor = {**plan.properties, "x-files": listed, "resources": resources}
    text = indented(descriptor) + "\n"  # json.dumps(..., ensure_ascii=False, indent=2)
    (root / DESCRIPTOR).write_bytes(text.encode("utf-8"))


def write_csv_file(resource: Resource, root: Path) -> FileInfo:
    """A resource's CSV file: from memory, or copied from its spool (the portal's tables)."""
    prebuilt = resource.prebuilt
    if prebuilt is not None and isinstance(prebuilt.csv, Spooled):
        write_csv(resource, root / csv_path(resource))
        return file_info(root, csv_path(resource))
    return written(root, csv_path(resource), csv_text(resource).encode(CSV_ENCODING))


def write_packages(
    plans: list[PackagePlan], output: Path, on_package: Callable[[str], None] | None = None
) -> None:
    """Write every package under a temporary folder, then swap it in for ``output``.

    ``on_package`` is called with each package's name before it is written.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.building-{os.getpid()}")
    previous = output.with_name(f".{output.name}.previous-{os.getpid()}")
    for stage in ("building", "previous"):  # left over by a killed build
        for leftover in output.parent.glob(f".{output.name}.{stage}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    try:
        staging.mkdir()
        for plan in plans:
            if on_package is not None:
                on_package(plan.name)
            write_package(plan, staging / plan.name)
        if output.exists():
            output.rename(previous)
        try:
            staging.rename(output)
        except OSError:
            if previous.exists():
                previous.rename(output)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous, ignore_errors=True)
