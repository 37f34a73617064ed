"""The data behind the data-quality page: each check's result on each disclosure, and scores.

The quality page (``builder.pages.quality``) shows a summary whose size does not grow with
the findings; the whole of it is published as a small data package, ``downloads/quality/``
(declared in ``builder/declarations/quality_*.schema.yaml``), with the portal downloads (on a
data host when ``DATA_URL`` is set, ``builder.pages.hosting``):

- ``quality_checks.csv``: one row per disclosure and check (the check × disclosure matrix in
  long form): passed, failed, info, not_applicable or not_audited, and the findings by severity;
- ``quality_scores.csv``: one row per disclosure: completeness, consistency, coverage;
- ``datapackage.json``: their Table Schemas.

Every finding itself, with its disclosure, tables, lines, pages and severity, is in the portal
package's ``findings.csv`` (``builder.publish.portal``); each disclosure's page lists its own.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import identities
from builder.pages.catalog import CheckInfo, DisclosureEntry, Download, Portal
from builder.pages.hosting import Hosting
from builder.publish.files import CSV_ENCODING, csv_header, csv_lines
from builder.publish.schemas import public_schema, resource_declaration

FOLDER = f"{identities.DOWNLOADS_FOLDER}/quality"
CHECKS = "quality_checks"
SCORES = "quality_scores"
SERIOUS = ("error", "warning")
# The results, as in the data, and their Chinese labels.
PASSED, FAILED, INFO, NOT_APPLICABLE, NOT_AUDITED = (
    "passed",
    "failed",
    "info",
    "not_applicable",
    "not_audited",
)
RESULT_ZH = {
    PASSED: "通过",
    FAILED: "未通过",
    INFO: "仅有提示",
    NOT_APPLICABLE: "不适用",
    NOT_AUDITED: "未核查",
}


class _Seen:
    """A check known only from a finding (no declaration was passed in)."""

    def __init__(self, check_id: str) -> None:
        self._id = check_id

    @property
    def id(self) -> str:
        return self._id

    @property
    def title_zh(self) -> str:
        return ""

    @property
    def explanation_zh(self) -> str:
        return ""

    @property
    def applies_to(self) -> tuple[str, ...]:
        return ()


def family(check: CheckInfo) -> str:
    return str(getattr(check, "family", "") or "")


def checks_of(portal: Portal) -> list[CheckInfo]:
    """The declared checks, then any check known only from a finding."""
    checks: list[CheckInfo] = list(portal.checks)
    known = {check.id for check in checks}
    for entry in portal.disclosures:
        for finding in entry.findings or []:
            check_id = str(finding.get("check_id") or "")
            if check_id and check_id not in known:
                known.add(check_id)
                checks.append(_Seen(check_id))
    return checks


def applicable(check: CheckInfo, entry: DisclosureEntry) -> bool:
    """Whether a check reads anything of this disclosure: a text check reads documents of
    its kinds; a table check the tables it applies to (a check known only from a finding
    applies wherever it was found)."""
    documents = tuple(getattr(check, "documents", ()) or ())
    if documents:
        return entry.kind in documents
    return not check.applies_to or bool(entry.table_kinds & set(check.applies_to))


class Applicable:
    """The ids of the checks that apply to a disclosure (:func:`applicable`), in the checks'
    order, worked out once for each kind of document and set of table kinds: most
    disclosures share one of a few, and asking every check of every disclosure again was
    most of the quality data's time (1,000 disclosures: 100,000 questions, each building
    the disclosure's set of table kinds)."""

    def __init__(self, checks: list[CheckInfo]) -> None:
        self.checks = checks
        self.known: dict[tuple[str, frozenset[str]], tuple[str, ...]] = {}

    def __call__(self, entry: DisclosureEntry) -> tuple[str, ...]:
        key = (entry.kind, frozenset(entry.table_kinds))
        ids = self.known.get(key)
        if ids is None:
            ids = self.known[key] = tuple(c.id for c in self.checks if applicable(c, entry))
        return ids


@dataclass(frozen=True)
class Result:
    """One check on one disclosure."""

    result: str
    severities: Counter[str]


def results(
    checks: list[CheckInfo], entry: DisclosureEntry, applying: Applicable | None = None
) -> dict[str, Result]:
    """Each check's result on the disclosure, by check id (``applying``: which checks apply
    to a disclosure, shared between calls)."""
    if entry.findings is None:
        return {check.id: Result(NOT_AUDITED, Counter()) for check in checks}
    found: dict[str, Counter[str]] = {}
    for finding in entry.findings:
        counter = found.setdefault(str(finding.get("check_id")), Counter())
        counter[str(finding.get("severity"))] += 1
    applies = set((applying or Applicable(checks))(entry))
    out = {}
    for check in checks:
        severities = found.get(check.id, Counter())
        if not severities:  # most checks on most disclosures: no finding
            result = PASSED if check.id in applies else NOT_APPLICABLE
        elif any(severities[s] for s in SERIOUS):
            result = FAILED
        else:
            result = INFO
        out[check.id] = Result(result, severities)
    return out


def check_rows(
    checks: list[CheckInfo],
    disclosures: list[DisclosureEntry],
    of: Mapping[str, dict[str, Result]] | None = None,
) -> list[dict[str, Any]]:
    """One row per disclosure and check (``of``: the results, if already known)."""
    families = {check.id: family(check) or None for check in checks}
    rows = []
    for entry in disclosures:
        audited = entry.findings is not None
        known = of[entry.disclosure_id] if of is not None else results(checks, entry)
        for check_id, result in known.items():
            counts = result.severities
            rows.append(
                {
                    "disclosure_id": entry.disclosure_id,
                    "check_id": check_id,
                    "family": families[check_id],
                    "result": result.result,
                    "errors": counts["error"] if audited else None,
                    "warnings": counts["warning"] if audited else None,
                    "infos": counts["info"] if audited else None,
                }
            )
    return rows


