"""The audit on the five seed disclosures: golden reports, the real findings, mutations, CLI.

The golden file of each seed is ``tests/cases/<seed id>/expected/audit.json`` (the output of
``python -m builder audit FILE --json``); ``python -m pytest --update-golden`` rewrites them.
The seeds' real findings are also asserted one by one, and nothing else above ``info`` is
allowed: every other difference in the seeds is rounding (0.01 per printed amount).

The mutation tests change one printed amount in a copy of a seed and check that the audit now
reports it in exactly the identities that amount takes part in, and in no other.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from builder.cli import main
from builder.parse import parse_file
from builder.validate import Finding, audit, audit_report
from tests.conftest import CASES, SOURCES

SEED_000 = "000_127416229ccdc025"
SEED_001 = "001_417cec5d1b5bc998"
SEED_002 = "002_6a7fbe393d7e6d53"
SEED_003 = "003_664a31573f3e6641"
SEED_004 = "004_c9b7d00ba9827a50"


def report_text(path: Path) -> str:
    report = audit_report(parse_file(path), path.stem)
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


def test_audit_report_matches_golden(seed: Path, golden: Callable[[Path, str], None]) -> None:
    golden(CASES / seed.stem / "expected" / "audit.json", report_text(seed))


# What the seeds really contain, checked by hand against the texts. Everything else the audit
# could say about them is within rounding; tables 07/08 (and budget 7, 8, 9, 11) saying
# 本表无数据 are reported as info.
REAL_FINDINGS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    SEED_000: [],
    SEED_001: [],
    SEED_002: [],
    SEED_003: [
        ("completeness/missing-table", "error", ("state_capital_expenditure",)),
        (
            "names/code-name-consistency",
            "warning",
            ("income_by_function", "expenditure_by_function", "general_budget_expenditure"),
        ),
    ],
    SEED_004: [
        ("completeness/missing-table", "error", ("income_by_function",)),
        ("completeness/missing-table", "error", ("expenditure_by_function",)),
    ],
}
EMPTY_TABLES: dict[str, list[str]] = {
    SEED_000: ["government_fund_expenditure", "state_capital_expenditure"],
    SEED_001: ["government_fund_expenditure", "state_capital_expenditure"],
    SEED_002: [
        "budget_government_fund_income",
        "budget_government_fund_expenditure",
        "budget_state_capital",
        "budget_office_operating_costs",
    ],
    SEED_003: ["government_fund_expenditure"],
    SEED_004: ["government_fund_expenditure", "state_capital_expenditure"],
}


def test_seed_findings_are_the_real_ones(seed: Path) -> None:
    findings = audit(parse_file(seed), seed.stem)
    serious = [(f.check_id, f.severity, f.tables) for f in findings if f.severity != "info"]
    assert serious == REAL_FINDINGS[seed.stem]
    info = [f for f in findings if f.severity == "info"]
    assert {f.check_id for f in info} <= {"completeness/empty-table"}
    assert sorted(f.tables[0] for f in info) == sorted(EMPTY_TABLES[seed.stem])


def test_seed_003_names_20604_two_ways() -> None:
    findings = audit(parse_file(SOURCES / f"{SEED_003}.txt"), SEED_003)
    (finding,) = [f for f in findings if f.check_id == "names/code-name-consistency"]
    assert finding.rows == (119, 143, 210)
    assert "20604" in finding.message_zh
    assert "表02「技术与开发」" in finding.message_zh
    assert "表03「技术与研究开发」" in finding.message_zh
    assert "表05「技术与开发」" in finding.message_zh


def test_seed_003_lacks_table_08_and_seed_004_lacks_02_and_03() -> None:
    missing = {}
    for seed_id in (SEED_003, SEED_004):
        findings = audit(parse_file(SOURCES / f"{seed_id}.txt"), seed_id)
        missing[seed_id] = [
            f.tables[0] for f in findings if f.check_id == "completeness/missing-table"
        ]
    assert missing == {
        SEED_003: ["state_capital_expenditure"],
        SEED_004: ["income_by_function", "expenditure_by_function"],
    }


def test_identities_that_need_a_missing_table_are_not_evaluated() -> None:
    path = SOURCES / f"{SEED_004}.txt"
    report = audit_report(parse_file(path), SEED_004)
    evaluated = {check["id"]: check["evaluated"] for check in report["checks"]}
    for check_id in (
        "cross-table/01-02-income-total",
        "cross-table/01-03-expenditure-total",
        "cross-table/01-03-class-lines",
        "row-sum/02-total",
        "row-sum/03-total",
    ):
        assert evaluated[check_id] == 0, check_id
    assert evaluated["cross-table/10-06-office-costs"] == 1  # an administrative unit


# --------------------------------------------------------------------------- mutations


class Change(NamedTuple):
    """One printed amount changed in a copy of a seed, and what the audit must then say."""

    seed: str
    line: int  # source line
    old: str  # the amount as printed
    nth: int  # which occurrence of it on the line (1 = first)
    new: str
    # every identity the amount takes part in: (check id, first line of the finding, field)
    expected: list[tuple[str, int, str]]


MUTATIONS: dict[str, Change] = {
    # 05 2011308 招商引资 小计: the 20113 款 sum, and the row's 小计 = 基本 + 项目. 20113 itself
    # is still printed 5408.80, so 201 and 合计 above it still agree with what is printed.
    "05-item": Change(
        SEED_000,
        273,
        "4309.49",
        1,
        "4319.49",
        [
            ("hierarchy-sum", 270, "total_expenditure_10k_yuan"),
            ("row-sum/05-total", 273, "total_expenditure_10k_yuan"),
        ],
    ),
    # 05 合计 小计: 合计 = Σ 类, 合计 row 小计 = 基本 + 项目, 05 合计 = 04 general 本年支出合计.
    "05-total": Change(
        SEED_000,
        268,
        "5783.36",
        1,
        "5793.36",
        [
            ("hierarchy-sum", 268, "total_expenditure_10k_yuan"),
            ("row-sum/05-total", 268, "total_expenditure_10k_yuan"),
            ("cross-table/05-04-general-budget", 268, "total_expenditure_10k_yuan"),
        ],
    ),
    # 05 合计 基本支出: 合计 = Σ 类 (basic column), row sum, 05 basic = 06 人员 + 公用.
    "05-basic": Change(
        SEED_000,
        268,
        "1451.27",
        1,
        "1461.27",
        [
            ("hierarchy-sum", 268, "basic_expenditure_10k_yuan"),
            ("row-sum/05-total", 268, "total_expenditure_10k_yuan"),
            ("cross-table/05-06-basic-expenditure", 268, "basic_expenditure_10k_yuan"),
        ],
    ),
    # 01 本年收入合计: = income lines 1-8, 总计 = 本年收入合计 + ..., 01 = 02 合计.
    "01-income": Change(
        SEED_000,
        115,
        "6382.69",
        1,
        "6392.69",
        [
            ("balance/01-income-total", 115, "amount_10k_yuan"),
            ("balance/01-grand-totals", 119, "amount_10k_yuan"),
            ("cross-table/01-02-income-total", 115, "amount_10k_yuan"),
        ],
    ),
    # 03 201 本年支出合计: 合计 = Σ 类, 201 = Σ 款, the row sum, and 01's class line 201.
    "03-class": Change(
        SEED_000,
        179,
        "5837.92",
        1,
        "5847.92",
        [
            ("hierarchy-sum", 178, "total_expenditure_10k_yuan"),
            ("hierarchy-sum", 179, "total_expenditure_10k_yuan"),
            ("row-sum/03-total", 179, "total_expenditure_10k_yuan"),
            ("cross-table/01-03-class-lines", 88, "amount_10k_yuan"),
        ],
    ),
    # 09 决算数 因公出国（境）费 (the second 69.56 on the line): the final 合计 only.
    "09-trips": Change(
        SEED_000,
        386,
        "69.56",
        2,
        "79.56",
        [("three-public/subtotals", 386, "total_10k_yuan")],
    ),
    # 06 公用经费合计 of an office of 参公 staff: 公用合计 = Σ public 类, 05 basic = 06,
    # and table 10 机关运行经费 = 06 公用经费合计.
    "06-public": Change(
        SEED_001,
        305,
        "110.49",
        1,
        "120.49",
        [
            ("hierarchy-sum", 305, "amount_10k_yuan"),
            ("cross-table/05-06-basic-expenditure", 245, "basic_expenditure_10k_yuan"),
            ("cross-table/10-06-office-costs", 378, "amount_10k_yuan"),
        ],
    ),
    # Budget table 3, 201 合计: 合计 = Σ 类, 201 = Σ 款, the row sum, budget 1's class line.
    "budget-3-class": Change(
        SEED_002,
        164,
        "6,171.84",
        1,
        "6,181.84",
        [
            ("hierarchy-sum", 163, "total_expenditure_10k_yuan"),
            ("hierarchy-sum", 164, "total_expenditure_10k_yuan"),
            ("row-sum/budget-3-total", 164, "total_expenditure_10k_yuan"),
            ("cross-table/budget-3-1-class-lines", 90, "total_10k_yuan"),
        ],
    ),
}


def mutated_copy(tmp_path: Path, change: Change) -> Path:
    source = SOURCES / f"{change.seed}.txt"
    lines = source.read_text(encoding="utf-8").split("\n")
    cells = lines[change.line - 1].split("\t")
    positions = [i for i, cell in enumerate(cells) if cell.strip() == change.old]
    assert len(positions) >= change.nth, (change, cells)
    cells[positions[change.nth - 1]] = change.new
    lines[change.line - 1] = "\t".join(cells)
    target = tmp_path / source.name
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def signature(findings: list[Finding]) -> Counter[tuple[str, int, str | None]]:
    return Counter((f.check_id, f.rows[0] if f.rows else 0, f.field) for f in findings)


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_a_changed_amount_is_caught_in_every_identity_it_takes_part_in(
    case: str, tmp_path: Path
) -> None:
    change = MUTATIONS[case]
    before = audit(parse_file(SOURCES / f"{change.seed}.txt"), change.seed)
    after = audit(parse_file(mutated_copy(tmp_path, change)), change.seed)
    appeared = signature(after) - signature(before)
    assert appeared == Counter(change.expected)
    assert all(f.severity == "error" for f in after if f not in before)


# --------------------------------------------------------------------------- command line


def test_cli_prints_findings_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(SOURCES / f"{SEED_003}.txt")]) == 0
    out = capsys.readouterr().out
    assert "names/code-name-consistency" in out
    assert "119, 143, 210" in out
    assert "表08《国有资本经营预算财政拨款支出决算表》缺失" in out


def test_cli_json_is_the_golden_report(capsys: pytest.CaptureFixture[str]) -> None:
    path = SOURCES / f"{SEED_004}.txt"
    assert main(["audit", str(path), "--json"]) == 0
    golden = (CASES / SEED_004 / "expected" / "audit.json").read_text(encoding="utf-8")
    assert capsys.readouterr().out == golden


def test_cli_lists_the_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--list-checks", "--json"]) == 0
    checks = json.loads(capsys.readouterr().out)
    assert "cross-table/05-06-basic-expenditure" in {c["id"] for c in checks}
    assert main(["audit", "--list-checks"]) == 0
    assert "hierarchy-sum  [error; tolerance 0.01 per amount]" in capsys.readouterr().out


def test_cli_reports_an_unparseable_file_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "not-a-disclosure.txt"
    path.write_text("hello\n", encoding="utf-8")
    assert main(["audit", str(path)]) == 1
    assert "not a disclosure" in capsys.readouterr().err


def test_cli_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit"]) == 2
    assert "needs a FILE" in capsys.readouterr().err
