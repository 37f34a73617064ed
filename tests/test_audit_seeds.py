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
from decimal import Decimal
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


# What the seeds really contain, checked by hand against the texts (check, severity, tables,
# first line). Everything else the audit could say about them is within rounding; tables
# 07/08 (and budget 7, 8, 9, 11) saying 本表无数据 are reported as info, and so are the
# numbers of each narrative that no table cell confirms.
REAL_FINDINGS: dict[str, list[tuple[str, str, tuple[str, ...], int]]] = {
    SEED_000: [
        # 三、支出决算情况说明: 基本支出, 项目支出, 经营支出 each "占比0%" of 6,280.94
        ("narrative/share", "error", (), 444),
        ("narrative/share", "error", (), 446),
        ("narrative/share", "error", (), 448),
    ],
    SEED_001: [
        # 减少83.56万元 from 1,302.55 is 6.42% (so says line 446 itself); line 448 says 6.24%
        ("narrative/change-rate", "error", (), 448),
    ],
    SEED_002: [
        # 一般公共预算当年拨款 比上年减少1079.69万元: no reason anywhere in the section
        ("narrative/change-reason", "warning", (), 414),
    ],
    SEED_003: [
        ("completeness/missing-table", "error", ("state_capital_expenditure",), 277),
        (
            "names/code-name-consistency",
            "warning",
            ("income_by_function", "expenditure_by_function", "general_budget_expenditure"),
            119,
        ),
    ],
    SEED_004: [
        ("completeness/missing-table", "error", ("income_by_function",), 114),
        ("completeness/missing-table", "error", ("expenditure_by_function",), 114),
        # 一般公共服务支出 and 教育支出: 年初预算0万元, 支出决算27.00 / 36.00, "完成…的0%"
        ("execution/rate-without-budget", "warning", (), 408),
        ("execution/rate-without-budget", "warning", (), 410),
    ],
}
INFO_CHECKS = {"completeness/empty-table", "narrative/unchecked", "execution/three-public"}
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
    serious = [
        (f.check_id, f.severity, f.tables, f.rows[0]) for f in findings if f.severity != "info"
    ]
    assert serious == REAL_FINDINGS[seed.stem]
    info = [f for f in findings if f.severity == "info"]
    assert {f.check_id for f in info} <= INFO_CHECKS
    empty = [f.tables[0] for f in info if f.check_id == "completeness/empty-table"]
    assert sorted(empty) == sorted(EMPTY_TABLES[seed.stem])


