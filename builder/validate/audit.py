"""The accounting audit of one disclosure: run every declared check, report findings as data.

``audit(parsed, disclosure_id)`` takes the canonical parse (``builder.parse.parse_file``) and
returns the findings in a stable order (check id, tables, source lines, field).
``audit_report`` wraps them with what was checked, for ``python -m builder audit --json`` and
the golden files; ``format_report`` and ``format_checks`` are the readable forms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from builder.validate.checks import Check, load_checks
from builder.validate.findings import FAMILIES, SEVERITIES, Finding
from builder.validate.rules import RULES, Disclosure, Run, table_order

FORMAT = "open-budget-portal/audit"
FORMAT_VERSION = 2  # 2: findings carry their check's family and a quote


@dataclass(frozen=True)
class CheckResult:
    """One check on one disclosure: how many comparisons it made, and its findings."""

    check: Check
    evaluated: int
    findings: tuple[Finding, ...]


def run_checks(
    parsed: Mapping[str, Any], disclosure_id: str, checks: Iterable[Check] | None = None
) -> list[CheckResult]:
    """Run the checks (all declared ones by default) on one parsed disclosure."""
    doc = Disclosure.from_parse(parsed, disclosure_id)
    results = []
    for check in load_checks() if checks is None else checks:
        run = Run(check, doc)
        RULES[check.rule](run)
        findings = tuple(sorted(run.findings, key=lambda f: finding_order(doc, f)))
        results.append(CheckResult(check, run.evaluated, findings))
    return results


def finding_order(doc: Disclosure, finding: Finding) -> tuple[Any, ...]:
    """Stable order: check id, then tables (in printed order), then source lines, then field."""
    tables = tuple(table_order(doc, stem) for stem in finding.tables)
    return (finding.check_id, tables, finding.rows, finding.field or "")


def audit(
    parsed: Mapping[str, Any], disclosure_id: str, checks: Iterable[Check] | None = None
) -> list[Finding]:
    """Every finding on one parsed disclosure, in a stable order."""
    results = run_checks(parsed, disclosure_id, checks)
    return collect(results)


def collect(results: Iterable[CheckResult]) -> list[Finding]:
    """The findings of all results; each result's findings are already in order."""
    ordered = sorted(results, key=lambda result: result.check.id)
    return [finding for result in ordered for finding in result.findings]


def audit_report(parsed: Mapping[str, Any], disclosure_id: str) -> dict[str, Any]:
    """The audit as one JSON-ready document: the disclosure, what was checked, the findings."""
    results = run_checks(parsed, disclosure_id)
    findings = collect(results)
    counts = Counter(finding.severity for finding in findings)
    document = parsed.get("document", {})
    family = document.get("kind")
    catalogue = Disclosure.from_parse(parsed, disclosure_id).catalogue
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "disclosure_id": disclosure_id,
        "unit_name": document.get("unit_name"),
        "year": document.get("year"),
        "kind": family,
        "summary": {severity: counts.get(severity, 0) for severity in SEVERITIES},
        "checks": [
            {
                "id": result.check.id,
                "family": result.check.family,
                "evaluated": result.evaluated,
                "findings": len(result.findings),
            }
            for result in results
            if family in result.check.documents
            or any(catalogue.kinds[stem].family == family for stem in result.check.applies_to)
        ],
        "findings": [finding.to_row() for finding in findings],
    }


def format_report(report: Mapping[str, Any]) -> str:
    """The audit report as readable text: the findings grouped by family, one block each."""
    summary = report["summary"]
    counts = ", ".join(f"{summary[severity]} {severity}" for severity in SEVERITIES)
    header = (
        f"{report['disclosure_id']}  {report['unit_name']}  {report['year']}  {report['kind']}\n"
        f"  {len(report['findings'])} findings ({counts});"
        f" {sum(1 for c in report['checks'] if c['evaluated'])} of"
        f" {len(report['checks'])} checks could be evaluated\n"
    )
    blocks = [header]
    for family, (title_zh, title_en) in FAMILIES.items():
        found = [f for f in report["findings"] if f.get("family") == family]
        if found:
            blocks.append(f"== {title_zh} / {title_en} ({len(found)})\n")
            blocks.extend(format_finding(finding) for finding in found)
    return "\n".join(blocks)


def format_finding(finding: Mapping[str, Any]) -> str:
    """One finding as a block of text."""
    lines = ", ".join(str(line) for line in finding["rows"]) or "-"
    tables = " ".join(finding["tables"]) or "-"
    pages = ", ".join(str(page) for page in finding.get("pages") or [])
    where = f"  line(s) {lines}" + (f"  page(s) {pages}" if pages else "")
    block = [f"{finding['severity']:<7} {finding['check_id']}  tables {tables}{where}"]
    if finding["difference"] is not None:
        block.append(
            f"        expected {finding['expected']}  actual {finding['actual']}"
            f"  difference {finding['difference']}"
        )
    block.append(f"        {finding['message_zh']}")
    block.append(f"        {finding['message_en']}")
    return "\n".join(block) + "\n"


def format_checks(checks: Sequence[Check]) -> str:
    """The catalogue of checks as readable text."""
    blocks = []
    for check in checks:
        tolerance = "-" if check.tolerance is None else f"{check.tolerance} per amount"
        applies = ", ".join(check.applies_to) or "the text of " + " and ".join(check.documents)
        blocks.append(
            f"{check.id}  [{check.family}; {check.severity}; tolerance {tolerance}]\n"
            f"    {check.title_zh} / {check.title_en}\n"
            f"    {check.explanation_zh}\n"
            f"    {check.explanation_en}\n"
            f"    applies to: {applies}\n"
        )
    return "\n".join(blocks)
