"""The audit of what citizens read: the narrative against the tables, the form of the text,
the frame of the document (years, names, counts) and the budget against the final account.

Each check is tried on tiny inline documents: the balanced tables of ``tests/test_audit.py``
with a 情况说明 written to agree with them (no finding but the list of unchecked numbers),
then with one planted error, asserting exactly the finding it must produce. The real
documents are in ``tests/test_audit_seeds.py``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from builder.validate import Finding, audit, load_checks, run_checks
from builder.validate.base import Disclosure
from builder.validate.claims import read_figures
from builder.validate.execution import compare_budget_final, compare_disclosures
from tests.test_audit import Doc, documents, find

FIRST_LINE = 200


def section(heading: str, *paragraphs: str, parent: str | None = None) -> dict[str, Any]:
    return {
        "part": "explanations",
        "heading": heading,
        "level": 2 if parent else 1,
        "parent": parent,
        "kind": None,
        "text": "\n".join(paragraphs),
        "source_line": 0,
        "lines": [],
    }


SANGONG = "七、财政拨款“三公”经费支出决算情况说明"
GENERAL = "五、一般公共预算财政拨款支出决算情况说明"
OTHER = "八、其他重要事项情况说明"


def final_sections() -> list[dict[str, Any]]:
    """A 情况说明 that agrees with the balanced final account, figure by figure."""
    return [
        section(
            "一、收入支出决算总体情况说明",
            "2024年度收入总计130.00万元，支出总计130.00万元。与上年相比，收入总计增加30.00万元，"
            "增长30.00%，主要原因是业务增加。",
        ),
        section(
            "二、收入决算情况说明",
            "2024年度收入合计120.00万元，其中：",
            "财政拨款收入100.00万元，占比83.33%；",
            "经营收入20.00万元，占比16.67%。",
        ),
        section(
            "三、支出决算情况说明",
            "2024年度支出合计115.00万元，其中：",
            "基本支出40.00万元，占比34.78%；",
            "项目支出55.00万元，占比47.83%；",
            "经营支出20.00万元，占比17.39%。",
        ),
        section(
            "四、财政拨款收支决算总体情况说明",
            "2024年度财政拨款收入总计105.00万元，支出总计105.00万元。",
        ),
        section(GENERAL),
        section(
            "（一）一般公共预算财政拨款支出决算结构情况",
            "2024年度一般公共预算财政拨款支出95.00万元，主要用于以下方面：",
            "一般公共服务支出(类)70.00万元，占比73.68%；",
            "社会保障和就业支出(类)25.00万元，占比26.32%。",
            parent=GENERAL,
        ),
        section(
            "（二）一般公共预算财政拨款支出决算具体情况",
            "2024年度一般公共预算财政拨款支出年初预算100.00万元，支出决算95.00万元，"
            "完成年初预算的95.00%。",
            parent=GENERAL,
        ),
        section(
            "六、一般公共预算财政拨款基本支出决算情况说明",
            "2024年度财政拨款基本支出40.00万元，其中：人员经费20.00万元；公用经费20.00万元。",
        ),
        section(SANGONG),
        section(
            "（一）“三公”经费财政拨款支出决算总体情况说明",
            "2024年度“三公”经费财政拨款支出全年预算10.00万元，支出决算9.00万元，完成全年预算的"
            "90.00%，比上年度减少1.00万元，下降10.00%，主要原因是出访减少。",
            "因公出国（境）费支出3.00万元，完成全年预算的75.00%。",
            parent=SANGONG,
        ),
        section(OTHER),
        section(
            "（一）机关运行经费支出情况说明", "2024年机关运行经费支出20.00万元。", parent=OTHER
        ),
        section(
            "（二）政府采购情况说明",
            "2024年度政府采购支出总额30.00万元，其中：政府采购货物支出10.00万元、"
            "政府采购工程支出0万元、政府采购服务支出20.00万元。",
            parent=OTHER,
        ),
        section(
            "（三）国有资产占用情况说明",
            "截至2024年12月31日，本单位共有车辆2辆。",
            parent=OTHER,
        ),
    ]


def numbered(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each heading and paragraph its own source line, in order."""
    line = FIRST_LINE
    for entry in sections:
        entry["source_line"] = line
        line += 1
        entry["lines"] = []
        for _ in str(entry["text"]).split("\n") if entry["text"] else []:
            entry["lines"].append(line)
            line += 1
    return sections