def test_a_shanghai_finding_names_both_sides_with_lines_and_pages() -> None:
    stem = "sh-putuo-czj-2024-final"
    findings = audit(parse_file(SOURCES / f"{stem}.txt"), stem)
    (finding,) = [f for f in findings if f.check_id == "narrative/amount"]
    # the sentence (line 328, page 21) and table 04's 总计 row (line 215, page 13)
    assert (finding.rows, finding.pages) == ((328, 215), (21, 13))
    assert finding.quote == "上海市普陀区财政局2024年度财政拨款收入支出总计0.3万元。"
    assert (finding.expected, finding.actual) == (Decimal("2961.68"), Decimal("0.3"))


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
            # 一般公共预算财政拨款（决算）支出5,783.36万元, in three sentences of the narrative
            ("narrative/amount", 458, None),
            ("narrative/amount", 462, None),
            ("narrative/amount", 472, None),
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
            # 二、收入决算情况说明: 2024年度收入合计6,382.69万元
            ("narrative/amount", 432, None),
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
    # 09 决算数 因公出国（境）费 (the second 69.56 on the line): the final 合计, what the
    # narrative says of it, and it is now above its budget (a fact: info).
    "09-trips": Change(
        SEED_000,
        386,
        "69.56",
        2,
        "79.56",
        [
            ("three-public/subtotals", 386, "total_10k_yuan"),
            # 因公出国（境）费支出69.56万元, twice in the narrative; now spent above budget
            ("narrative/amount", 502, None),
            ("narrative/amount", 512, None),
            ("execution/three-public", 386, None),
        ],
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
            # 财政拨款基本支出1,028.61万元 (= 人员 + 公用) and 公用经费110.49万元
            ("narrative/amount", 472, None),
            ("narrative/amount", 476, None),
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
    assert all(f.severity != "warning" for f in after if f not in before)


class TextChange(NamedTuple):
    """One piece of a seed's text changed in a copy, and the one finding it must give."""

    seed: str
    line: int
    old: str
    new: str
    expected: tuple[str, str, str]  # check id, family, severity


# One planted error of each family of the text (the table family is planted above).
TEXT_MUTATIONS: dict[str, TextChange] = {
    "narrative": TextChange(
        SEED_000, 434, "占比92.20%", "占比93.20%", ("narrative/share", "narrative", "error")
    ),
    "form": TextChange(
        SEED_000, 524, "本部门（单位）", "XX部门（单位）", ("form/placeholder", "form", "error")
    ),
    "structure": TextChange(
        SEED_000,
        532,
        "截至2024年12月31日",
        "截至2023年12月31日",
        ("structure/text-date", "structure", "warning"),
    ),
    "execution": TextChange(
        SEED_000,
        472,
        "完成年初预算的86.04%",
        "完成年初预算的88.04%",
        ("execution/rate", "execution", "error"),
    ),
    "narrative-shanghai": TextChange(
        "sh-putuo-wanli-2024-budget",
        506,
        "公务接待费1.35万元",
        "公务接待费1.53万元",
        ("narrative/amount", "narrative", "error"),
    ),
}


def text_copy(tmp_path: Path, change: TextChange) -> Path:
    source = SOURCES / f"{change.seed}.txt"
    lines = source.read_text(encoding="utf-8").split("\n")
    assert lines[change.line - 1].count(change.old) == 1, (change, lines[change.line - 1])
    lines[change.line - 1] = lines[change.line - 1].replace(change.old, change.new)
    target = tmp_path / source.name
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def rows_of(findings: list[Finding]) -> Counter[tuple[str, str, str, tuple[int, ...], str]]:
    return Counter((f.check_id, f.family, f.severity, f.rows, f.message_zh) for f in findings)


@pytest.mark.parametrize("case", sorted(TEXT_MUTATIONS))
def test_a_planted_text_error_is_found_and_nothing_else_changes(case: str, tmp_path: Path) -> None:
    change = TEXT_MUTATIONS[case]
    before = audit(parse_file(SOURCES / f"{change.seed}.txt"), change.seed)
    after = audit(parse_file(text_copy(tmp_path, change)), change.seed)
    appeared = rows_of(after) - rows_of(before)
    gone = rows_of(before) - rows_of(after)
    assert [key[:3] for key in appeared] == [change.expected]
    assert next(iter(appeared))[3][0] == change.line
    assert gone == Counter()


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
    out = capsys.readouterr().out
    assert "hierarchy-sum  [tables; error; tolerance 0.01 per amount]" in out
    assert "narrative/amount  [narrative; error; tolerance 0.01 per amount]" in out


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


def test_cli_groups_findings_by_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(SOURCES / f"{SEED_004}.txt")]) == 0
    out = capsys.readouterr().out
    structure = out.index("== 结构与一致性 / structure and consistency")
    execution = out.index("== 预算与决算 / budget against final accounts")
    assert structure < out.index("completeness/missing-table") < execution
    assert execution < out.index("execution/rate-without-budget")


def test_cli_json_carries_the_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(SOURCES / f"{SEED_000}.txt"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    families = {f["check_id"]: f["family"] for f in report["findings"]}
    assert families["narrative/share"] == "narrative"
    assert families["completeness/empty-table"] == "structure"
    assert {c["family"] for c in report["checks"]} == {
        "tables",
        "narrative",
        "form",
        "structure",
        "execution",
    }


def test_cli_compare_refuses_two_disclosures_it_cannot_set_side_by_side(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the same unit, but its 2024 final account and its 2023 budget
    first, second = SOURCES / f"{SEED_000}.txt", SOURCES / f"{SEED_002}.txt"
    assert main(["audit", str(first), "--compare", str(second)]) == 2
    assert "consecutive years" in capsys.readouterr().err
