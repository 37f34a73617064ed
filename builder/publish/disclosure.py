"""The data package of one disclosure: its tables, glossary, annexes and findings as resources.

Every standard table is listed in ``x-tables`` with its status. A parsed table becomes a resource
with its rows; an empty one (printed with 本表无数据) a resource with its header and no rows, so
the fact is published; a missing or unreadable table has no resource. Rows keep the fields of
their kind's schema, including ``source_line`` (the line of the source text). A table of no
standard kind follows the standard ones, published as printed (``builder.publish.other_tables``).
"""

from __future__ import annotations

from typing import Any

from builder import declarations
from builder.publish import annexes
from builder.publish.inputs import Disclosure
from builder.publish.other_tables import other_table_entries, other_table_resources
from builder.publish.readme import citation, disclosure_readme
from builder.publish.resources import PackagePlan, Resource, order_rows, shape_rows
from builder.publish.schemas import (
    classification_of,
    classifications_used,
    load_fiscal,
    resource_schema,
    table_schema,
)
from builder.release import current_release

PUBLISHED_STATUSES = ("parsed", "empty")
GLOSSARY = "glossary"
FINDINGS = "findings"
OTHER_TABLES_NOTE = (
    " Tables of no standard kind are published as printed (other_table_<n>: header and cells as"
    " text)."
)


def table_entries(disclosure: Disclosure) -> list[dict[str, Any]]:
    """One entry per table of the disclosure: number, kind, status, lines, rows.

    The standard tables come first, then those of no standard kind (status ``as_printed``).
    """
    entries = []
    seen: set[str] = set()
    for position, table in enumerate(disclosure.parsed["tables"], start=1):
        published = table["status"] in PUBLISHED_STATUSES and table["kind"] not in seen
        if published:
            seen.add(table["kind"])
        entries.append(
            {
                "position": position,
                "table_number": table["number"],
                "kind": table["kind"],
                "title": table["title"],
                "status": table["status"],
                "published": published,
                "row_count": len(table["rows"]),
                "printed_title": table.get("printed_title"),
                "printed_number": table.get("printed_number"),
                "start_line": table.get("start_line"),
                "end_line": table.get("end_line"),
            }
        )
    return entries + other_table_entries(disclosure, len(entries) + 1)


def table_resources(disclosure: Disclosure) -> list[Resource]:
    """The published tables (parsed or empty) as resources, in table-number order."""
    tables = disclosure.parsed["tables"]
    resources = []
    for entry in table_entries(disclosure):
        if not entry["published"] or entry["status"] not in PUBLISHED_STATUSES:
            continue
        table = tables[entry["position"] - 1]
        schema = table_schema(table["kind"])
        declared = declarations.declared(table["kind"])  # shared: only read
        rows = sorted(table["rows"], key=lambda row: int(row["row_number"]))
        resource = Resource(
            name=table["kind"],
            title=declared["title"],
            description=declared.get("description", ""),
            schema=schema,
            rows=order_rows(table["kind"], schema, rows),
            properties=table_properties(entry, schema),
        )
        resources.append(resource)
    return resources