def final_with_text(sections: list[dict[str, Any]] | None = None) -> Doc:
    doc = copy.deepcopy(documents()["final"])
    doc["document"]["money_unit"] = "万元"
    for table in doc["tables"]:
        table["year"], table["unit_name"] = 2024, "示例单位"
    explanations = numbered(final_sections() if sections is None else sections)
    doc["narrative"] = {"overview": [], "explanations": explanations, "glossary": []}
    return doc


def line_of(doc: Doc, fragment: str) -> int:
    for entry in doc["narrative"]["explanations"]:
        for number, text in zip(entry["lines"], str(entry["text"]).split("\n"), strict=False):
            if fragment in text:
                return int(number)
    raise AssertionError(fragment)


def replaced(old: str, new: str) -> Doc:
    """The balanced final account with one piece of its narrative changed."""
    sections = final_sections()
    hits = 0
    for entry in sections:
        if old in entry["text"]:
            entry["text"] = entry["text"].replace(old, new)
            hits += 1
    assert hits == 1, old
    return final_with_text(sections)


def serious(doc: Doc) -> list[Finding]:
    """Every finding but the list of unchecked numbers (context, always there)."""
    return [f for f in audit(doc, "example") if f.check_id != "narrative/unchecked"]


def summary(findings: list[Finding]) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(f.check_id, f.severity, f.rows) for f in findings]


# --------------------------------------------------------------------------- reading sentences


def test_figures_are_read_with_their_role_subject_and_direction() -> None:
    aliases = {"收入总计": "收入总计", "支出总计": "支出总计"}
    text = "2024年度收入总计6,382.69万元。与上年相比，收入总计增加339.59万元，增长5.62%。"
    figures = read_figures(text, 7, aliases)
    assert [(f.value, f.role, f.subject, f.direction) for f in figures] == [
        (Decimal("6382.69"), "amount", "收入总计", 0),
        (Decimal("339.59"), "change", "收入总计", 1),
        (Decimal("5.62"), "rate", "收入总计", 1),
    ]
    assert {f.line for f in figures} == {7}


def test_a_detail_after_its_total_is_not_read_as_the_total() -> None:
    aliases = {"公用经费": "公用经费"}
    figures = read_figures("公用经费3.48万元，主要包括办公费3.08万元，占比88.50%；", 1, aliases)
    assert [(f.value, f.subject) for f in figures] == [
        (Decimal("3.48"), "公用经费"),
        (Decimal("3.08"), None),
        (Decimal("88.50"), None),
    ]


def test_a_prefix_named_once_carries_to_the_next_alias() -> None:
    aliases = {
        "支出总计": "支出总计",
        "财政拨款收入总计": "拨款收入",
        "财政拨款支出总计": "拨款支出",
    }
    figures = read_figures(
        "2024年度财政拨款收入总计5,885.11万元，支出总计5,885.11万元。", 1, aliases, ("财政拨款",)
    )
    assert [f.subject for f in figures] == ["拨款收入", "拨款支出"]


def test_a_change_after_its_details_speaks_of_the_sentence_subject() -> None:
    aliases = {"收入总计": "收入总计", "上年结转": "上年结转"}
    text = "预算收入总计6,559.72万元，其中：上年结转1,302.76万元，比上年增加223.07万元，增加3.52%"
    figures = read_figures(text, 1, aliases)
    assert [(f.role, f.subject) for f in figures][-2:] == [
        ("change", "收入总计"),
        ("rate", "收入总计"),
    ]


# --------------------------------------------------------------------------- the balanced text


def test_a_narrative_that_agrees_with_its_tables_has_no_finding() -> None:
    assert serious(final_with_text()) == []


def test_every_text_check_compares_something_on_the_balanced_text() -> None:
    doc = final_with_text()
    evaluated = {r.check.id: r.evaluated for r in run_checks(doc, "example")}
    idle = sorted(
        check_id
        for check_id, count in evaluated.items()
        if count == 0 and check_id.startswith(("narrative/", "execution/", "form/", "structure/"))
    )
    # a statement that there was no such spending and the note of an empty table have
    # their own tests below (the balanced tables all print amounts)
    assert idle == ["structure/empty-note-copied", "structure/empty-statement"]


