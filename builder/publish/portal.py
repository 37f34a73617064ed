"""The portal-wide data package: every disclosure combined, the file to compare units and years.

One resource per table kind with a leading ``disclosure_id`` column (primary key
``[disclosure_id, row_number]``, foreign key to ``disclosures``); ``units`` (one row per unit,
so that a unit's budgets and final accounts link up), ``disclosures`` (the catalogue),
``tables`` (the status of every standard table of every disclosure), the glossaries, the
performance annexes and the audit findings. Rows are ordered by disclosure id, then by each
resource's own key.

A table of no standard kind (``other_table_<n>``, published as printed) is listed in ``tables``
with the status ``as_printed`` but not combined: its columns are the publisher's own, so there
is no common schema to combine it under; its rows stay in its disclosure's package.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from builder.declarations import PUBLISHED_MONEY_UNIT as UNIT
from builder.parse.catalogue import load_catalogue
from builder.publish.annexes import ANNEX_RESOURCES
from builder.publish.disclosure import (
    FINDINGS,
    GLOSSARY,
    package_fiscal,
    table_entries,
    table_fiscal,
)
from builder.publish.files import (
    LINE_TERMINATOR,
    body_lines,
    csv_header,
    csv_line_list,
    resource_widths,
)
from builder.publish.inputs import Disclosure, SourceRecord
from builder.publish.readme import PORTAL_NAME, portal_readme
from builder.publish.resources import (
    PackagePlan,
    Prebuilt,
    Resource,
    Spooled,
    shape_row,
    shape_rows,
)
from builder.publish.schemas import (
    CONTEXT_FIELDS,
    DISCLOSURE_ID,
    DISCLOSURES,
    decimal_widths,
    load_fiscal,
    public_schema,
    resource_declaration,
    table_declaration,
    widest,
    with_disclosure_id,
)
from builder.release import Release, current_release

PORTAL = "portal"
UNITS = "units"
TABLES = "tables"
FAMILIES = ("final", "budget")


def portal_citation(release: Release) -> str:
    return (
        f"{PORTAL_NAME}: all disclosures, data package `open-budget-portal`, data version "
        f"{release.version} ({release.date}). Cite each disclosure by its unit, title and year "
        "(see the disclosures resource)."
    )


def kind_order() -> list[str]:
    """Table kinds in print order: the final-accounts family, then the budget family."""
    catalogue = load_catalogue()
    return [kind.stem for family in FAMILIES for kind in catalogue.family(family)]


COMBINED_AUXILIARY = (GLOSSARY, *ANNEX_RESOURCES, FINDINGS)


@dataclass(frozen=True)
class Contribution:
    """One disclosure's part of the portal package, computed once with its own package.

    ``parts`` holds, per combined resource, the disclosure's rows as CSV lines (each led by
    its disclosure id) with their count and decimal widths; the portal package joins them in
    disclosure-id order, so a rebuild combines text instead of re-shaping every row.
    """

    record: SourceRecord
    finding_count: int
    catalogue_row: dict[str, Any]  # its row of the ``disclosures`` resource
    parts: dict[str, Prebuilt]


def combined_names() -> list[str]:
    """The combined resources in package order: tables status, table kinds, the others."""
    return [TABLES, *kind_order(), *COMBINED_AUXILIARY]


@cache
def own_schema(name: str) -> dict[str, Any]:
    """The public schema of a combined resource's parts, before the disclosure id (shared)."""
    return public_schema(declaration_of(name))


@cache
def combined_schema(name: str) -> dict[str, Any]:
    """The schema of a combined resource: ``disclosure_id`` and the part's fields (shared)."""
    schema = with_disclosure_id(own_schema(name))
    context = schema["fields"][: -len(own_schema(name)["fields"]) or None]
    if any(field["type"] == "number" for field in context):
        raise ValueError(f"{name}: an amount among the context fields (see part)")
    return schema


def declaration_of(name: str) -> dict[str, Any]:
    return table_declaration(name) if name in kind_order() else resource_declaration(name)


