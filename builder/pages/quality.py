"""The data-quality page (``quality.md``): a summary of which disclosures pass which checks.

Like USAspending's "About the data", and of a size that does not grow with the findings:
each count below is bounded by the checks, the years or a cap, so the page grows by no more
than a few bytes per disclosure. What it shows:

- the score distribution: completeness is the share of the standard tables a disclosure
  prints (with data, or marked 本表无数据); consistency the share of the applicable checks it
  passes without an error or a warning (info is context, not a failure);
- per year and kind, and for the units with the most problems (the first
  :data:`LISTED_UNITS`), how many disclosures were audited, passed, have errors or warnings;
- table completeness and parse coverage across the portal, with the first few disclosures
  that lack a table or have numbers left unread;
- the audit: one row per declared check (grouped by family) with how many disclosures pass
  it, fail it (with their errors and warnings), have only info, for which it is not
  applicable (none of the tables it reads, or not the kind of document it reads) and which
  were not audited; then, per check, the first :data:`LISTED` failing disclosures by id. A
  disclosure the audit did not run for never counts as passing.

The rest is data: the check × disclosure matrix and each disclosure's scores are the quality
package (``builder.pages.quality_data``, ``downloads/quality/``), every finding with its
disclosure, tables, lines, pages and severity is the portal package's ``findings.csv``, and
each disclosure's page lists its own findings in plain words. A unit's budget set against
its final account, and consecutive years against each other, are on the unit's page
(``builder.pages.comparisons``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from builder import declarations
from builder.pages.catalog import CheckInfo, DisclosureEntry, Download, Portal, link
from builder.pages.markup import front_matter, md_link, md_table, search_excluded, text
from builder.pages.quality_data import (
    CHECKS,
    FAILED,
    INFO,
    NOT_APPLICABLE,
    NOT_AUDITED,
    PASSED,
    SCORES,
    SERIOUS,
    Assessment,
    Result,
    Score,
    assess,
    family,
)
from builder.pages.templating import render

QUALITY = "quality.md"
LISTED = 10  # failing disclosures named per check (the rest: the CSV)
LISTED_UNITS = 10  # units named with the most errors and warnings
FAMILY_ZH = {
    "tables": "表格算术",
    "narrative": "文字说明与表格",
    "form": "占位符与文字规范",
    "structure": "结构与一致性",
    "execution": "预算与决算",
}
FAMILY_ORDER = list(FAMILY_ZH)
HUNDRED = Decimal(100)
# Score bands: (label, lowest percent in the band), highest first; below the last: 低于 50%.
BANDS = (("100%", 100), ("90%–99%", 90), ("75%–89%", 75), ("50%–74%", 50))
BELOW = "低于 50%"


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    value = (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{value}%（{part}/{whole}）"


def _band(part: int, whole: int) -> str:
    """The band of ``part / whole`` (never rounded up into a higher band)."""
    for label, lowest in BANDS:
        if part * 100 >= lowest * whole:
            return label
    return BELOW


def _distribution(scores: dict[str, Score], audited: set[str]) -> str:
    complete = Counter(_band(s.present, s.tables) for s in scores.values() if s.tables)
    consistent = Counter(
        _band(s.passed, s.applicable) for i, s in scores.items() if i in audited and s.applicable
    )
    labels = [label for label, _ in BANDS] + [BELOW]
    rows = [[text(label), text(complete[label]), text(consistent[label])] for label in labels]
    rows.append([text("未核查"), "—", text(len(scores) - len(audited))])
    return search_excluded(
        md_table(
            ["得分", "完整性（公开文件数）", "一致性（公开文件数）"],
            rows,
            ["left", "right", "right"],
            caption="完整性与一致性评分的分布",
        )
    )


def _tally(entries: Iterable[DisclosureEntry]) -> list[int]:
    """Disclosures, audited, passed every check, with errors or warnings; errors, warnings."""
    listed = list(entries)
    audited = [e for e in listed if e.findings is not None]
    flagged = [e for e in audited if e.findings_of(*SERIOUS)]
    return [
        len(listed),
        len(audited),
        len(audited) - len(flagged),
        len(flagged),
        sum(len(e.findings_of("error")) for e in audited),
        sum(len(e.findings_of("warning")) for e in audited),
    ]


TALLY_HEADERS = ["公开文件", "已核查", "全部通过", "有错误或警告", "错误", "警告"]


def _by_year(disclosures: list[DisclosureEntry]) -> str:
    groups: dict[tuple[int, str], list[DisclosureEntry]] = {}
    for entry in sorted(disclosures, key=lambda e: e.order):
        groups.setdefault((entry.year, entry.kind_zh), []).append(entry)
    rows = [
        [text(f"{year}年度{kind}"), *(text(n) for n in _tally(group))]
        for (year, kind), group in sorted(groups.items(), reverse=True)
    ]
    rows.append(["**合计**", *(f"**{n}**" for n in _tally(disclosures))])
    return search_excluded(
        md_table(
            ["年度", *TALLY_HEADERS],
            rows,
            ["left"] + ["right"] * len(TALLY_HEADERS),
            caption="各年度公开文件的核查结果",
        )
    )


def _by_unit(portal: Portal) -> tuple[str, dict[str, int]]:
    """The units with the most errors and warnings (at most :data:`LISTED_UNITS`), and how
    many units there are, were audited in full and passed every check."""
    tallies = {unit.unit_id: _tally(unit.disclosures) for unit in portal.units}
    worst = sorted(
        (u for u in portal.units if tallies[u.unit_id][3]),
        key=lambda u: (-(tallies[u.unit_id][4] + tallies[u.unit_id][5]), u.unit_name),
    )[:LISTED_UNITS]
    rows = [
        [md_link(u.unit_name, link(QUALITY, u.page)), *(text(n) for n in tallies[u.unit_id])]
        for u in worst
    ]
    counts = {
        "units": len(portal.units),
        "passed": sum(1 for t in tallies.values() if t[0] == t[1] == t[2]),
        "flagged": sum(1 for t in tallies.values() if t[3]),
    }
    table = rows and search_excluded(
        md_table(
            ["单位", *TALLY_HEADERS],
            rows,
            ["left"] + ["right"] * len(TALLY_HEADERS),
            caption=f"错误和警告最多的单位（至多 {LISTED_UNITS} 个）",
        )
    )
    return table or "", counts


def _listed(entries: list[DisclosureEntry], more: str) -> str:
    """The first :data:`LISTED` of ``entries`` (by id) as links, and how many more."""
    shown = sorted(entries, key=lambda e: e.disclosure_id)[:LISTED]
    names = "、".join(md_link(e.title, link(QUALITY, e.page)) for e in shown)
    rest = len(entries) - len(shown)
    return names + (f" 等，另有 {rest} 份见 {more}" if rest else "")


def _completeness(disclosures: list[DisclosureEntry], scores_link: str) -> str:
    status = declarations.labels("tables", "status")
    counts = Counter(str(t["status"]) for e in disclosures for t in e.parsed["tables"])
    lacking = [
        e
        for e in disclosures
        if any(t["status"] in ("missing", "unreadable") for t in e.parsed["tables"])
    ]
    rows = [[text(label), text(counts.get(name, 0))] for name, label in status.items()]
    table = search_excluded(
        md_table(["表格状态", "表格数"], rows, ["left", "right"], caption="全部公开文件的标准表格")
    )
    listed = f"<p>缺少表格的公开文件 {len(lacking)} 份"
    if lacking:
        listed += "：</p>\n\n" + _listed(lacking, scores_link) + "\n"
    else:
        listed += "。</p>\n"
    return table + "\n" + listed


def _coverage(disclosures: list[DisclosureEntry], scores_link: str) -> str:
    tokens = sum(int(e.parsed["report"]["coverage"].get("tokens") or 0) for e in disclosures)
    unparsed = [e for e in disclosures if e.parsed["report"]["coverage"].get("unparsed")]
    left = sum(int(e.parsed["report"]["coverage"].get("unparsed") or 0) for e in unparsed)
    out = (
        f"<p>表格和附件中共有数字 {tokens} 个，未能解读 {left} 个"
        f"（已解读 {text(_percent(tokens - left, tokens))}）；"
        f"有未能解读数字的公开文件 {len(unparsed)} 份"
    )
    if not unparsed:
        return out + "。</p>\n"
    return out + "：</p>\n\n" + _listed(unparsed, scores_link) + "\n"


def _check_title(check: CheckInfo) -> str:
    # The rule's id stays in the data (quality_checks.csv, findings.csv); readers get its title.
    return check.title_zh or "未声明的核查规则"


def _audit(
    checks: list[CheckInfo],
    disclosures: list[DisclosureEntry],
    of: dict[str, dict[str, Result]],
    more: str,
) -> str:
    if all(entry.findings is None for entry in disclosures):
        return '<p class="portal-muted">算术核查尚未运行。</p>\n'
    families: dict[str, list[list[str]]] = {}
    failing = []
    for check in checks:
        found = [of[e.disclosure_id][check.id] for e in disclosures]
        if all(r.result == NOT_APPLICABLE for r in found):
            continue
        by_result = Counter(r.result for r in found)
        severities: Counter[str] = sum((r.severities for r in found), Counter())
        counts = [
            by_result[PASSED],
            by_result[FAILED],
            severities["error"],
            severities["warning"],
            by_result[INFO],
            by_result[NOT_APPLICABLE],
            by_result[NOT_AUDITED],
        ]
        name = family(check) if family(check) in FAMILY_ZH else ""
        families.setdefault(name, []).append([text(_check_title(check)), *map(text, counts)])
        failed = [e for e, r in zip(disclosures, found, strict=True) if r.result == FAILED]
        if failed:
            failing.append(
                {
                    "title": _check_title(check),
                    "count": len(failed),
                    "listed": Markup(_listed(failed, more)),
                }
            )
    tables = []
    for name in sorted(families, key=lambda f: FAMILY_ORDER.index(f) if f in FAMILY_ORDER else -1):
        heading = FAMILY_ZH.get(name, "其他核查")
        table = md_table(
            ["核查规则", "通过", "未通过", "错误", "警告", "仅有提示", "不适用", "未核查"],
            families[name],
            ["left"] + ["right"] * 7,
            caption=f"{heading}：各核查规则的结果（公开文件数；错误、警告为处数）",
        )
        tables.append({"heading": heading, "table": Markup(search_excluded(table))})
    return render(
        "quality_audit.md.j2",
        families=tables,
        failing=failing,
        listed=LISTED,
        explained=[check for check in checks if check.explanation_zh],
    )


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


def _file_link(files: Sequence[Download], name: str) -> str:
    """A link to the published file ``name`` (its name in its package), or its name."""
    found = next((d for d in files if d.name == name), None)
    shown = name.rsplit("/", 1)[-1]
    return md_link(shown, found.link_from(QUALITY)) if found else text(shown)


def quality_page(
    portal: Portal, files: Sequence[Download] = (), assessed: Assessment | None = None
) -> str:
    """The page; ``files``: the quality package as published (``write_quality_data``);
    ``assessed``: the checks' results and the scores, if already worked out."""
    disclosures = sorted(portal.disclosures, key=lambda e: e.disclosure_id)
    done = assessed or assess(portal)
    checks, of, scores = done.checks, done.results, done.scores
    audited = {e.disclosure_id for e in disclosures if e.findings is not None}
    checks_csv = _file_link(files, f"{CHECKS}.csv")
    scores_csv = _file_link(files, f"{SCORES}.csv")
    findings_csv = _file_link(portal.portal_downloads, "csv/findings.csv")
    package = _file_link(files, "datapackage.json")
    by_unit, unit_counts = _by_unit(portal)
    head = front_matter("数据质量", "全部公开文件的表格完整性、解析覆盖率和核查结果汇总")
    # safe: each section's cells are escaped (text, md_link) where they are built
    sections = {
        "distribution": _distribution(scores, audited),
        "by_year": _by_year(disclosures),
        "by_unit": by_unit,
        "skipped": _skipped(portal) if portal.skipped else "",
        "completeness": _completeness(disclosures, scores_csv),
        "coverage": _coverage(disclosures, scores_csv),
        "audit": _audit(checks, disclosures, of, checks_csv),
        "checks_csv": checks_csv,
        "scores_csv": scores_csv,
        "findings_csv": findings_csv,
        "package": package,
    }
    return head + render(
        "quality.md.j2",
        status=declarations.labels("tables", "status"),
        count=len(disclosures),
        audited=len(audited),
        units=unit_counts,
        listed_units=LISTED_UNITS,
        **{name: Markup(section) for name, section in sections.items()},
    )