def test_numbers_no_table_confirms_are_listed_not_guessed() -> None:
    (finding,) = [f for f in audit(final_with_text(), "example") if f.severity == "info"]
    assert finding.check_id == "narrative/unchecked"
    assert finding.family == "narrative"
    # the 年初预算 of the general budget (no table prints it) and 工程 0万元 (no amount)
    assert "一般公共预算财政拨款支出 100.00万元" in finding.message_zh


# --------------------------------------------------------------------------- one planted error each

PLANTED: dict[str, tuple[str, str, str]] = {
    # check id: (text of the balanced narrative, planted text, fragment of the planted line)
    "narrative/amount": ("机关运行经费支出20.00万元", "机关运行经费支出21.00万元", "机关运行经费"),
    "narrative/share": (
        "经营收入20.00万元，占比16.67%",
        "经营收入20.00万元，占比17.67%",
        "经营收入",
    ),
    "narrative/change-rate": ("增长30.00%", "增长31.00%", "收入总计增加"),
    "narrative/direction": ("增长30.00%", "下降30.00%", "收入总计增加"),
    "narrative/change-reason": ("，主要原因是业务增加", "", "收入总计增加"),
    "execution/budget-figure": (
        "因公出国（境）费支出3.00万元，完成全年预算的75.00%。",
        "因公出国（境）费全年预算5.00万元，支出决算3.00万元，完成全年预算的60.00%。",
        "因公出国",
    ),
    "execution/rate": ("完成年初预算的95.00%", "完成年初预算的96.00%", "年初预算100.00"),
    "execution/rate-without-budget": (
        "年初预算100.00万元，支出决算95.00万元，完成年初预算的95.00%",
        "年初预算0万元，支出决算95.00万元，完成年初预算的0%",
        "年初预算0万元",
    ),
    "form/placeholder": ("本单位共有车辆", "XX单位共有车辆", "共有车辆"),
    "form/doubled-punctuation": ("主要原因是出访减少。", "主要原因是出访减少。。", "出访减少"),
    "form/repeated-word": ("2024年度政府采购支出总额", "2024年度政府采购采购支出总额", "政府采购"),
    "form/money-unit": ("本单位共有车辆2辆。", "本单位共有车辆2辆，保险费3.50元。", "共有车辆"),
    "structure/text-date": ("截至2024年12月31日", "截至2023年12月31日", "截至"),
    "structure/whole-count": ("共有车辆2辆。", "共有车辆2辆，其中其他用车1.5辆。", "共有车辆"),
}
SEVERITY = {
    "narrative/change-reason": "warning",
    "execution/rate-without-budget": "warning",
    "form/doubled-punctuation": "warning",
    "form/repeated-word": "warning",
    "form/money-unit": "warning",
    "structure/text-date": "warning",
}


def test_every_check_of_the_text_has_a_failing_case() -> None:
    # PLANTED, and the tests below for the checks a sentence alone cannot trip
    own_tests = {
        "narrative/unchecked",
        "form/section-numbering",
        "structure/table-year",
        "structure/unit-name",
        "structure/negative-amount",
        "structure/empty-statement",
        "structure/empty-without-note",
        "structure/empty-note-copied",
        "execution/three-public",
    }
    text_checks = {check.id for check in load_checks() if not check.applies_to}
    assert set(PLANTED) | own_tests == text_checks


@pytest.mark.parametrize("check_id", sorted(PLANTED))
def test_one_planted_error_gives_exactly_its_finding(check_id: str) -> None:
    old, new, fragment = PLANTED[check_id]
    doc = replaced(old, new)
    line = line_of(doc, fragment)
    found = serious(doc)
    assert [(f.check_id, f.severity, f.rows[0]) for f in found] == [
        (check_id, SEVERITY.get(check_id, "error"), line)
    ]


