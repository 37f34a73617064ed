"""The portal-wide data package: every disclosure combined, the file to compare units and years.

One resource per table kind with a leading ``disclosure_id`` column (primary key
``[disclosure_id, row_number]``, foreign key to ``disclosures``); ``units`` (one row per unit,
so that a unit's budgets and final accounts link up), ``disclosures`` (the catalogue),
``tables`` (the status of every standard table of every disclosure), the glossaries, the
performance annexes and the audit findings. Rows are ordered by disclosure id, then by each
resource's own key.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from builder.parse.catalogue import load_catalogue
from builder.publish.annexes import ANNEX_RESOURCES
from builder.publish.disclosure import (
    FINDINGS,
    GLOSSARY,
    package_fiscal,
    table_entries,
    table_fiscal,
)
from builder.publish.inputs import Disclosure
from builder.publish.readme import PORTAL_NAME, portal_readme
from builder.publish.resources import PackagePlan, Resource, shape_row
from builder.publish.schemas import (
    DISCLOSURE_ID,
    DISCLOSURES,
    load_fiscal,
    public_schema,
    resource_declaration,
    table_declaration,
    with_disclosure_id,
)

PORTAL = "portal"
UNITS = "units"
TABLES = "tables"
FAMILIES = ("final", "budget")
PORTAL_CITATION = (
    f"{PORTAL_NAME}: all disclosures, data package `open-budget-portal`. Cite each disclosure "
    "by its unit, title and year (see the disclosures resource)."
)


def kind_order() -> list[str]:
    """Table kinds in print order: the final-accounts family, then the budget family."""
    catalogue = load_catalogue()
    return [kind.stem for family in FAMILIES for kind in catalogue.family(family)]


def combined(
    name: str,
    declared: dict[str, Any],
    rows_by_disclosure: list[tuple[str, list[dict[str, Any]]]],
    properties: dict[str, Any] | None = None,
) -> Resource:
    """One resource of every disclosure's rows, each row led by its disclosure id."""
    own = public_schema(declared)
    rows = [
        {DISCLOSURE_ID: disclosure_id, **shape_row(own, row)}
        for disclosure_id, rows in rows_by_disclosure
        for row in rows
    ]
    description = declared.get("description", "").strip()
    schema = with_disclosure_id(own)
    return Resource(name, declared["title"], description, schema, rows, properties or {})


def rows_of(
    name: str, plans: list[tuple[Disclosure, PackagePlan]]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each disclosure's rows of the resource ``name`` (none where its package has no such)."""
    return [
        (disclosure.id, resource.rows)
        for disclosure, plan in plans
        for resource in plan.resources
        if resource.name == name
    ]


def units_resource(disclosures: list[Disclosure]) -> Resource:
    declared = resource_declaration(UNITS)
    schema = public_schema(declared)
    by_unit: dict[str, list[Disclosure]] = defaultdict(list)
    for disclosure in disclosures:
        by_unit[disclosure.record.unit_id].append(disclosure)
    rows = []
    for unit_id in sorted(by_unit):
        members = by_unit[unit_id]
        years = {
            kind: " ".join(
                str(y) for y in sorted({d.record.year for d in members if d.record.kind == kind})
            )
            for kind in ("budget", "final")
        }
        values = {
            "unit_id": unit_id,
            "unit_name": members[0].record.unit,
            "disclosure_count": len(members),
            "budget_years": years["budget"],
            "final_years": years["final"],
        }
        rows.append(shape_row(schema, values))
    return Resource(UNITS, declared["title"], declared["description"].strip(), schema, rows)


def disclosures_resource(disclosures: list[Disclosure]) -> Resource:
    declared = resource_declaration(DISCLOSURES)
    schema = public_schema(declared)
    fiscal = load_fiscal()
    rows = []
    for disclosure in disclosures:
        record, document = disclosure.record, disclosure.parsed["document"]
        statuses = [entry["status"] for entry in table_entries(disclosure)]
        values = {
            "disclosure_id": record.id,
            "unit_id": record.unit_id,
            "unit_name": record.unit,
            "year": record.year,
            "kind": record.kind,
            "kind_zh": record.kind_zh,
            "scope": record.scope,
            "phase": fiscal["phases"][record.kind],
            "title": document["title"],
            "money_unit": record.money_unit,
            "currency": fiscal["currency"],
            "source_file": record.source_file,
            "source_sha256": record.sha256,
            "source_lines": document["lines"],
            "source_url": record.source_url,
            "published": record.published,
            "licence": record.licence,
            "finding_count": len(disclosure.findings),
        }
        for status in ("parsed", "empty", "missing", "unreadable"):
            values[f"tables_{status}"] = statuses.count(status)
        rows.append(shape_row(schema, values))
    return Resource(DISCLOSURES, declared["title"], declared["description"].strip(), schema, rows)


def portal_package(plans: list[tuple[Disclosure, PackagePlan]]) -> PackagePlan:
    """The portal-wide package from every disclosure and its package plan (sorted by id)."""
    plans = sorted(plans, key=lambda pair: pair[0].id)
    disclosures = [disclosure for disclosure, _ in plans]
    resources = [disclosures_resource(disclosures), units_resource(disclosures)]
    entries = [(d.id, table_entries(d)) for d in disclosures]
    resources.append(combined(TABLES, resource_declaration(TABLES), entries))
    for kind in kind_order():
        declared = table_declaration(kind)
        fiscal = {"x-fiscal": table_fiscal(kind, public_schema(declared))}
        resources.append(combined(kind, declared, rows_of(kind, plans), fiscal))
    for name in (GLOSSARY, *ANNEX_RESOURCES, FINDINGS):
        resources.append(combined(name, resource_declaration(name), rows_of(name, plans)))
    money_units = sorted({d.record.money_unit for d in disclosures}) or ["万元"]
    licences = sorted({d.record.licence for d in disclosures})
    properties: dict[str, Any] = {
        "name": "open-budget-portal",
        "title": "开放预算门户：全部公开文件 · Open budget portal: all disclosures",
        "description": (
            "Every disclosure of the portal combined: one resource per standard table kind with "
            "a disclosure_id column, the units and disclosures catalogues, the status of every "
            "table, the glossaries, the performance annexes and the audit findings. Join on "
            "disclosure_id, and through disclosures.unit_id to compare a unit's budgets and "
            "final accounts across years."
        ),
        "keywords": ["预算公开", "决算公开", "budget", "final accounts", "China"],
        "licenses": [{"name": "notspecified", "title": licence} for licence in licences],
        "sources": [
            {"title": "The disclosures listed in the disclosures resource (file and sha256 each)"}
        ],
        "x-citation": PORTAL_CITATION,
        "x-fiscal": package_fiscal(None, None, money_units[0], resources),
    }
    readme = portal_readme(properties, resources, disclosures)
    return PackagePlan(PORTAL, properties, resources, readme)


@cache
def expected_schemas(*, portal: bool) -> dict[str, dict[str, Any]]:
    """Resource name → the schema its declaration implies."""
    names = [*kind_order()]
    out = {kind: public_schema(table_declaration(kind)) for kind in names}
    for name in (GLOSSARY, *ANNEX_RESOURCES, FINDINGS, TABLES):
        out[name] = public_schema(resource_declaration(name))
    if portal:
        out = {name: with_disclosure_id(schema) for name, schema in out.items()}
        for name in (DISCLOSURES, UNITS):
            out[name] = public_schema(resource_declaration(name))
    return out
