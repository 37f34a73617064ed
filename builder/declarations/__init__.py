"""The declarations of every table the project publishes, read in one place.

One Frictionless Table Schema per table (``<name>.schema.yaml`` in this folder): the
canonical tables of the disclosures (those with an ``x-table`` key: the printed layout the
parser reads), and the other resources of the packages (annexes, findings, units,
disclosures, the glossary, tables of no standard kind, the catalogue of tables). Field
names, Chinese titles, units, enum labels (``x-labels``) and descriptions are declared there
once; the parser, the audit, the publish stage, the READMEs, the pages and the charts read
them through this module.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any

import yaml

PACKAGE = "builder.declarations"
SUFFIX = ".schema.yaml"
TABLE_KEY = "x-table"  # present in the declaration of a canonical table kind only

# The C loader when libyaml is there (several times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DeclarationError(ValueError):
    """A declaration file is inconsistent (its name, or a name asked for that has none)."""


@cache
def _declarations() -> dict[str, dict[str, Any]]:
    declared: dict[str, dict[str, Any]] = {}
    for entry in sorted(resources.files(PACKAGE).iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(SUFFIX):
            continue
        schema: dict[str, Any] = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER)
        name = entry.name.removesuffix(SUFFIX)
        if schema.get("name") != name:
            raise DeclarationError(f"{entry.name}: declares name {schema.get('name')!r}")
        declared[name] = schema
    return declared


def names() -> tuple[str, ...]:
    """Every declared table, in name order."""
    return tuple(_declarations())


def table_kinds() -> tuple[str, ...]:
    """The canonical table kinds (declarations with ``x-table``), in name order."""
    return tuple(name for name, schema in _declarations().items() if TABLE_KEY in schema)


def resource_names() -> tuple[str, ...]:
    """The other declared resources (annexes, findings, units ...), in name order."""
    return tuple(name for name, schema in _declarations().items() if TABLE_KEY not in schema)


def is_table_kind(name: str) -> bool:
    return TABLE_KEY in _declarations().get(name, {})


def declared(name: str) -> dict[str, Any]:
    """The declaration of ``name`` as read (shared: never modify it; see :func:`declaration`)."""
    try:
        return _declarations()[name]
    except KeyError:
        raise DeclarationError(f"no declaration named {name!r}") from None


def declaration(name: str) -> dict[str, Any]:
    """The declaration of ``name`` (a copy the caller may change)."""
    return copy.deepcopy(declared(name))