def test_an_amount_finding_quotes_both_sides_with_their_lines() -> None:
    doc = replaced("基本支出40.00万元，占比34.78%", "基本支出40.00万元，占比34.78%")
    doc = replaced("2024年度收入合计120.00万元", "2024年度收入合计125.00万元")
    found = [f for f in serious(doc) if f.check_id == "narrative/amount"]
    assert len(found) == 1
    finding = found[0]
    assert finding.rows == (line_of(doc, "收入合计"), 5)  # the sentence, then table 01's row
    assert finding.tables == ("income_expenditure_summary",)
    assert (finding.expected, finding.actual, finding.difference) == (
        Decimal("120.00"),
        Decimal("125.00"),
        Decimal("5.00"),
    )
    assert finding.quote == "2024年度收入合计125.00万元，其中："
    assert "所述本年收入合计 125.00万元，而表01（第5行）为 120.00 万元" in finding.message_zh


def test_an_amount_in_yuan_where_10k_yuan_is_meant_is_named() -> None:
    doc = replaced("机关运行经费支出20.00万元", "机关运行经费支出20.00元")
    assert sorted(f.check_id for f in serious(doc)) == ["form/money-unit", "narrative/amount"]
    (amount,) = [f for f in serious(doc) if f.check_id == "narrative/amount"]
    assert "应为“万元”" in amount.message_zh


def test_a_share_off_by_rounding_only_is_silent() -> None:
    # 20.00 / 120.00 = 16.666…%: 16.66% and 16.67% are both a rounding of it
    assert serious(replaced("占比16.67%", "占比16.66%")) == []


def test_headings_out_of_order_are_found() -> None:
    sections = final_sections()
    sections[2]["heading"] = "四、支出决算情况说明"  # 一、二、四、四、…
    doc = final_with_text(sections)
    found = serious(doc)
    assert summary(found) == [
        (
            "form/section-numbering",
            "warning",
            (sections[1]["source_line"], sections[2]["source_line"]),
        ),
        (
            "form/section-numbering",
            "warning",
            (sections[2]["source_line"], sections[3]["source_line"]),
        ),
    ]


def test_a_table_headed_with_another_year_is_found() -> None:
    doc = final_with_text()
    table = next(t for t in doc["tables"] if t["kind"] == "three_public_costs")
    table["year"], table["start_line"] = 2023, 72
    assert summary(serious(doc)) == [("structure/table-year", "error", (72,))]


def test_a_table_naming_another_unit_is_found() -> None:
    doc = final_with_text()
    table = next(t for t in doc["tables"] if t["kind"] == "three_public_costs")
    table["unit_name"], table["start_line"] = "示例单位机关", 72
    assert summary(serious(doc)) == [("structure/unit-name", "warning", (72,))]


def test_a_negative_amount_is_found() -> None:
    doc = final_with_text()
    find(doc, "income_expenditure_summary", item_key="grand_total", side="income")
    row = find(doc, "supplementary_statistics", item_key="procurement_works")
    row["amount_10k_yuan"] = Decimal("-1.00")
    found = [f for f in serious(doc) if f.family == "structure"]
    assert summary(found) == [("structure/negative-amount", "warning", (row["source_line"],))]


def test_a_statement_of_no_spending_over_a_table_with_amounts_is_found() -> None:
    sections = final_sections()
    sections.insert(8, section("七、政府性基金预算财政拨款收支决算情况说明", "本年度无此项收支。"))
    later = [entry for entry in sections[9:] if entry["level"] == 1]
    for entry, number in zip(later, ("八、", "九、"), strict=True):
        entry["heading"] = number + str(entry["heading"])[2:]
    doc = final_with_text(sections)
    found = [f for f in serious(doc) if f.check_id == "structure/empty-statement"]
    assert [(f.severity, f.tables, f.quote) for f in found] == [
        ("error", ("government_fund_expenditure",), "本年度无此项收支。")
    ]


def test_spending_above_the_three_public_budget_is_context() -> None:
    doc = copy.deepcopy(documents()["final"])
    final = find(doc, "three_public_costs", phase="final")
    final["official_receptions_10k_yuan"] = Decimal("2.00")  # budget 1.00
    final["total_10k_yuan"] = Decimal("10.00")
    found = [f for f in audit(doc, "example") if f.family == "execution"]
    assert [(f.check_id, f.severity, f.expected, f.actual) for f in found] == [
        ("execution/three-public", "info", Decimal("1.00"), Decimal("2.00"))
    ]


# --------------------------------------------------------------------------- across documents


