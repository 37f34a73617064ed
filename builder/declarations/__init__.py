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

from functools import cache
from importlib import resources
from typing import Any

import yaml

PACKAGE = "builder.declarations"
SUFFIX = ".schema.yaml"
TABLE_KEY = "x-table"  # present in the declaration of a canonical table kind only
PUBLISHED_MONEY_UNIT = "万元"  # the unit of every amount of the standard tables (tested)

# The C loader when libyaml is there (several times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """A YAML declaration's data (safe types only), with the C loader when it is there: the
    same objects as ``yaml.safe_load``, which reads ``checks.yaml`` 5× slower (0.3 s)."""
    return yaml.load(text, Loader=_LOADER)


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
    copy: dict[str, Any] = copied(declared(name))
    return copy


def copied(value: Any) -> Any:
    """A copy of YAML data: its mappings and lists new, the rest (text, numbers, dates,
    which cannot change) shared. Half the CPU of ``copy.deepcopy``, called about 90 times a
    disclosure (the declarations use no YAML anchors, so nothing is shared to keep)."""
    if type(value) is dict:
        return {key: copied(item) for key, item in value.items()}
    if type(value) is list:
        return [copied(item) for item in value]
    return value


def field_of(name: str, field_name: str) -> dict[str, Any]:
    """The declared field ``field_name`` of ``name`` (shared: never modify it)."""
    for field in declared(name)["fields"]:
        if field["name"] == field_name:
            return dict(field)
    raise DeclarationError(f"{name} declares no field {field_name!r}")


def titles(name: str) -> dict[str, str]:
    """Field name → its Chinese title, in declared order."""
    return {f["name"]: str(f.get("title") or f["name"]) for f in declared(name)["fields"]}


def units(name: str) -> dict[str, str]:
    """Field name → its declared unit (万元, 元, %, 辆 ...), for the fields that have one."""
    return {f["name"]: str(f["unit"]) for f in declared(name)["fields"] if f.get("unit")}


def standard_number(family: str, number: str) -> str:
    """How a standard table's number is printed: 公开03表 in final accounts, 预算公开表3 in
    budgets (the family and number of its ``x-table``)."""
    return f"公开{number}表" if family == "final" else f"预算公开表{int(number)}"


def labels(name: str, field_name: str) -> dict[str, str]:
    """The Chinese label of each value of an enumerated field (its ``x-labels``), such as
    ``{"budget": "预算数", "final": "决算数"}`` for the phase of the 三公 table."""
    found = field_of(name, field_name).get("x-labels")
    if not isinstance(found, dict):
        raise DeclarationError(f"{name}.{field_name} declares no x-labels")
    return {str(value): str(label) for value, label in found.items()}


@cache
def yuan_per_unit() -> dict[str, int]:
    """Every money unit a publisher prints → how many yuan one of it is (``money_units`` of
    ``builder/publish/fiscal.yaml``, their one declaration: the parser converts amounts with
    it, the audit reads the narrative's figures with it). Read without importing the publish
    stage, which imports the parser."""
    text = resources.files("builder").joinpath("publish", "fiscal.yaml").read_text("utf-8")
    fiscal: dict[str, Any] = yaml.load(text, Loader=_LOADER)
    return {str(unit): int(factor) for unit, factor in fiscal["money_units"].items()}


@cache
def money_units() -> frozenset[str]:
    """The money units an amount field may declare."""
    return frozenset(yuan_per_unit())


def is_amount(field: dict[str, Any]) -> bool:
    """Whether a declared field holds an amount of money: by its declared unit, never by
    its name."""
    return field.get("unit") in money_units()


@cache
def value_labels() -> dict[str, dict[str, str]]:
    """Field name → the labels of its values, over every table kind (a field of one name is
    labelled the same in every table that has it)."""
    found: dict[str, dict[str, str]] = {}
    for kind in table_kinds():
        for field in declared(kind)["fields"]:
            if "x-labels" not in field:
                continue
            own = labels(kind, field["name"])
            merged = found.setdefault(field["name"], {})
            clash = {v for v in own if v in merged and merged[v] != own[v]}
            if clash:
                raise DeclarationError(f"{kind}.{field['name']}: other labels for {clash}")
            merged.update(own)
    return found


LEVELS_DECLARED_BY = ("expenditure_by_function", "level")


@cache
def levels() -> tuple[str, ...]:
    """The levels of a classified table's rows, from the grand total down: 合计, 类, 款, 项
    (the ``level`` enum of ``expenditure_by_function``; every table's ``level`` declares
    these or the first three, tested)."""
    name, field_name = LEVELS_DECLARED_BY
    return tuple(str(v) for v in field_of(name, field_name)["constraints"]["enum"])


# The four levels by name, for the code that reads and checks rows by their level.
TOTAL_LEVEL, CLASS_LEVEL, SECTION_LEVEL, ITEM_LEVEL = levels()
