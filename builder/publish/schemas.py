"""Table Schemas as published, and the Arrow schemas they imply.

The declarations are data: one Frictionless Table Schema per table kind and per portal resource
(units, disclosures, findings ...) in ``builder/declarations/``, read through that package.
Publishing drops the parser's ``x-*`` keys, adds Fiscal Data Package ``columnType``s from
``fiscal.yaml``, and, for portal-wide resources, a leading ``disclosure_id`` column. The Arrow
schema for Parquet is derived from the same fields: nothing restates a column list.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa
import yaml

from builder import declarations

PUBLISH_PACKAGE = "builder.publish"
DISCLOSURE_ID = "disclosure_id"
DISCLOSURES = "disclosures"
# The disclosure's facts repeated on every row of a portal-wide resource, so that a row says
# whose, which year and which kind it is without a join: published name → the field of the
# disclosures catalogue it copies (title, type and description are declared there). The names
# differ from the catalogue's because some tables have a unit_name, year or kind of their own.
CONTEXT_FIELDS = {
    "publisher_id": "unit_id",
    "publisher_name": "unit_name",
    "fiscal_year": "year",
    "disclosure_kind": "kind",
    "disclosure_kind_zh": "kind_zh",
    "disclosure_scope": "scope",
}

# Amounts: decimal128 with at least this scale and precision; widened if the data needs it.
DECIMAL_SCALE = 3
DECIMAL_PRECISION = 18
MAX_DECIMAL_PRECISION = 38

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


# The C loader when libyaml is there (several times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(package: str, *parts: str) -> Any:
    text = resources.files(package).joinpath(*parts).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER)


@cache
def load_fiscal() -> dict[str, Any]:
    """The fiscal metadata file (currency, money units, phases, directions, classifications)."""
    fiscal: dict[str, Any] = _read_yaml(PUBLISH_PACKAGE, "fiscal.yaml")
    return fiscal


def table_declaration(kind: str) -> dict[str, Any]:
    """The declared Table Schema of a table kind (a copy; parser keys included)."""
    if not declarations.is_table_kind(kind):
        raise declarations.DeclarationError(f"{kind!r} is not a table kind")
    return declarations.declaration(kind)


def resource_declaration(name: str) -> dict[str, Any]:
    """The declared Table Schema of a portal resource such as ``units`` (a copy)."""
    if declarations.is_table_kind(name):
        raise declarations.DeclarationError(f"{name!r} is a table kind, not a resource")
    return declarations.declaration(name)


def strip_extensions(value: Any) -> Any:
    """Drop ``x-*`` keys (parser layout, audit checks) at every level."""
    if isinstance(value, dict):
        return {k: strip_extensions(v) for k, v in value.items() if not str(k).startswith("x-")}
    if isinstance(value, list):
        return [strip_extensions(v) for v in value]
    return value


def public_schema(declared: dict[str, Any]) -> dict[str, Any]:
    """The Table Schema part of a declaration, without ``x-*`` keys, with FDP column types.

    The declaration's name, title and description describe the resource and stay out of the
    schema.
    """
    schema = strip_extensions(declared)
    fields = annotate_fields(schema["fields"])
    out: dict[str, Any] = {"fields": fields}
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if key in schema:
            out[key] = schema[key]
    return out


def table_schema(kind: str) -> dict[str, Any]:
    """``public_schema(table_declaration(kind))``, made once a process (a copy each call)."""
    if not declarations.is_table_kind(kind):
        raise declarations.DeclarationError(f"{kind!r} is not a table kind")
    schema: dict[str, Any] = declarations.copied(_public_schema_of(kind))
    return schema


def resource_schema(name: str) -> dict[str, Any]:
    """``public_schema(resource_declaration(name))``, made once a process (a copy each call)."""
    if declarations.is_table_kind(name):
        raise declarations.DeclarationError(f"{name!r} is a table kind, not a resource")
    schema: dict[str, Any] = declarations.copied(_public_schema_of(name))
    return schema


@cache
def _public_schema_of(name: str) -> dict[str, Any]:
    """The public schema of a declaration (shared: the callers above copy it). A
    disclosure's package has some fifteen: made anew, each cost a copy of its declaration
    and another without the ``x-*`` keys (0.7 ms of CPU a disclosure)."""
    return public_schema(declarations.declared(name))


def annotate_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add a Fiscal Data Package ``columnType`` where ``fiscal.yaml`` gives one."""
    fiscal = load_fiscal()
    classified: dict[str, dict[str, str]] = fiscal["classified_fields"]
    table_classification = classification_of(fields)
    annotated = []
    for field in fields:
        out = dict(field)
        spec = classified.get(field["name"])
        if field.get("unit") in fiscal["money_units"]:
            out.setdefault("columnType", "value")
        elif spec is not None:
            name = spec.get("classification", table_classification)
            if name is not None:
                prefix = fiscal["classifications"][name]["column_type"]
                out.setdefault("columnType", f"{prefix}:{spec['role']}")
        elif field["name"] in fiscal["concept_fields"]:
            out.setdefault("columnType", fiscal["concept_fields"][field["name"]])
        annotated.append(out)
    return annotated


def classification_of(fields: list[dict[str, Any]]) -> str | None:
    """The classification of a table's code column (or, without codes, of its label column)."""
    classified: dict[str, dict[str, str]] = load_fiscal()["classified_fields"]
    for role in ("code", "label"):
        for field in fields:
            spec = classified.get(field["name"], {})
            if spec.get("role") == role and "classification" in spec:
                return spec["classification"]
    return None


