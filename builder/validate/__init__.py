"""Validate: the accounting audit of parsed disclosures.

Checks are declared as data (``checks.yaml``; the table kinds each applies to in the schemas'
``x-checks``), evaluated by the rules in ``rules.py``, and reported as findings
(``findings.py``) by ``audit.py``. Published figures are never changed: a finding stands
beside them.
"""

from __future__ import annotations

from builder.validate.audit import audit, audit_report, format_checks, format_report, run_checks
from builder.validate.checks import Check, load_checks
from builder.validate.findings import Finding

__all__ = [
    "Check",
    "Finding",
    "audit",
    "audit_report",
    "format_checks",
    "format_report",
    "load_checks",
    "run_checks",
]