@dataclass(frozen=True)
class Score:
    """A disclosure's completeness and consistency (``applicable`` 0 when not audited)."""

    tables: int
    present: int  # printed, with data or marked 本表无数据
    applicable: int
    passed: int


def score(
    checks: list[CheckInfo],
    entry: DisclosureEntry,
    known: dict[str, Result] | None = None,
    applying: Applicable | None = None,
) -> Score:
    """The disclosure's score (``known``: its results, if already known; ``applying``: as
    for :func:`results`)."""
    tables = entry.parsed["tables"]
    present = sum(1 for t in tables if t["status"] in ("parsed", "empty"))
    if entry.findings is None:
        return Score(len(tables), present, 0, 0)
    applying = applying or Applicable(checks)
    of = known if known is not None else results(checks, entry, applying)
    applicable_ids = applying(entry)
    passed = sum(1 for c in applicable_ids if of[c].result != FAILED)
    return Score(len(tables), present, len(applicable_ids), passed)


def score_rows(
    checks: list[CheckInfo],
    disclosures: list[DisclosureEntry],
    scores: Mapping[str, Score] | None = None,
) -> list[dict[str, Any]]:
    """One row per disclosure (``scores``: the scores, if already known)."""
    rows = []
    for entry in disclosures:
        statuses = Counter(str(t["status"]) for t in entry.parsed["tables"])
        missing = [
            str(t["number"])
            for t in entry.parsed["tables"]
            if t["status"] in ("missing", "unreadable")
        ]
        of = scores[entry.disclosure_id] if scores is not None else score(checks, entry)
        audited = entry.findings is not None
        severities = Counter(str(f.get("severity")) for f in entry.findings or [])
        coverage = entry.parsed["report"]["coverage"]
        rows.append(
            {
                "disclosure_id": entry.disclosure_id,
                "publisher_name": entry.unit_name,
                "fiscal_year": entry.year,
                "disclosure_kind": entry.kind,
                "tables_expected": of.tables,
                "tables_parsed": statuses.get("parsed", 0),
                "tables_empty": statuses.get("empty", 0),
                "tables_missing": ",".join(missing) or None,
                "audited": audited,
                "checks_applicable": of.applicable if audited else None,
                "checks_passed": of.passed if audited else None,
                "errors": severities["error"] if audited else None,
                "warnings": severities["warning"] if audited else None,
                "infos": severities["info"] if audited else None,
                "numbers": coverage.get("tokens"),
                "numbers_unparsed": coverage.get("unparsed"),
                "accounted_percent": coverage.get("accounted_percent"),
            }
        )
    return rows


def _csv(name: str, rows: list[dict[str, Any]]) -> bytes:
    names = [f["name"] for f in resource_declaration(name)["fields"]]
    return (csv_header(names) + csv_lines(names, rows)).encode(CSV_ENCODING)


@dataclass(frozen=True)
class Assessment:
    """Every check's result on every disclosure, and each disclosure's score, by disclosure
    id: worked out once for the quality page and its data."""

    checks: list[CheckInfo]
    results: dict[str, dict[str, Result]]
    scores: dict[str, Score]


def assess(portal: Portal) -> Assessment:
    checks = checks_of(portal)
    applying = Applicable(checks)
    of = {e.disclosure_id: results(checks, e, applying) for e in portal.disclosures}
    scores = {
        e.disclosure_id: score(checks, e, of[e.disclosure_id], applying) for e in portal.disclosures
    }
    return Assessment(checks, of, scores)


def quality_files(portal: Portal, assessed: Assessment | None = None) -> dict[str, bytes]:
    """The files of the quality package, by name: the two CSVs and their descriptor."""
    done = assessed or assess(portal)
    disclosures = sorted(portal.disclosures, key=lambda e: e.disclosure_id)
    files = {
        f"{CHECKS}.csv": _csv(CHECKS, check_rows(done.checks, disclosures, done.results)),
        f"{SCORES}.csv": _csv(SCORES, score_rows(done.checks, disclosures, done.scores)),
    }
    resources = []
    for name in (CHECKS, SCORES):
        declared = resource_declaration(name)
        data = files[f"{name}.csv"]
        resources.append(
            {
                "name": name,
                "title": declared["title"],
                "description": declared["description"],
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": CSV_ENCODING,
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "schema": public_schema(declared),
            }
        )
    descriptor = {
        "name": "open-budget-portal-quality",
        "title": "开放预算门户：数据质量（核查结果与评分）",
        "resources": resources,
    }
    text = json.dumps(descriptor, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    files["datapackage.json"] = text.encode("utf-8")
    return files


TITLES = {
    f"{CHECKS}.csv": "各核查规则在各公开文件中的结果（CSV）",
    f"{SCORES}.csv": "各公开文件的完整性、一致性和解读覆盖率（CSV）",
    "datapackage.json": "数据包描述",
}


def write_quality_data(
    portal: Portal, docs: Path, hosting: Hosting, assessed: Assessment | None = None
) -> list[Download]:
    """Write the quality package into ``docs`` (``downloads/quality/``, or the data host's
    folder) and describe its files."""
    out = []
    for name, data in quality_files(portal, assessed).items():
        target = f"{FOLDER}/{name}"
        path = docs / hosting.written(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        out.append(Download(target, name, len(data), digest, TITLES[name], hosting.address(target)))
    return out