def test_budget_and_final_account_are_compared_line_by_line() -> None:
    budget = Disclosure.from_parse(documents()["budget"], "b")
    final = Disclosure.from_parse(documents()["final"], "f")
    rows = {row["item"]: row for row in compare_budget_final(budget, final)}
    total = rows["本年支出合计"]
    assert (total["budget_10k_yuan"], total["final_10k_yuan"]) == (
        Decimal("130.00"),
        Decimal("115.00"),
    )
    assert total["difference_10k_yuan"] == Decimal("-15.00")
    assert total["execution_percent"] == Decimal("88.46")
    assert rows["“三公”经费合计"]["execution_percent"] == Decimal("90.00")
    assert rows["一般公共服务支出"]["function_code"] == "201"


def previous_final(income_grand_total: str) -> Disclosure:
    doc = copy.deepcopy(documents()["final"])
    doc["document"]["year"] = 2023
    row = find(doc, "income_expenditure_summary", item_key="grand_total", side="income")
    row["amount_10k_yuan"] = Decimal(income_grand_total)
    return Disclosure.from_parse(doc, "2023")


def test_the_previous_year_figures_a_narrative_implies_are_checked() -> None:
    current = Disclosure.from_parse(final_with_text(), "2024")
    # 收入总计130.00万元 … 增加30.00万元: last year's 收入总计 was 100.00
    report = compare_disclosures(current, previous_final("100.00"))
    assert report["comparison"] == "previous-year"
    rows = [r for r in report["rows"] if r["subject"] == "收入总计"]
    assert [(r["implied_previous_10k_yuan"], r["agrees"]) for r in rows] == [
        (Decimal("100.00"), True)
    ]
    rows = compare_disclosures(previous_final("99.00"), current)["rows"]
    (row,) = [r for r in rows if r["subject"] == "收入总计"]
    assert (row["difference_10k_yuan"], row["agrees"]) == (Decimal("1.00"), False)
    assert row["line"] == line_of(final_with_text(), "收入总计增加")


def test_only_one_units_budget_and_final_or_consecutive_years_are_compared() -> None:
    budget = Disclosure.from_parse(documents()["budget"], "b")
    final = Disclosure.from_parse(documents()["final"], "f")
    assert compare_disclosures(final, budget)["comparison"] == "budget-final"
    other = copy.deepcopy(documents()["final"])
    other["document"]["unit_name"] = "另一单位"
    with pytest.raises(ValueError, match="same unit"):
        compare_disclosures(final, Disclosure.from_parse(other, "o"))
    with pytest.raises(ValueError, match="consecutive"):
        compare_disclosures(final, Disclosure.from_parse(documents()["final"], "f2"))


def test_an_empty_table_without_its_note_is_found() -> None:
    doc = final_with_text()
    table = next(t for t in doc["tables"] if t["kind"] == "state_capital_expenditure")
    for row in table["rows"]:
        for name in ("total_expenditure_10k_yuan", "project_expenditure_10k_yuan"):
            row[name] = None
    table["start_line"] = 68
    found = [f for f in serious(doc) if f.family == "structure"]
    assert summary(found) == [
        ("completeness/empty-table", "info", (68,)),  # the fact: the table is empty
        ("structure/empty-without-note", "warning", (68,)),  # the mistake: it does not say so
    ]
    table["says_empty"] = True
    found = [f for f in serious(doc) if f.family == "structure"]
    assert summary(found) == [("completeness/empty-table", "info", (68,))]


def test_an_empty_tables_note_copied_from_another_table_is_found() -> None:
    doc = final_with_text()
    table = next(t for t in doc["tables"] if t["kind"] == "state_capital_expenditure")
    table.update(status="empty", rows=[], says_empty=True, start_line=68)
    table["empty_note"] = {
        "text": "注：本单位无政府性基金预算财政拨款支出，故本表无数据。",
        "line": 70,
    }
    found = [f for f in serious(doc) if f.check_id == "structure/empty-note-copied"]
    assert summary(found) == [("structure/empty-note-copied", "warning", (70,))]
    assert "说的是政府性基金，不是本表的国有资本" in found[0].message_zh
    table["empty_note"]["text"] = "注：本单位无国有资本经营预算财政拨款支出，故本表无数据。"
    assert [f for f in serious(doc) if f.check_id == "structure/empty-note-copied"] == []
