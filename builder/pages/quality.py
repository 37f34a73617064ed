"""The data-quality page (``quality.md``): which disclosures pass which checks.

Three views, like USAspending's "About the data": table completeness (which standard tables
each disclosure prints, prints empty, or lacks), how much of each document's numbers the
parser accounted for, and the audit: one row per declared check, one column per disclosure,
each cell "passed", the number of findings, "not applicable" (the disclosure has none of
the tables the check reads) or "not audited". A disclosure the audit did not run for never
counts as passing.
"""

from __future__ import annotations

from collections import Counter

from builder.pages.catalog import CheckInfo, DisclosureEntry, Portal, link
from builder.pages.disclosure import describe_finding
from builder.pages.markup import front_matter, md_link, md_table, search_excluded, text

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
    if check.applies_to and not entry.table_kinds & set(check.applies_to):
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
    return search_excluded(
        md_table(
            ["公开文件", "应有表格", "已整理", "本表无数据", "缺失的表"],
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
    out = [
        "<p>每行一项核查规则，每列一份公开文件（列名为文件标识的开头，见下表）。"
        "✓ 通过；✗ 发现问题；ⓘ 仅有提示（不是错误）；“不适用”指该文件没有这项规则核对的表格。</p>\n"
    ]
    legend = [
        [text(short[entry.disclosure_id]), md_link(entry.title, link(QUALITY, entry.page))]
        for entry in disclosures
    ]
    # The tables (a row or a column per disclosure) stay out of the search index; the
    # findings in plain words below are indexed.
    out.append(search_excluded(md_table(["列", "公开文件"], legend, caption="列名与公开文件")))
    rows = []
    for check in checks:
        cells = [_cell(check, entry) for entry in disclosures]
        if all(cell == "不适用" for cell in cells):
            continue
        title = check.title_zh or "未声明的核查规则"
        rows.append(
            # The rule's id stays in the data (findings.csv, check_id); readers get its title.
            [text(title), *(text(cell) for cell in cells)]
        )
    out.append(
        search_excluded(
            md_table(
                ["核查规则", *(text(short[e.disclosure_id]) for e in disclosures)],
                rows,
                ["left"] + ["center"] * len(disclosures),
                caption="各核查规则在各公开文件中的结果",
            )
        )
    )
    for entry in disclosures:
        found = entry.findings_of("error", "warning")
        if found:
            out.append(f"### {text(entry.title)}\n")
            titles = {c.id: c.title_zh for c in checks if c.title_zh}
            items = "\n".join(
                f"<li>{describe_finding(f, entry.parsed, titles)}</li>" for f in found
            )
            out.append(f"<ul>\n{items}\n</ul>\n")
    explained = [check for check in checks if check.explanation_zh]
    if explained:
        out.append("### 核查规则说明\n")
        out.append(
            "\n".join(f"- **{text(c.title_zh)}**：{text(c.explanation_zh)}" for c in explained)
            + "\n"
        )
    return "\n".join(out)


def quality_page(portal: Portal) -> str:
    disclosures = sorted(portal.disclosures, key=lambda e: e.disclosure_id)
    out = [front_matter("数据质量", "每份公开文件的表格完整性、解析覆盖率和算术核查结果")]
    out.append("# 数据质量\n")
    out.append(
        "<p>我们不修改公开文件中的任何数字。本页列出每份文件的表格是否齐全、解析是否完整，"
        "以及合计、层级和表间关系等算术核查的结果；发现的问题照原样公布，"
        "详情见各公开文件页面的“核查发现”。</p>\n"
    )
    if portal.skipped:
        out.append("## 未能发布的文件\n")
        out.append(
            "<p>以下源文件无法解析，本次构建跳过了它们（其余文件照常发布）。"
            "修正后重新构建即可。</p>\n"
        )
        out.append(
            md_table(
                ["文件", "行", "问题", "处理建议"],
                [
                    [
                        text(str(item["file"])),
                        str(item["line"] or "—"),
                        text(str(item["message"])),
                        text(str(item.get("hint") or "")),
                    ]
                    for item in portal.skipped
                ],
                caption="未能发布的源文件",
            )
        )
    out.append("## 表格完整性\n")
    out.append(_completeness(disclosures))
    out.append(
        '<p class="portal-muted">“本表无数据”是原文的声明（例如没有政府性基金收支），'
        "不是错误；“缺失”指目录列出但正文没有可读表格（原 PDF 中可能是图片）。</p>\n"
    )
    out.append("## 解析覆盖率\n")
    out.append(_coverage(disclosures))
    out.append("## 算术核查\n")
    out.append(_audit(portal, disclosures))
    return "\n".join(out)
