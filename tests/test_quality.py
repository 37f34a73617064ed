"""The data-quality page and its data, on the seven bundled disclosures (a build without
MkDocs), and its size on synthetic portals of 50 and 200 disclosures.

The expected counts are written out by hand from the audit of the bundled texts (``python -m
builder audit FILE`` on each; the build's summary: 9 errors, 5 warnings, 22 info), not
computed by the page's code.
"""

from __future__ import annotations

import copy
import csv
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from frictionless import validate

from builder.pages import portal_findings
from builder.pages.catalog import DisclosureEntry, Portal
from builder.pages.hosting import BESIDE_SITE
from builder.pages.quality import quality_page
from builder.pages.quality_data import Applicable, applicable, write_quality_data
from builder.parse import parse_file
from builder.pipeline import build, docs_dir_for
from builder.validate import audit
from builder.validate.checks import load_checks
from tests.conftest import BUNDLED, SEEDS, copy_seeds

SITE_URL = "http://127.0.0.1:8765/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("quality")
    previous = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = SITE_URL
    try:
        sources = copy_seeds(base / "sources", BUNDLED)
        build(sources, base / "packages", base / "site", mkdocs=False)
    finally:
        if previous is None:
            os.environ.pop("SITE_URL")
        else:
            os.environ["SITE_URL"] = previous
    return base


def _docs(built: Path) -> Path:
    return docs_dir_for(built / "site")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_page_counts_disclosures_per_year_and_check(built: Path) -> None:
    page = (_docs(built) / "quality.md").read_text(encoding="utf-8")
    # year | disclosures | audited | passed all | with errors or warnings | errors | warnings
    assert "| 2024年度决算 | 4 | 4 | 0 | 4 | 8 | 2 |" in page
    assert "| 2024年度预算 | 1 | 1 | 0 | 1 | 0 | 1 |" in page
    assert "| 2023年度决算 | 1 | 1 | 0 | 1 | 1 | 1 |" in page
    assert "| **合计** | **7** | **7** | **0** | **7** | **9** | **5** |" in page
    # check | passed | failed | errors | warnings | info only | not applicable | not audited
    assert "| 缺少必备表格 | 5 | 2 | 3 | 0 | 0 | 0 | 0 |" in page  # 003: 1, 004: 2 tables
    assert "| 文字说明的占比算错 | 5 | 2 | 4 | 0 | 0 | 0 | 0 |" in page  # 000: 3, czj: 1
    assert "| 预算为零却写明完成率 | 4 | 1 | 0 | 2 | 0 | 2 | 0 |" in page  # 2 budgets n/a
    assert "| 空表 | 0 | 0 | 0 | 0 | 7 | 0 | 0 |" in page  # every one has an empty table
    assert (
        "- **文字说明的占比算错**（2 份）：[山西省投资促进局 2024年度单位决算]"
        "(disclosures/000_127416229ccdc025.md)、[上海市普陀区财政局 2024年度部门决算]"
        "(disclosures/sh-putuo-czj-2024-final.md)\n"
    ) in page
    assert "共 6 个单位：全部公开文件均已核查并通过的 0 个，有错误或警告的 6 个" in page
    # completeness: all but 003 and 004 (which lack tables) print every table; no one passes all
    assert "| 100% | 5 | 0 |" in page
    # the page links the data behind it, and the finding rules' ids stay in the data
    for target in (
        "downloads/quality/quality_checks.csv",
        "downloads/quality/quality_scores.csv",
        "downloads/quality/datapackage.json",
        "downloads/portal/csv/findings.csv",
    ):
        assert f"]({target})" in page
    assert "narrative/share" not in page


def test_findings_csv_holds_exactly_every_finding(built: Path) -> None:
    audited = {path.stem: audit(parse_file(path), path.stem) for path in BUNDLED}
    rows = _rows(_docs(built) / "downloads" / "portal" / "csv" / "findings.csv")
    assert len(rows) == sum(len(found) for found in audited.values()) == 9 + 5 + 22
    assert Counter(r["disclosure_id"] for r in rows) == Counter(
        {key: len(found) for key, found in audited.items()}
    )
    assert Counter(r["severity"] for r in rows) == {"error": 9, "warning": 5, "info": 22}
    for row in rows:  # with its table, lines and severity
        assert row["check_id"]
        assert row["severity"]
    share = [r for r in rows if r["check_id"] == "narrative/share"]
    assert {r["disclosure_id"] for r in share} == {
        "000_127416229ccdc025",
        "sh-putuo-czj-2024-final",
    }
    assert all(r["rows"] for r in share)


