"""The data-quality page (``quality.md``): which disclosures pass which checks.

Four views, like USAspending's "About the data": a completeness and consistency score per
disclosure, table completeness (which standard tables each disclosure prints, prints empty,
or lacks), how much of each document's numbers the parser accounted for, and the audit: one
row per declared check (grouped by family), one column per disclosure, each cell "passed",
the number of findings, "not applicable" (the disclosure has none of the tables the check
reads, or is not of the kind of document it reads) or "not audited". A disclosure the audit
did not run for never counts as passing.

The scores: completeness is the share of the standard tables the disclosure prints (with
data, or marked 本表无数据); consistency the share of the applicable checks it passes
without an error or a warning (info is context, not a failure).
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from builder import declarations
from builder.charts import facts
from builder.pages.catalog import CheckInfo, DisclosureEntry, Portal, link
from builder.pages.disclosure import describe_finding
from builder.pages.markup import (
    amount,
    front_matter,
    md_link,
    md_table,
    search_excluded,
    text,
)
from builder.pages.templating import render
from builder.validate.base import Disclosure
from builder.validate.execution import compare_disclosures

QUALITY = "quality.md"


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


FAMILY_ZH = {
    "tables": "表格算术",
    "narrative": "文字说明与表格",
    "form": "占位符与文字规范",
    "structure": "结构与一致性",
    "execution": "预算与决算",
}
FAMILY_ORDER = list(FAMILY_ZH)
HUNDRED = Decimal(100)


def _family(check: CheckInfo) -> str:
    return str(getattr(check, "family", "") or "")


def _applicable(check: CheckInfo, entry: DisclosureEntry) -> bool:
    """Whether a check reads anything of this disclosure: a text check reads documents of
    its kinds; a table check the tables it applies to (a check known only from a finding
    applies wherever it was found)."""
    documents = tuple(getattr(check, "documents", ()) or ())
    if documents:
        return entry.kind in documents
    return not check.applies_to or bool(entry.table_kinds & set(check.applies_to))


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    value = (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{value}%（{part}/{whole}）"


def _scores(portal: Portal, disclosures: list[DisclosureEntry]) -> str:
    """One row per disclosure: completeness and consistency, and the findings by severity."""
    checks = _checks(portal)
    rows = []
    for entry in disclosures:
        tables = entry.parsed["tables"]
        present = sum(1 for t in tables if t["status"] in ("parsed", "empty"))
        if entry.findings is None:
            consistency, errors, warnings = "未核查", "—", "—"
        else:
            applicable = [c for c in checks if _applicable(c, entry)]
            failed = {
                str(f.get("check_id"))
                for f in entry.findings
                if f.get("severity") in ("error", "warning")
            }
            passed = sum(1 for c in applicable if c.id not in failed)
            consistency = _percent(passed, len(applicable))
            severities = Counter(str(f.get("severity")) for f in entry.findings)
            errors, warnings = str(severities["error"]), str(severities["warning"])
        rows.append(
            [
                md_link(entry.title, link(QUALITY, entry.page)),
                text(_percent(present, len(tables))),
                text(consistency),
                text(errors),
                text(warnings),
            ]
        )
    return search_excluded(
        md_table(
            ["公开文件", "完整性（表格齐全）", "一致性（通过的核查）", "错误", "警告"],
            rows,
            ["left", "right", "right", "right", "right"],
            caption="每份公开文件的完整性与一致性评分",
        )
    )


def _checks(portal: Portal) -> list[CheckInfo]:
    checks: list[CheckInfo] = list(portal.checks)
    known = {check.id for check in checks}
    for entry in portal.disclosures:
        for finding in entry.findings or []:
            check_id = str(finding.get("check_id") or "")
            if check_id and check_id not in known:
                known.add(check_id)
                checks.append(_Seen(check_id))
    return checks


def _cell(check: CheckInfo, entry: DisclosureEntry) -> str:
    if entry.findings is None:
        return "未核查"
    found = [f for f in entry.findings if f.get("check_id") == check.id]
    if found:
        severities = Counter(str(f.get("severity")) for f in found)
        if severities.keys() <= {"info"}:
            return f"ⓘ {len(found)} 条提示"
        return f"✗ {len(found)} 处"
    if not _applicable(check, entry):
        return "不适用"
    return "✓ 通过"


def _completeness(disclosures: list[DisclosureEntry]) -> str:
    rows = []
    for entry in disclosures:
        statuses = Counter(t["status"] for t in entry.parsed["tables"])
        missing = [
            str(t["number"])
            for t in entry.parsed["tables"]
            if t["status"] in ("missing", "unreadable")
        ]
        rows.append(
            [
                md_link(entry.title, link(QUALITY, entry.page)),
                text(len(entry.parsed["tables"])),
                text(statuses.get("parsed", 0)),
                text(statuses.get("empty", 0)),
                text("、".join(missing) if missing else "—"),
            ]
        )
    status = declarations.labels("tables", "status")
    return search_excluded(
        md_table(
            ["公开文件", "应有表格", status["parsed"], status["empty"], f"{status['missing']}的表"],
            rows,
            ["left", "right", "right", "right", "left"],
            caption="各公开文件的表格完整性",
        )
    )


def _coverage(disclosures: list[DisclosureEntry]) -> str:
    rows = []
    for entry in disclosures:
        coverage = entry.parsed["report"]["coverage"]
        rows.append(
            [
                md_link(entry.title, link(QUALITY, entry.page)),
                text(coverage.get("tokens")),
                text(coverage.get("unparsed")),
                text(f"{coverage.get('accounted_percent')}%"),
            ]
        )
    return search_excluded(
        md_table(
            ["公开文件", "表格和附件中的数字", "未能解读", "已解读比例"],
            rows,
            ["left", "right", "right", "right"],
            caption="各公开文件的数字解读覆盖率",
        )
    )


def _audit(portal: Portal, disclosures: list[DisclosureEntry]) -> str:
    if all(entry.findings is None for entry in disclosures):
        return '<p class="portal-muted">算术核查尚未运行。</p>\n'
    checks = _checks(portal)
    prefixes = [entry.disclosure_id[:3] for entry in disclosures]
    unique = len(set(prefixes)) == len(prefixes)
    short = {
        e.disclosure_id: (e.disclosure_id[:3] if unique else e.disclosure_id) for e in disclosures
    }
    legend = [
        [text(short[entry.disclosure_id]), md_link(entry.title, link(QUALITY, entry.page))]
        for entry in disclosures
    ]
    rows = []
    ordered = sorted(
        checks,
        key=lambda c: FAMILY_ORDER.index(_family(c)) if _family(c) in FAMILY_ORDER else 0,
    )
    for check in ordered:
        cells = [_cell(check, entry) for entry in disclosures]
        if all(cell == "不适用" for cell in cells):
            continue
        # The rule's id stays in the data (findings.csv, check_id); readers get its title.
        title = check.title_zh or "未声明的核查规则"
        family = FAMILY_ZH.get(_family(check))
        label = f"{text(family)}：{text(title)}" if family else text(title)
        rows.append([label, *(text(cell) for cell in cells)])
    results = md_table(
        ["核查规则", *(text(short[e.disclosure_id]) for e in disclosures)],
        rows,
        ["left"] + ["center"] * len(disclosures),
        caption="各核查规则在各公开文件中的结果",
    )
    titles = {c.id: c.title_zh for c in checks if c.title_zh}
    found = [
        {
            "title": entry.title,
            # safe: describe_finding escapes the finding's text
            "findings": [Markup(describe_finding(f, entry.parsed, titles)) for f in serious],
        }
        for entry in disclosures
        if (serious := entry.findings_of("error", "warning"))
    ]
    # The tables (a row or a column per disclosure) stay out of the search index; the
    # findings in plain words are indexed.
    return render(
        "quality_audit.md.j2",
        # safe: md_table's cells are escaped (text, md_link) where they are built
        legend=Markup(
            search_excluded(md_table(["列", "公开文件"], legend, caption="列名与公开文件"))
        ),
        results=Markup(search_excluded(results)),
        found=found,
        explained=[check for check in checks if check.explanation_zh],
    )


def _pairs(disclosures: list[DisclosureEntry]) -> list[tuple[DisclosureEntry, DisclosureEntry]]:
    """Disclosures of one unit that can be set side by side: the budget and final account of
    one year, and two consecutive years of one kind (later first)."""
    pairs = []
    for position, first in enumerate(disclosures):
        for second in disclosures[position + 1 :]:
            if first.unit_id != second.unit_id:
                continue
            same_year = first.year == second.year and first.kind != second.kind
            consecutive = first.kind == second.kind and abs(first.year - second.year) == 1
            if same_year or consecutive:
                pairs.append((first, second))
    return pairs


def _percent_text(value: object) -> str:
    return "—" if value is None else f"{value}%"


def _comparisons(disclosures: list[DisclosureEntry]) -> str:
    """Budget against final account, and the 上年 figures of consecutive years, as tables."""
    shown = []
    for first, second in _pairs(disclosures):
        report = compare_disclosures(
            Disclosure.from_parse(first.parsed, first.disclosure_id),
            Disclosure.from_parse(second.parsed, second.disclosure_id),
        )
        if report["comparison"] == "budget-final":
            rows = [
                [
                    text(row["item"]),
                    text(amount(row["budget_10k_yuan"])),
                    text(amount(row["final_10k_yuan"])),
                    text(amount(row["difference_10k_yuan"])),
                    text(_percent_text(row["execution_percent"])),
                ]
                for row in report["rows"]
            ]
            budget, final = facts.phase_label(facts.BUDGET), facts.phase_label(facts.FINAL)
            headers = ["项目", budget, final, "差额（决算－预算）", "执行率"]
        else:
            rows = [
                [
                    text(f"第{row['line']}行 {row['subject']}"),
                    text(amount(row["implied_previous_10k_yuan"])),
                    text(amount(row["previous_printed_10k_yuan"])),
                    text(amount(row["difference_10k_yuan"])),
                    "一致" if row["agrees"] else "✗ 不一致",
                ]
                for row in report["rows"]
            ]
            headers = ["后一年的说明", "据其推算的上年数", "上年文件所列", "差额", "核对"]
        table = md_table(headers, rows, ["left", "right", "right", "right", "right"])
        shown.append(
            {
                "first": first.title,
                "first_page": link(QUALITY, first.page),
                "second": second.title,
                "second_page": link(QUALITY, second.page),
                "table": Markup(search_excluded(table)),  # safe: its cells are escaped above
            }
        )
    return render("quality_comparisons.md.j2", pairs=shown)


def _skipped(portal: Portal) -> str:
    """The source files the build could not use, with what to do."""
    rows = [
        [
            text(str(item["file"])),
            str(item["line"] or "—"),
            text(str(item["message"])),
            text(str(item.get("hint") or "")),
        ]
        for item in portal.skipped
    ]
    return md_table(["文件", "行", "问题", "处理建议"], rows, caption="未能发布的源文件")


def quality_page(portal: Portal) -> str:
    disclosures = sorted(portal.disclosures, key=lambda e: e.disclosure_id)
    head = front_matter("数据质量", "每份公开文件的表格完整性、解析覆盖率和算术核查结果")
    # safe: each section's cells are escaped (text, md_link) where they are built
    sections = {
        "scores": _scores(portal, disclosures),
        "skipped": _skipped(portal) if portal.skipped else "",
        "completeness": _completeness(disclosures),
        "coverage": _coverage(disclosures),
        "audit": _audit(portal, disclosures),
        "comparisons": _comparisons(disclosures),
    }
    return head + render(
        "quality.md.j2",
        status=declarations.labels("tables", "status"),
        **{name: Markup(section) for name, section in sections.items()},
    )
