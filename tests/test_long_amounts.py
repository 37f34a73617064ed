"""A number longer than any amount (40 digits, 31 decimals) is an unparsed cell, not a crash.

Exact sums of such numbers overran the 28-digit decimal context: ``audit`` and ``build``
exited 4 (internal error) and the build stopped for every disclosure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.parse import parse_file
from builder.parse.amounts import AmountError, parse_amount
from tests.conftest import SOURCES, run_builder

FORTY_DIGITS = "1234567890" * 4
THIRTY_ONE_DECIMALS = "16." + "0123456789" * 3 + "1"
SEED_000 = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
SEED_002 = (SOURCES / "002_6a7fbe393d7e6d53.txt").read_text(encoding="utf-8")
ROW_000 = "2011307\t国内贸易管理\t16.06\t16.06\t"  # table 02, line 141
ROW_002 = "2011308\t招商引资\t5,079.87\t\t5,079.87"  # budget table 03, line 167


def write(path: Path, text: str, old: str, new: str) -> Path:
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def with_forty_digits(folder: Path) -> Path:
    new = f"2011307\t国内贸易管理\t16.06\t{FORTY_DIGITS}\t"
    return write(folder / "forty-digits.txt", SEED_000, ROW_000, new)


def with_long_decimals(folder: Path) -> Path:
    new = f"2011308\t招商引资\t5,079.87\t\t{THIRTY_ONE_DECIMALS}"
    return write(folder / "long-decimals.txt", SEED_002, ROW_002, new)


def row(parsed: dict[str, Any], kind: str, line: int) -> dict[str, Any]:
    table = next(t for t in parsed["tables"] if t["kind"] == kind)
    return next(r for r in table["rows"] if r["source_line"] == line)


@pytest.mark.parametrize(
    ("printed", "reason"),
    [
        ("12345678901234567", "more than 16 digits before the point"),
        ("-12,345,678,901,234,567.00", "more than 16 digits before the point"),
        ("1.0000001", "more than 6 decimals"),
    ],
)
def test_a_number_longer_than_any_amount_is_not_an_amount(printed: str, reason: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(printed)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "printed", ["1234567890123456", "0001234567890123456", "9,999,999,999,999,999.999999"]
)
def test_the_longest_amounts_are_taken(printed: str) -> None:
    assert parse_amount(printed).kind == "number"


CASES = [
    (
        with_forty_digits,
        ("income_by_function", 141, "fiscal_appropriation_income_10k_yuan", FORTY_DIGITS),
        "more than 16 digits before the point",
    ),
    (
        with_long_decimals,
        (
            "budget_expenditure_by_function",
            167,
            "project_expenditure_10k_yuan",
            THIRTY_ONE_DECIMALS,
        ),
        "more than 6 decimals",
    ),
]


@pytest.mark.parametrize(("make", "cell", "reason"), CASES)
def test_parse_reports_the_cell_with_its_line(
    tmp_path: Path, make: Any, cell: tuple[str, int, str, str], reason: str
) -> None:
    kind, line, field, token = cell
    parsed = parse_file(make(tmp_path))
    assert row(parsed, kind, line)[field] is None
    issues = [i for i in parsed["report"]["issues"] if i["code"] == "unparsed-amount"]
    assert [(i["line"], i["message"]) for i in issues] == [
        (line, f"{field}: not an amount: {token!r} ({reason})")
    ]
    unparsed = [t for r in parsed["report"]["coverage"]["regions"] for t in r["unparsed"]]
    assert [(t["line"], t["token"]) for t in unparsed] == [(line, token)]


@pytest.mark.parametrize(
    ("make", "finding"),
    [
        (with_forty_digits, "row-sum/02-total  tables income_by_function  line(s) 141"),
        (
            with_long_decimals,
            "row-sum/budget-3-total  tables budget_expenditure_by_function  line(s) 167",
        ),
    ],
)
def test_audit_reports_findings_not_an_internal_error(
    tmp_path: Path, make: Any, finding: str
) -> None:
    done = run_builder("audit", make(tmp_path))
    assert done.returncode == 0, done.stderr
    assert finding in done.stdout


def test_the_build_finishes_for_every_disclosure(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    with_forty_digits(sources)
    with_long_decimals(sources)
    output = tmp_path / "out"
    done = run_builder("build", "--no-site", "--sources", sources, "--output", output)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (output / "packages").iterdir()) == [
        "forty-digits",
        "long-decimals",
        "portal",
    ]
    summary = done.stdout.split("\n")
    # 4 errors for the unread cells, and the seeds' own findings of their narrative (seed
    # 000: three shares "占比0%"; seed 002: a change without its reason)
    assert summary[2].startswith("audit findings: 7 error, 1 warning,")
    assert summary[3].startswith("parse warnings: 2 (forty-digits: 1; long-decimals: 1;")