def context_of(record: SourceRecord) -> dict[str, Any]:
    """What every row of a disclosure carries in the portal package (``CONTEXT_FIELDS``)."""
    values = {
        "unit_id": record.unit_id,
        "unit_name": record.unit,
        "year": record.year,
        "kind": record.kind,
        "kind_zh": record.kind_zh,
        "scope": record.scope,
    }
    return {DISCLOSURE_ID: record.id} | {
        name: values[source] for name, source in CONTEXT_FIELDS.items()
    }


def part(
    name: str, record: SourceRecord, rows: list[dict[str, Any]], rendered: Resource | None = None
) -> Prebuilt:
    """A disclosure's rows of the combined resource ``name``, as CSV lines without header.

    Each line is the disclosure's context (its id, publisher, year...: the same cells on
    every line, rendered once) and the row's own cells (a CSV cell is quoted or not by
    itself alone, so the joined line is the one the whole row would make: a row of two or
    more cells is never the lone empty cell the csv module quotes). The context holds no
    amount (:func:`combined_schema`), so the widths are those of the own fields.

    ``rendered``: the disclosure's resource of these ``rows``, whose CSV lines and widths
    were found for its own files; they are taken as they are when its fields are the part's
    and shaping changed no value (so the lines would be the same), not made a second time."""
    own = own_schema(name)
    combined_schema(name)  # checks that the context holds no amount
    shaped, kept = shape_rows(own, rows)
    names = [f["name"] for f in own["fields"]]
    context = context_of(record)
    (first,) = csv_line_list(list(context), [context])
    prefix = first.removesuffix(LINE_TERMINATOR) + ","
    if kept and rendered is not None and rendered.schema["fields"] == own["fields"]:
        lines, widths = body_lines(rendered), resource_widths(rendered)
    else:
        lines, widths = csv_line_list(names, shaped), decimal_widths(own, shaped)
    text = "".join([prefix + line for line in lines])
    return Prebuilt(text, len(shaped), widths)


def contribution(disclosure: Disclosure, plan: PackagePlan) -> Contribution:
    """What ``disclosure`` (with its package ``plan``) adds to the portal package."""
    resources = {resource.name: resource for resource in plan.resources}
    parts = {TABLES: part(TABLES, disclosure.record, table_entries(disclosure))}
    for name in combined_names()[1:]:
        if name in resources:
            resource = resources[name]
            parts[name] = part(name, disclosure.record, resource.rows, resource)
    return Contribution(
        disclosure.record, len(disclosure.findings), catalogue_row(disclosure), parts
    )


def combined(name: str, contributions: list[Contribution]) -> Resource:
    """One resource of every disclosure's rows (contributions in disclosure-id order)."""
    pieces = [c.parts[name] for c in contributions if name in c.parts]
    text = combined_header(name) + "".join(p.text for p in pieces)
    return combined_resource(name, pieces, text)


def combined_header(name: str) -> str:
    return csv_header([f["name"] for f in combined_schema(name)["fields"]])


def combined_resource(name: str, pieces: list[Prebuilt], text: str | Spooled) -> Resource:
    """The combined resource ``name`` of the disclosures' ``pieces``, whose CSV text (header
    included) is ``text``."""
    declared = declaration_of(name)
    schema = copy.deepcopy(combined_schema(name))
    prebuilt = Prebuilt(text, sum(p.rows for p in pieces), widest([p.decimals for p in pieces]))
    properties: dict[str, Any] = {}
    if name in kind_order():
        properties["x-fiscal"] = table_fiscal(name, public_schema(declared))
    description = declared.get("description", "").strip()
    return Resource(name, declared["title"], description, schema, [], properties, prebuilt)


