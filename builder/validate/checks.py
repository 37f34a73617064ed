"""The catalogue of audit checks, loaded from data.

Each check is declared once in ``builder/validate/checks.yaml`` (id, rule, family, severity,
tolerance, titles and explanations in Chinese and English, the rule's parameters). The table
kinds a check applies to come from the ``x-checks`` list of each kind's schema
(``builder/declarations/<kind>.schema.yaml``), so one kind's declaration names every identity
its figures take part in. A check of the text (the narrative, the form, years and names)
reads no one table: it declares the ``documents`` (final, budget) it applies to instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, cast

from builder import declarations
from builder.validate.findings import FAMILIES, SEVERITIES, Severity

CHECKS_PACKAGE = "builder.validate"
CHECKS_FILE = "checks.yaml"
RULE_NAMES = frozenset(
    {
        "missing_tables",
        "empty_tables",
        "empty_note_with_amounts",
        "hierarchy",
        "orphans",
        "row_sum",
        "equation",
        "by_code",
        "code_names",
        # the narrative against the tables
        "narrative_claims",
        "unchecked_numbers",
        # placeholders and form
        "text_pattern",
        "section_numbering",
        # structure and consistency
        "table_years",
        "text_years",
        "unit_names",
        "whole_counts",
        "negative_amounts",
        "empty_statement",
        "empty_without_note",
        "empty_note_copied",
        # budget against final accounts
        "three_public_execution",
    }
)
METADATA_KEYS = frozenset(
    {
        "id",
        "rule",
        "family",
        "documents",
        "severity",
        "tolerance",
        "title_zh",
        "title_en",
        "explanation_zh",
        "explanation_en",
    }
)


class CheckDeclarationError(ValueError):
    """checks.yaml or an ``x-checks`` list is inconsistent."""


@dataclass(frozen=True)
class Check:
    """One named check: its metadata and the parameters of its rule."""

    id: str
    rule: str
    family: str
    documents: tuple[str, ...]
    severity: Severity
    tolerance: Decimal | None
    title_zh: str
    title_en: str
    explanation_zh: str
    explanation_en: str
    applies_to: tuple[str, ...]
    params: Mapping[str, Any]

    def allowed(self, terms: int) -> Decimal:
        """The largest difference that is rounding: tolerance per printed amount summed."""
        per_term = self.tolerance if self.tolerance is not None else Decimal(0)
        return per_term * max(1, terms)

    def metadata(self) -> dict[str, Any]:
        """JSON-ready description (for ``--list-checks`` and the data dictionary)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "family": self.family,
            "documents": list(self.documents),
            "severity": self.severity,
            "tolerance": None if self.tolerance is None else str(self.tolerance),
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "applies_to": list(self.applies_to),
        }


def schema_checks() -> dict[str, list[str]]:
    """The ``x-checks`` list of every table kind, by kind (schema ``name``)."""
    return {
        kind: [str(check) for check in declarations.declared(kind).get("x-checks", [])]
        for kind in declarations.table_kinds()
    }


@cache
def checks_file() -> dict[str, Any]:
    """``checks.yaml``, read once: its checks, and the narrative's vocabulary
    (:func:`builder.validate.text.vocabulary`). Not to be changed by its readers."""
    text = resources.files(CHECKS_PACKAGE).joinpath(CHECKS_FILE).read_text(encoding="utf-8")
    return cast("dict[str, Any]", declarations.load_yaml(text))


@cache
def load_checks() -> tuple[Check, ...]:
    """All checks in declaration order, with the kinds each applies to (cached)."""
    entries = cast("list[dict[str, Any]]", checks_file()["checks"])
    by_kind = schema_checks()
    ids = [str(entry["id"]) for entry in entries]
    duplicates = sorted({check_id for check_id in ids if ids.count(check_id) > 1})
    if duplicates:
        raise CheckDeclarationError(f"checks declared twice: {duplicates}")
    unknown = sorted({c for checks in by_kind.values() for c in checks} - set(ids))
    if unknown:
        raise CheckDeclarationError(f"x-checks name undeclared checks: {unknown}")
    return tuple(build_check(entry, by_kind) for entry in entries)


def build_check(entry: dict[str, Any], by_kind: dict[str, list[str]]) -> Check:
    check_id = str(entry["id"])
    rule, severity = str(entry["rule"]), str(entry["severity"])
    if rule not in RULE_NAMES:
        raise CheckDeclarationError(f"{check_id}: unknown rule {rule!r}")
    if severity not in SEVERITIES:
        raise CheckDeclarationError(f"{check_id}: unknown severity {severity!r}")
    tolerance = entry.get("tolerance")
    if isinstance(tolerance, float):
        raise CheckDeclarationError(f"{check_id}: quote the tolerance ('{tolerance}'), no floats")
    family = str(entry.get("family", ""))
    if family not in FAMILIES:
        raise CheckDeclarationError(f"{check_id}: unknown family {family!r}")
    documents = tuple(str(kind) for kind in entry.get("documents", []))
    applies_to = tuple(kind for kind, checks in by_kind.items() if check_id in checks)
    if not applies_to and not documents:
        raise CheckDeclarationError(
            f"{check_id}: no schema names it in x-checks and it declares no documents"
        )
    return Check(
        id=check_id,
        rule=rule,
        family=family,
        documents=documents,
        severity=severity,
        tolerance=None if tolerance is None else Decimal(str(tolerance)),
        title_zh=str(entry["title_zh"]),
        title_en=str(entry["title_en"]),
        explanation_zh=str(entry["explanation_zh"]),
        explanation_en=str(entry["explanation_en"]),
        applies_to=applies_to,
        params={key: value for key, value in entry.items() if key not in METADATA_KEYS},
    )
