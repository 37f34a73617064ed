"""What the publish stage takes: each disclosure's provenance record, its parse and its findings.

The provenance record is ``datasets/sources/<id>.meta.yaml`` (see ``datasets/README.md``). A unit
id is derived from the unit name so that one unit's budgets and final accounts link up.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from builder.errors import DisclosureError

META_SUFFIX = ".meta.yaml"
SCHEMA_MONEY_UNIT = "万元"  # the unit of every amount field in builder/schemas/
UNIT_ID_DIGITS = 10
REQUIRED_KEYS = (
    "id",
    "source_file",
    "sha256",
    "unit",
    "year",
    "kind",
    "kind_zh",
    "scope",
    "money_unit",
    "licence",
)


@dataclass(frozen=True)
class SourceRecord:
    """The provenance record of one bundled disclosure."""

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


def normalise_unit_name(name: str) -> str:
    """The unit name as compared: NFKC (full-width forms folded) and without spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def unit_id(name: str) -> str:
    """A stable ASCII id for a unit: ``unit-`` and 10 hex digits of the name's SHA-1."""
    digest = hashlib.sha1(normalise_unit_name(name).encode("utf-8"), usedforsecurity=False)
    return f"unit-{digest.hexdigest()[:UNIT_ID_DIGITS]}"


def meta_path(source: Path) -> Path:
    """The provenance record beside a disclosure text file."""
    return source.with_name(source.stem + META_SUFFIX)


def read_source_record(source: Path) -> SourceRecord:
    """Read and check the provenance record of the disclosure text ``source``."""
    path = meta_path(source)
    hint = "write it as described in datasets/README.md"
    if not path.is_file():
        raise DisclosureError(source, None, f"no provenance record {path.name}", hint)
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise DisclosureError(path, None, "the provenance record is not a mapping", hint)
    absent = [key for key in REQUIRED_KEYS if meta.get(key) in (None, "")]
    if absent:
        raise DisclosureError(path, None, f"missing keys: {', '.join(absent)}", hint)
    if meta["id"] != source.stem:
        raise DisclosureError(
            path, None, f"id {meta['id']!r} is not the file stem {source.stem!r}", hint
        )
    return SourceRecord(
        id=str(meta["id"]),
        source_file=str(meta["source_file"]),
        sha256=str(meta["sha256"]),
        unit=str(meta["unit"]),
        year=int(meta["year"]),
        kind=str(meta["kind"]),
        kind_zh=str(meta["kind_zh"]),
        scope=str(meta["scope"]),
        money_unit=str(meta["money_unit"]),
        licence=str(meta["licence"]),
        source_url=optional_text(meta.get("source_url")),
        published=optional_text(meta.get("published")),
    )


def optional_text(value: object) -> str | None:
    """A YAML scalar as text (dates in ISO form), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def check_parse(record: SourceRecord, parsed: dict[str, Any], source: Path) -> None:
    """Refuse to publish a parse that the provenance record or the schemas do not describe.

    The file must be the one recorded (same sha256), and every table's amounts must be in the
    unit the table schemas declare (万元): amounts in another unit would be published mislabelled.
    """
    actual = parsed["document"]["sha256"]
    if actual != record.sha256:
        raise DisclosureError(
            source,
            None,
            f"the file's sha256 {actual} differs from {record.sha256} in {meta_path(source).name}",
            "if the file was replaced on purpose, update its provenance record",
        )
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
