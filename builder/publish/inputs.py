"""What the publish stage takes: each disclosure's provenance record, its parse and its findings.

The record is derived from the file and its parse (id = file stem, sha256, unit, year, kind,
scope, money unit) and completed by the optional ``<id>.meta.yaml`` beside it
(``builder.sources.provenance``): source URL, publication date, licence. A fact the record
states must agree with the text. A unit id is derived from the unit name so that one unit's
budgets and final accounts link up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import declarations
from builder.errors import DisclosureError
from builder.identities import normalise_unit_name, unit_id
from builder.sources.provenance import (
    DEFAULT_LICENCE,
    FACT_KEYS,
    check_id,
    meta_path,
    read_record,
)

SCHEMA_MONEY_UNIT = declarations.PUBLISHED_MONEY_UNIT  # of every standard amount field
# Where each fact of a record comes from, for the messages when a record disagrees.
FACT_ORIGINS = {
    "id": "the file stem",
    "source_file": "the file name",
    "sha256": "the file's sha256",
    "unit": "the unit name in the text",
    "year": "the year on the cover",
    "kind": "the kind on the cover",
    "kind_zh": "the kind on the cover",
    "scope": "the scope on the cover (部门/单位)",
    "money_unit": "the money unit printed on the tables",
}


@dataclass(frozen=True)
class SourceRecord:
    """The provenance record of one disclosure: facts of the text, provenance beside it."""

    id: str
    source_file: str
    sha256: str
    unit: str
    year: int
    kind: str
    kind_zh: str
    scope: str
    money_unit: str
    licence: str
    source_url: str | None
    published: str | None

    @property
    def unit_id(self) -> str:
        return unit_id(self.unit)


@dataclass(frozen=True)
class Disclosure:
    """One disclosure ready to publish: provenance, canonical parse and audit findings."""

    record: SourceRecord
    parsed: dict[str, Any]
    findings: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return self.record.id


def source_record(source: Path, parsed: Mapping[str, Any]) -> SourceRecord:
    """The provenance record of the disclosure text ``source``: the facts of its parse,
    completed (and checked) by its ``.meta.yaml`` if there is one."""
    return derive_record(source, parsed, read_record(source))


def derive_record(
    source: Path, parsed: Mapping[str, Any], stated: Mapping[str, Any]
) -> SourceRecord:
    """The record of ``source`` from its parse and what a record ``stated``.

    Each fact is read from the file or the text; a fact the record also states must agree
    (a unit name compared without spaces and full-width forms), and one the text does not
    give (an unnamed unit, no 部门/单位 on the cover) must be stated.
    """
    document = parsed["document"]
    derived: dict[str, Any] = {
        "id": check_id(source),
        "source_file": source.name,
        "sha256": document["sha256"],
        "unit": document["unit_name"],
        "year": document["year"],
        "kind": document["kind"],
        "kind_zh": document["kind_zh"],
        "scope": document["scope"],
        "money_unit": document["money_unit"],
    }
    facts = {key: reconcile(key, derived[key], stated.get(key), source) for key in FACT_KEYS}
    return SourceRecord(
        id=str(facts["id"]),
        source_file=str(facts["source_file"]),
        sha256=str(facts["sha256"]),
        unit=str(facts["unit"]),
        year=int(str(facts["year"])),
        kind=str(facts["kind"]),
        kind_zh=str(facts["kind_zh"]),
        scope=str(facts["scope"]),
        money_unit=str(facts["money_unit"]),
        licence=str(stated.get("licence") or DEFAULT_LICENCE),
        source_url=stated.get("source_url"),
        published=stated.get("published"),
    )


def reconcile(key: str, derived: object, stated: object, source: Path) -> object:
    """The value of one fact: read from the text, or stated where the text gives none."""
    record = meta_path(source).name
    if stated is None:
        if derived is None:
            raise DisclosureError(
                source,
                None,
                f"{FACT_ORIGINS[key]} was not found",
                f"state it as `{key}: …` in {record}",
            )
        return derived
    if derived is None:
        return stated
    if not same_fact(key, derived, stated):
        hint = (
            "if the file was replaced on purpose, update or delete sha256 in the record"
            if key == "sha256"
            else f"correct {record}, or delete `{key}` there to take it from the text"
        )
        raise DisclosureError(
            source, None, f"{FACT_ORIGINS[key]} {derived} differs from {stated} in {record}", hint
        )
    return derived


def same_fact(key: str, derived: object, stated: object) -> bool:
    if key == "unit":
        return normalise_unit_name(str(derived)) == normalise_unit_name(str(stated))
    if key == "year":
        return str(derived) == str(stated).strip()
    return derived == stated


def check_parse(record: SourceRecord, parsed: dict[str, Any], source: Path) -> None:
    """Refuse to publish a parse whose amounts the schemas do not describe.

    Every table's amounts must be in the unit the table schemas declare (万元): amounts in
    another unit would be published mislabelled.
    """
    printed = {record.money_unit} | {
        t["money_unit"] for t in parsed["tables"] if t.get("money_unit")
    }
    if printed != {SCHEMA_MONEY_UNIT}:
        raise DisclosureError(
            source,
            None,
            f"amounts in {'/'.join(sorted(printed))}; the schemas declare {SCHEMA_MONEY_UNIT}",
            "converting other money units is not supported yet",
        )