def classifications_used(fields: list[dict[str, Any]]) -> dict[str, str]:
    """Code and label column → the classification it uses."""
    classified: dict[str, dict[str, str]] = load_fiscal()["classified_fields"]
    return {
        field["name"]: classified[field["name"]]["classification"]
        for field in fields
        if "classification" in classified.get(field["name"], {})
    }


def disclosure_id_field() -> dict[str, Any]:
    """The ``disclosure_id`` field as declared in the disclosures resource."""
    fields = resource_declaration(DISCLOSURES)["fields"]
    field: dict[str, Any] = next(f for f in fields if f["name"] == DISCLOSURE_ID)
    return field


def context_fields() -> list[dict[str, Any]]:
    """The fields of :data:`CONTEXT_FIELDS`, declared as in the disclosures resource."""
    declared = {f["name"]: f for f in resource_declaration(DISCLOSURES)["fields"]}
    out = []
    for name, source in CONTEXT_FIELDS.items():
        field = {k: v for k, v in copy.deepcopy(declared[source]).items() if k[:2] != "x-"}
        field["name"] = name
        field.pop("constraints", None)
        field.pop("columnType", None)
        field["description"] = (
            f"{field.get('description', '').strip()} The disclosures resource's {source} of "
            "this row's disclosure, repeated here so that no join is needed."
        ).strip()
        out.append(field)
    return out


def with_disclosure_id(schema: dict[str, Any]) -> dict[str, Any]:
    """A portal-wide schema: ``disclosure_id`` leads the fields, the keys and foreign keys,
    followed by the disclosure's publisher, year, kind and scope (:data:`CONTEXT_FIELDS`).

    Foreign keys within a disclosure (an indicator to its sheet) become keys within the same
    disclosure; a new foreign key ties every row to the ``disclosures`` catalogue.
    """
    keyed: dict[str, Any] = {
        "fields": [disclosure_id_field(), *context_fields(), *schema["fields"]],
        "primaryKey": [DISCLOSURE_ID, *schema.get("primaryKey", [])],
        "foreignKeys": [
            {
                "fields": [DISCLOSURE_ID],
                "reference": {"resource": DISCLOSURES, "fields": [DISCLOSURE_ID]},
            },
            *(
                {
                    "fields": [DISCLOSURE_ID, *key["fields"]],
                    "reference": {
                        "resource": key["reference"]["resource"],
                        "fields": [DISCLOSURE_ID, *key["reference"]["fields"]],
                    },
                }
                for key in schema.get("foreignKeys", [])
            ),
        ],
    }
    keyed.update({k: v for k, v in schema.items() if k not in keyed})
    return copy.deepcopy(keyed)


def decimal_width(values: list[Any]) -> tuple[int, int]:
    """(whole digits, scale) that hold every value: at least 15 and 3, never rounded."""
    scale, whole = DECIMAL_SCALE, DECIMAL_PRECISION - DECIMAL_SCALE
    for value in values:
        if isinstance(value, Decimal):
            _sign, digits, exponent = value.as_tuple()
            if not isinstance(exponent, int):
                raise ValueError(f"not a finite amount: {value}")
            scale = max(scale, -exponent)
            whole = max(whole, len(digits) + exponent)
    return whole, scale


def decimal_type(values: list[Any]) -> pa.Decimal128Type:
    """decimal128(18, 3), widened when a value has more digits (never rounded)."""
    return decimal_of_width(decimal_width(values))


def decimal_of_width(width: tuple[int, int]) -> pa.Decimal128Type:
    whole, scale = width
    precision = whole + scale
    if precision > MAX_DECIMAL_PRECISION:
        raise ValueError(f"an amount needs {precision} digits; decimal128 holds 38")
    return pa.decimal128(precision, scale)


def decimal_widths(
    schema: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, tuple[int, int]]:
    """The width of every number field of ``rows``."""
    return {
        field["name"]: decimal_width([row[field["name"]] for row in rows])
        for field in schema["fields"]
        if field["type"] == "number"
    }


def widest(widths: list[dict[str, tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    """Per field, the width that holds every part's values."""
    out: dict[str, tuple[int, int]] = {}
    for part in widths:
        for name, (whole, scale) in part.items():
            known = out.get(name, (whole, scale))
            out[name] = (max(known[0], whole), max(known[1], scale))
    return out


def arrow_schema(schema: dict[str, Any], rows: list[dict[str, Any]]) -> pa.Schema:
    """The Arrow schema of a resource: its declared fields, typed, in order; no metadata."""
    return arrow_schema_of_widths(schema, decimal_widths(schema, rows))


def arrow_schema_of_widths(schema: dict[str, Any], widths: dict[str, tuple[int, int]]) -> pa.Schema:
    """The Arrow schema of a resource whose number fields have the given widths."""
    columns = []
    default = decimal_width([])
    for field in schema["fields"]:
        name, kind = field["name"], field["type"]
        if kind == "number":
            arrow: pa.DataType = decimal_of_width(widths.get(name, default))
        elif kind in ARROW_TYPES:
            arrow = ARROW_TYPES[kind]
        else:
            raise ValueError(f"field {name}: no Arrow type for Table Schema type {kind!r}")
        required = bool(field.get("constraints", {}).get("required"))
        columns.append(pa.field(name, arrow, nullable=not required))
    return pa.schema(columns)
