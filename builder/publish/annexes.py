"""Annex sheets as resources: each sheet a row, its funding lines and indicators child rows.

The parser gives one nested record per sheet (``parsed["annexes"]``). A sheet becomes a row of
``performance_evaluations`` (final accounts) or ``performance_targets`` (budgets), numbered in
print order; its funding lines and indicators become rows of the child resources, keyed by the
sheet number. Which keys are published is declared by each resource's schema file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from builder.publish.resources import shape_rows
from builder.publish.schemas import load_fiscal, resource_schema


@dataclass(frozen=True)
class AnnexGroup:
    """One kind of annex sheet and the resources its records fill."""

    annex: str  # key in parsed["annexes"]
    resource: str
    number: str  # the sheet number field
    children: tuple[tuple[str, str, str], ...]  # (record key, resource, child number field)


GROUPS = (
    AnnexGroup(
        "performance_evaluations",
        "performance_evaluations",
        "evaluation_number",
        (
            ("funding", "performance_evaluation_funding", "line_number"),
            ("indicators", "performance_evaluation_indicators", "indicator_number"),
        ),
    ),
    AnnexGroup(
        "performance_targets",
        "performance_targets",
        "target_number",
        (
            ("funding", "performance_target_funding", "line_number"),
            ("indicators", "performance_target_indicators", "indicator_number"),
        ),
    ),
)

ANNEX_RESOURCES = tuple(
    name for group in GROUPS for name in (group.resource, *(c[1] for c in group.children))
)


def annex_rows(annexes: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows of each annex resource, by resource name, in print order.

    A group without any sheet in this disclosure is left out.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for group in GROUPS:
        records: list[dict[str, Any]] = annexes.get(group.annex, [])
        if not records:
            continue
        schema = resource_schema(group.resource)
        numbered = [{**record, group.number: n} for n, record in enumerate(records, start=1)]
        out[group.resource] = shape_rows(schema, numbered)[0]
        for key, resource, child_number in group.children:
            child_schema = resource_schema(resource)
            children = [
                (record.get("money_unit"), {**child, group.number: n, child_number: position})
                for n, record in enumerate(records, start=1)
                for position, child in enumerate(record.get(key) or [], start=1)
            ]
            shaped = shape_rows(child_schema, [child for _, child in children])[0]
            out[resource] = [
                in_declared_units(row, child_schema, printed)
                for (printed, _), row in zip(children, shaped, strict=True)
            ]
    return out


def in_declared_units(
    row: dict[str, Any], schema: dict[str, Any], printed: object
) -> dict[str, Any]:
    """The row's money fields converted exactly (Decimal, never rounded) from the unit the
    sheet printed to the unit each field declares; a sheet that names no unit known to
    ``fiscal.yaml`` is taken to print the declared one."""
    scale: dict[str, int] = load_fiscal()["money_units"]
    if not isinstance(printed, str) or printed not in scale:
        return row
    out = dict(row)
    for field in schema["fields"]:
        name, unit = field["name"], field.get("unit")
        if unit in scale and unit != printed and isinstance(out.get(name), Decimal):
            out[name] = out[name] * Decimal(scale[printed]) / Decimal(scale[unit])
    return out