def table_properties(entry: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Resource properties of a table: its status, where it was printed, its fiscal meaning."""
    source = {
        "table_number": entry["table_number"],
        "printed_title": entry["printed_title"],
        "printed_number": entry["printed_number"],
        "start_line": entry["start_line"],
        "end_line": entry["end_line"],
    }
    return {
        "x-status": entry["status"],
        "x-source": source,
        "x-fiscal": table_fiscal(entry["kind"], schema),
    }


def table_fiscal(kind: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Direction of the amounts, and the classification of each code and label column."""
    fiscal = load_fiscal()
    names = {f["name"] for f in schema["fields"]}
    out: dict[str, Any] = {"direction": fiscal["directions"][kind]}
    if "side" in names:
        out["direction_field"] = "side"
    if "phase" in names:
        out["phase_field"] = "phase"
        out["phases"] = fiscal["phases"]
    used = classifications_used(schema["fields"])
    if used:
        out["classification"] = classification_of(schema["fields"])
        out["classified_fields"] = used
    return out


def glossary_rows(disclosure: Disclosure, schema: dict[str, Any]) -> list[dict[str, Any]]:
    entries = disclosure.parsed["narrative"]["glossary"]
    numbered = [{"entry_number": n, **entry} for n, entry in enumerate(entries, start=1)]
    return shape_rows(schema, numbered)[0]


def finding_rows(disclosure: Disclosure, schema: dict[str, Any]) -> list[dict[str, Any]]:
    numbered = [
        {"finding_number": n, **finding} for n, finding in enumerate(disclosure.findings, start=1)
    ]
    return shape_rows(schema, numbered)[0]


def auxiliary_resource(name: str, rows: list[dict[str, Any]]) -> Resource:
    """A resource declared in ``builder/declarations/`` (glossary, findings, annexes)."""
    schema = resource_schema(name)
    declared = declarations.declared(name)  # shared: only read
    return Resource(
        name=name,
        title=declared["title"],
        description=declared.get("description", "").strip(),
        schema=schema,
        rows=rows,
    )


def auxiliary_resources(disclosure: Disclosure) -> list[Resource]:
    """Glossary, performance annexes and audit findings of one disclosure."""
    glossary = resource_schema(GLOSSARY)
    findings = resource_schema(FINDINGS)
    out = [auxiliary_resource(GLOSSARY, glossary_rows(disclosure, glossary))]
    for name, rows in annexes.annex_rows(disclosure.parsed["annexes"]).items():
        out.append(auxiliary_resource(name, rows))
    out.append(auxiliary_resource(FINDINGS, finding_rows(disclosure, findings)))
    return out


def package_properties(disclosure: Disclosure) -> dict[str, Any]:
    """Descriptor properties of a disclosure's package: title, licence, provenance, fiscal."""
    record, document = disclosure.record, disclosure.parsed["document"]
    fiscal = load_fiscal()
    release = current_release()
    title = document["title"] or f"{record.unit}{record.year}年度{record.scope}{record.kind_zh}公开"
    return {
        "name": record.id,
        "title": title,
        "description": (
            f"Open data of the disclosure {title}: {record.unit}, {record.year}, "
            f"{'budget' if record.kind == 'budget' else 'final accounts'} ({record.kind_zh}). "
            f"Every standard table as CSV and Parquet, its glossary, annexes and audit findings. "
            f"Amounts in {record.money_unit} "
            f"({fiscal['money_units'][record.money_unit]:,} {fiscal['currency']})."
            + (OTHER_TABLES_NOTE if disclosure.parsed.get("other_tables") else "")
        ),
        "keywords": [record.unit, str(record.year), f"{record.kind_zh}公开", record.scope],
        "version": release.version,
        "created": release.created,
        "licenses": [{"name": "notspecified", "title": record.licence}],
        "sources": [source_entry(disclosure)],
        "x-citation": citation(disclosure, title),
        "x-disclosure": provenance(disclosure),
    }


def source_entry(disclosure: Disclosure) -> dict[str, Any]:
    record = disclosure.record
    entry: dict[str, Any] = {"title": f"{record.source_file} (sha256 {record.sha256})"}
    if record.source_url:
        entry["path"] = record.source_url
    return entry


def provenance(disclosure: Disclosure) -> dict[str, Any]:
    record, document = disclosure.record, disclosure.parsed["document"]
    return {
        "disclosure_id": record.id,
        "unit_id": record.unit_id,
        "unit_name": record.unit,
        "unit_name_printed": document["unit_name"],
        "year": record.year,
        "kind": record.kind,
        "kind_zh": record.kind_zh,
        "scope": record.scope,
        "source_file": record.source_file,
        "source_sha256": record.sha256,
        "source_lines": document["lines"],
        "source_url": record.source_url,
        "published": record.published,
        "parser": f"{disclosure.parsed['format']} v{disclosure.parsed['format_version']}",
    }


def package_fiscal(
    kind: str | None, year: int | None, money_unit: str, resources: list[Resource]
) -> dict[str, Any]:
    """Package-level fiscal metadata in the spirit of the Fiscal Data Package.

    ``kind`` and ``year`` are None for the portal package (they vary by disclosure there).
    """
    fiscal = load_fiscal()
    used = sorted(
        {
            name
            for resource in resources
            for name in resource.properties.get("x-fiscal", {})
            .get("classified_fields", {})
            .values()
        }
    )
    out: dict[str, Any] = {
        "country_code": fiscal["country_code"],
        "currency": fiscal["currency"],
        "money_unit": money_unit,
        "factor": fiscal["money_units"][money_unit],
    }
    if kind is not None and year is not None:
        out["phase"] = fiscal["phases"][kind]
        out["fiscal_year"] = year
        out["fiscal_period"] = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    out["classifications"] = {name: fiscal["classifications"][name] for name in used}
    return out


def disclosure_package(disclosure: Disclosure) -> PackagePlan:
    """Everything the package folder of one disclosure holds."""
    tables = table_resources(disclosure)
    resources = [*tables, *other_table_resources(disclosure), *auxiliary_resources(disclosure)]
    properties = package_properties(disclosure)
    record = disclosure.record
    properties["x-fiscal"] = package_fiscal(record.kind, record.year, record.money_unit, tables)
    properties["x-tables"] = table_entries(disclosure)
    workbook = f"{disclosure.id}.xlsx"
    readme = disclosure_readme(disclosure, properties, resources, workbook)
    return PackagePlan(disclosure.id, properties, resources, readme, workbook)
