"""Findings: what the audit reports about one disclosure, as data.

A finding states a fact beside the published figures (a total that does not add up, a table
that is missing, a code named two ways); it never changes them. ``difference`` is always
``actual - expected``: the printed figure minus what the identity says it should be.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one place of one disclosure."""

    disclosure_id: str
    check_id: str
    severity: Severity
    tables: tuple[str, ...]
    rows: tuple[int, ...]
    field: str | None
    expected: Decimal | None
    actual: Decimal | None
    difference: Decimal | None
    message_zh: str
    message_en: str

    def to_row(self) -> dict[str, Any]:
        """JSON-ready: decimals as strings, tuples as lists."""
        return {
            "disclosure_id": self.disclosure_id,
            "check_id": self.check_id,
            "severity": self.severity,
            "tables": list(self.tables),
            "rows": list(self.rows),
            "field": self.field,
            "expected": _text(self.expected),
            "actual": _text(self.actual),
            "difference": _text(self.difference),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