def units_resource(records: list[SourceRecord]) -> Resource:
    declared = resource_declaration(UNITS)
    schema = public_schema(declared)
    by_unit: dict[str, list[SourceRecord]] = defaultdict(list)
    for record in records:
        by_unit[record.unit_id].append(record)
    rows = []
    for unit_id in sorted(by_unit):
        members = by_unit[unit_id]
        years = {
            kind: " ".join(str(y) for y in sorted({r.year for r in members if r.kind == kind}))
            for kind in ("budget", "final")
        }
        values = {
            "unit_id": unit_id,
            "unit_name": members[0].unit,
            "disclosure_count": len(members),
            "budget_years": years["budget"],
            "final_years": years["final"],
        }
        rows.append(shape_row(schema, values))
    return Resource(UNITS, declared["title"], declared["description"].strip(), schema, rows)


def catalogue_row(disclosure: Disclosure) -> dict[str, Any]:
    """The disclosure's row of the ``disclosures`` resource."""
    schema = public_schema(resource_declaration(DISCLOSURES))
    fiscal = load_fiscal()
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
    return shape_row(schema, values)


def disclosures_resource(contributions: list[Contribution]) -> Resource:
    declared = resource_declaration(DISCLOSURES)
    schema = public_schema(declared)
    rows = [c.catalogue_row for c in contributions]
    return Resource(DISCLOSURES, declared["title"], declared["description"].strip(), schema, rows)


def year_package_name(year: int) -> str:
    """``portal.2024``: a dot, which no disclosure id has, so it names no disclosure."""
    return f"{PORTAL}.{year}"


def is_portal_name(name: str) -> bool:
    """The portal package, or one year of it."""
    return name == PORTAL or name.startswith(f"{PORTAL}.")


def portal_packages(contributions: list[Contribution]) -> list[PackagePlan]:
    """The portal-wide package, then one package per year (the same resources, that year's
    disclosures only)."""
    return [portal_package(contributions)] + [
        portal_package(chosen, year=year) for year, chosen in by_year(contributions)
    ]


def by_year(contributions: list[Contribution]) -> list[tuple[int, list[Contribution]]]:
    """Each year of the contributions, with its contributions (in their order)."""
    years = sorted({c.record.year for c in contributions})
    return [(year, [c for c in contributions if c.record.year == year]) for year in years]


Combine = Callable[[str, list[Contribution]], Resource]


def portal_package(
    contributions: list[Contribution], year: int | None = None, combine: Combine = combined
) -> PackagePlan:
    """The portal-wide package from every disclosure's contribution (or, with ``year``,
    from that year's); ``combine`` makes each combined resource of them."""
    contributions = sorted(contributions, key=lambda c: c.record.id)
    release = current_release()
    records = [c.record for c in contributions]
    resources = [disclosures_resource(contributions), units_resource(records)]
    resources += [combine(name, contributions) for name in combined_names()]
    money_units = sorted({r.money_unit for r in records}) or [UNIT]
    licences = sorted({r.licence for r in records})
    which = "all disclosures" if year is None else f"the disclosures of {year}"
    properties: dict[str, Any] = {
        "name": "open-budget-portal" + ("" if year is None else f"-{year}"),
        "title": f"开放预算门户：{'全部' if year is None else f'{year}年度'}公开文件 · "
        f"Open budget portal: {which}",
        "description": (
            f"Every disclosure of the portal combined ({which}): one resource per standard table "
            "kind, each row with its disclosure_id and the disclosure's publisher, fiscal year, "
            "kind and scope; the units and disclosures catalogues, the status of every "
            "table, the glossaries, the performance annexes and the audit findings. Join on "
            "disclosure_id, and through disclosures.unit_id to compare a unit's budgets and "
            "final accounts across years."
        ),
        "keywords": ["预算公开", "决算公开", "budget", "final accounts", "China"],
        "version": release.version,
        "created": release.created,
        "licenses": [{"name": "notspecified", "title": licence} for licence in licences],
        "sources": [
            {"title": "The disclosures listed in the disclosures resource (file and sha256 each)"}
        ],
        "x-citation": portal_citation(release),
        "x-fiscal": package_fiscal(None, None, money_units[0], resources),
    }
    catalogue = [(c.record, c.finding_count) for c in contributions]
    readme = portal_readme(properties, resources, catalogue)
    name = PORTAL if year is None else year_package_name(year)
    return PackagePlan(name, properties, resources, readme)


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
