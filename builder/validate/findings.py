"""Findings: what the audit reports about one disclosure, as data.

A finding states a fact beside the published figures (a total that does not add up, a table
that is missing, a code named two ways); it never changes them. ``difference`` is always
``actual - expected``: the printed figure minus what the identity says it should be.

Severities are calibrated: ``error`` is a figure or statement that cannot be right (an
identity that does not hold, a sentence that contradicts its table, a placeholder left in);
``warning`` a likely mistake (a missing reason, a doubled word); ``info`` context (an empty
table, a sentence whose number no table can confirm). Each check belongs to one family
(``FAMILIES``), the way the audit groups its findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
FAMILIES: dict[str, tuple[str, str]] = {
    "tables": ("表格完整性与算术", "table completeness and arithmetic"),
    "narrative": ("文字说明与表格", "the narrative against the tables"),
    "form": ("占位符与文字规范", "placeholders and form"),
    "structure": ("结构与一致性", "structure and consistency"),
    "execution": ("预算与决算", "budget against final accounts"),
}


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
    family: str = "tables"
    quote: str | None = None
    pages: tuple[int, ...] = ()  # the PDF pages of ``rows`` (a text extracted from a PDF)

    def to_row(self) -> dict[str, Any]:
        """JSON-ready: decimals as strings, tuples as lists."""
        return {
            "disclosure_id": self.disclosure_id,
            "check_id": self.check_id,
            "family": self.family,
            "severity": self.severity,
            "tables": list(self.tables),
            "rows": list(self.rows),
            "pages": list(self.pages),
            "field": self.field,
            "expected": _text(self.expected),
            "actual": _text(self.actual),
            "difference": _text(self.difference),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "quote": self.quote,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