def test_the_matrix_is_every_check_on_every_disclosure(built: Path) -> None:
    folder = _docs(built) / "downloads" / "quality"
    rows = _rows(folder / "quality_checks.csv")
    checks = load_checks()
    assert len(rows) == len(BUNDLED) * len(checks)
    assert {(r["disclosure_id"], r["check_id"]) for r in rows} == {
        (path.stem, check.id) for path in BUNDLED for check in checks
    }
    totals = {name: sum(int(r[name]) for r in rows) for name in ("errors", "warnings", "infos")}
    assert totals == {"errors": 9, "warnings": 5, "infos": 22}
    cell = {(r["disclosure_id"], r["check_id"]): r for r in rows}
    rate = "execution/rate-without-budget"
    assert cell[("004_c9b7d00ba9827a50", rate)]["result"] == "failed"
    assert cell[("004_c9b7d00ba9827a50", rate)]["warnings"] == "2"
    assert cell[("002_6a7fbe393d7e6d53", rate)]["result"] == "not_applicable"
    assert cell[("000_127416229ccdc025", rate)]["result"] == "passed"
    assert cell[("000_127416229ccdc025", "completeness/empty-table")]["result"] == "info"
    scores = {r["disclosure_id"]: r for r in _rows(folder / "quality_scores.csv")}
    assert len(scores) == len(BUNDLED)
    assert scores["004_c9b7d00ba9827a50"]["tables_missing"]  # two tables it lacks
    assert scores["000_127416229ccdc025"]["tables_missing"] == ""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in descriptor["resources"]] == [
        "quality_checks.csv",
        "quality_scores.csv",
    ]
    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def _portal(count: int, findings_each: int) -> Portal:
    """``count`` copies of seed 000 under other unit names, each with ``findings_each``
    errors of one check."""
    parsed = parse_file(SEEDS[0])
    finding = {"check_id": "narrative/share", "severity": "error", "message_zh": "占比算错"}
    entries = []
    for n in range(count):
        copied: dict[str, Any] = {**parsed, "document": copy.deepcopy(parsed["document"])}
        copied["document"]["unit_name"] = f"第{n:04d}单位"
        entries.append(DisclosureEntry(f"d{n:04d}", copied, [dict(finding)] * findings_each))
    return Portal(disclosures=entries, site_url=SITE_URL, checks=list(load_checks()))


def test_the_page_does_not_grow_with_the_disclosures_or_their_findings() -> None:
    small, large = (len(quality_page(_portal(n, 3)).encode()) for n in (50, 200))
    assert (large - small) / 150 < 2  # bytes per disclosure: the counts' digits only
    many = len(quality_page(_portal(50, 40)).encode())
    assert many - small < 40  # 37 more findings each: only the counts change


def test_the_portal_pages_read_only_each_findings_check_and_severity(tmp_path: Path) -> None:
    """The build keeps of each disclosure's findings only what the portal pages read
    (``portal_findings``, to hold less of 10,000 disclosures); the quality page, its data and
    the audit summaries are the same as from the whole audit rows of the bundled texts."""
    parsed = {path.stem: parse_file(path) for path in BUNDLED}
    found = {key: [f.to_row() for f in audit(p, key)] for key, p in parsed.items()}
    kept = {key: portal_findings(rows) for key, rows in found.items()}
    assert sum(len(rows) for rows in kept.values()) == 9 + 5 + 22
    assert {tuple(sorted(f)) for rows in kept.values() for f in rows or []} == {
        ("check_id", "severity")
    }
    assert portal_findings(None) is None  # not audited stays not audited

    def portal(findings: dict[str, Any]) -> Portal:
        entries = [DisclosureEntry(k, p, findings[k]) for k, p in parsed.items()]
        return Portal(disclosures=entries, site_url=SITE_URL, checks=list(load_checks()))

    whole, slim = portal(found), portal(kept)
    assert quality_page(slim) == quality_page(whole)
    assert [e.audit_summary for e in slim.disclosures] == [
        e.audit_summary for e in whole.disclosures
    ]
    for name, data in (("whole", whole), ("slim", slim)):
        write_quality_data(data, tmp_path / name, BESIDE_SITE)
    written = sorted(p.relative_to(tmp_path / "whole") for p in (tmp_path / "whole").rglob("*"))
    assert written
    for path in written:
        if (tmp_path / "whole" / path).is_file():
            assert (tmp_path / "slim" / path).read_bytes() == (
                tmp_path / "whole" / path
            ).read_bytes()


def test_the_checks_that_apply_are_asked_once_per_kind_and_tables() -> None:
    """``Applicable`` answers for every seed as each check's ``applicable`` does, in the
    checks' order, and asks the checks once per kind of document and set of table kinds."""
    checks = list(load_checks())
    entries = [DisclosureEntry(path.stem, parse_file(path), []) for path in SEEDS]
    shared = Applicable(checks)
    for entry in entries:
        expected = tuple(c.id for c in checks if applicable(c, entry))
        assert shared(entry) == expected
        assert 0 < len(expected) < len(checks)  # some apply, some do not
    shapes = {(e.kind, frozenset(e.table_kinds)) for e in entries}
    assert len(shapes) > 1
    assert set(shared.known) == shapes
