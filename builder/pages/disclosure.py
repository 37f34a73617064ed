"""The page of one disclosure: ``disclosures/<disclosure id>.md``.

In reading order: what the document is and where it comes from; notes and known
limitations (audit findings, missing tables); headline figures; charts; every table;
the narrative (概况, 情况说明); performance self-evaluations (or, for a budget, the
performance targets); the glossary; the audit findings in plain words; downloads with
sizes, SHA-256, licence and a suggested citation; schema.org ``Dataset`` JSON-LD.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from markupsafe import Markup

from builder import declarations
from builder.charts import disclosure_charts, facts
from builder.pages.catalog import DisclosureEntry, Download, Portal, link, url_root
from builder.pages.embed import embed_chart
from builder.pages.markup import (
    UNIT_10K,
    HtmlTable,
    amount,
    attr,
    front_matter,
    number,
    paragraphs,
    percent,
    text,
)
from builder.pages.metadata import dataset_jsonld, jsonld_script
from builder.pages.narrative import explanations_section, overview_section
from builder.pages.parts import Parts
from builder.pages.story import story, story_section
from builder.pages.tables import render_printed_table, render_table
from builder.pages.templating import render
from builder.release import current_release

OTHER_TABLE = "other_table"  # resource name prefix of a table of no standard kind
AS_PRINTED_NOTE = "此表不属于标准公开表格，{label}发布。"  # the as_printed status label
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
# How the page says a table's status: its declared label (tables.status) in a context.
STATUS_WORDING = {"empty": "{label}（原文注明）", "missing": "原文{label}"}
# The funding columns of a self-evaluation, titled (and united) as their declaration says.
EVALUATION_FUNDING = "performance_evaluation_funding"
FUNDING_FIELDS = (
    "initial_budget_declared",
    "initial_budget",
    "full_year_budget",
    "executed",
    "balance",
    "execution_rate",
    "score",
)
# The annex columns a page shows, each titled as its declaration says.
EVALUATIONS, TARGETS = "performance_evaluations", "performance_targets"
TARGET_FUNDING = "performance_target_funding"
LEVELS = ("level1", "level2", "level3")
EVALUATION_INDICATORS = "performance_evaluation_indicators"
INDICATOR_COLUMNS: tuple[str, ...] = (*LEVELS, "initial_target", "adjusted_target", "actual")
INDICATOR_COLUMNS += ("weight", "score", "deviation_reason")
TARGET_INDICATORS = "performance_target_indicators"
TARGET_COLUMNS = (*LEVELS, "period_target", "annual_target")
SIZE_UNITS = ("B", "KB", "MB", "GB")
KILO = 1024


def format_size(size: int) -> str:
    """``1536`` → ``1.5 KB``."""
    value = float(size)
    for unit in SIZE_UNITS:
        if value < KILO or unit == SIZE_UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= KILO
    raise AssertionError("unreachable")


def _limitations(entry: DisclosureEntry) -> str:
    notes: list[str] = []
    if entry.findings is None:
        notes.append("本文件尚未经过核查。")
    else:
        serious = entry.findings_of("error", "warning")
        if serious:
            notes.append(
                f"核查发现 {len(serious)} 处需要注意的问题（如表格缺失、数字不一致），"
                "见下文“核查发现”。我们照原样发布，不做更正。"
            )
        else:
            notes.append("核查未发现表格数字或文字说明中的问题。")
    for table in entry.parsed["tables"]:
        if table["status"] in ("missing", "unreadable"):
            label = facts.table_label(entry.parsed, table)
            notes.append(
                f"{label}：{status_wording(table['status'])}（目录中列出，但正文没有可读的表格，"
                "原 PDF 中可能是图片），相关图表改用其他表格的数字并在图注中说明。"
            )
    notes.append(f"金额单位为{UNIT_10K}，按原文照录；原文说明金额换算时可能存在尾数误差。")
    return render("limitations.md.j2", notes=notes)


def _package_file(entry: DisclosureEntry, name: str) -> Download | None:
    return next((d for d in entry.downloads if d.name == name), None)


def _tables_section(entry: DisclosureEntry, parts: Parts) -> str:
    """Each table under its heading, loaded when opened (``#table-<kind>`` opens it)."""
    out = ["## 公开表格\n"]
    for table in entry.parsed["tables"]:
        label = facts.table_label(entry.parsed, table)
        out.append(f"### {text(label)}\n")
        status = table["status"]
        if status != "parsed":
            out.append(f"{text(status_wording(status))}。\n")
            continue
        rows = len(table["rows"])
        body = render_table(table, label)
        summary = f"查看表格（{rows} 行，金额单位：{UNIT_10K}）"
        kind = str(table["kind"])
        title = f"{entry.title}：{label}"
        out.append(parts.details(summary, body, name=kind, title=title, anchor=f"table-{kind}"))
        out.append(_download_links(entry, kind))
    out += _printed_tables(entry, parts)
    return "\n".join(part for part in out if part)


def _download_links(entry: DisclosureEntry, resource: str) -> str:
    """Links to a resource's CSV and Parquet files, if the package has them."""
    links = []
    root = url_root(entry.page)
    for suffix in ("csv", "parquet"):
        download = _package_file(entry, f"{suffix}/{resource}.{suffix}")
        if download is not None:
            href = attr(download.href(root))
            links.append(f'<a href="{href}">下载 {suffix.upper()}</a>')
    if not links:
        return ""
    # Raw HTML from the page's URL (the files were just published): not indexed.
    return f"<p data-search-exclude>{' · '.join(links)}</p>\n"


def _printed_tables(entry: DisclosureEntry, parts: Parts) -> list[str]:
    """The tables of no standard kind, after the standard ones: title, note, rows as printed.

    Their resources are ``other_table_<n>`` in document order, as the publish stage names them.
    """
    out = []
    for position, table in enumerate(entry.parsed.get("other_tables") or [], start=1):
        out.append(f"### {text(table['title'])}\n")
        note = AS_PRINTED_NOTE.format(label=declarations.labels("tables", "status")["as_printed"])
        out.append(f"<p>{text(note)}</p>\n")
        if table.get("notes"):
            out.append(paragraphs("\n".join(table["notes"]), "portal-muted") + "\n")
        unit = table.get("money_unit_printed")
        summary = f"查看表格（{len(table['rows'])} 行" + (
            f"，原文金额单位：{unit}）" if unit else "）"
        )
        name = f"{OTHER_TABLE}_{position}"
        body = render_printed_table(table, str(table["title"]))
        title = f"{entry.title}：{table['title']}"
        out.append(parts.details(summary, body, name=name, title=title, anchor=f"table-{name}"))
        out.append(_download_links(entry, name))
    return out


def status_wording(status: str) -> str:
    """A table status as the page says it: the declared label (``tables.status``), for an
    empty or missing table with where that comes from (本表无数据（原文注明）, 原文缺失)."""
    label = declarations.labels("tables", "status")[status]
    return STATUS_WORDING.get(status, "{label}").format(label=label)


def _titled(name: str, *fields: str) -> list[tuple[str, str]]:
    """(field, declared title) of ``fields`` of the declaration ``name``."""
    titles = declarations.titles(name)
    return [(field, titles[field]) for field in fields]


def _funding_table(sheet: dict[str, Any]) -> str:
    titles = declarations.titles(EVALUATION_FUNDING)
    columns = [c for c in sheet.get("funding_columns") or [] if c in FUNDING_FIELDS]
    unit = sheet.get("money_unit") or UNIT_10K
    units = declarations.units(EVALUATION_FUNDING)  # execution_rate: %
    headers = [titles["source"]] + [
        titles[c] if c == "score" else f"{titles[c]}（{units.get(c, unit)}）" for c in columns
    ]
    table = HtmlTable(
        headers=headers,
        numeric=set(range(1, len(headers))),
        name_column=0,
        caption=f"{sheet['project_name']}：项目资金预算安排及执行",
    )
    for row in sheet.get("funding") or []:
        table.add(
            [str(row.get("source") or "").rstrip(":：")]
            + [
                percent(row.get(c)).removesuffix("%")
                if c == "execution_rate"
                else number(row.get(c))
                for c in columns
            ]
        )
    return table.render()


def _indicator_table(
    indicators: list[dict[str, Any]], declared: str, fields: tuple[str, ...], caption: str
) -> str:
    columns = _titled(declared, *fields)
    table = HtmlTable(headers=[title for _, title in columns], caption=caption)
    for row in indicators:
        table.add(
            [number(v) if isinstance(v := row.get(key), Decimal) else v for key, _ in columns]
        )
    return table.render()


def _performance_section(entry: DisclosureEntry, parts: Parts) -> str:
    annexes = entry.parsed["annexes"]
    out: list[str] = []
    sheets = annexes.get("performance_evaluations") or []
    if sheets:
        out.append("## 项目绩效自评\n")
        sheet_titles = declarations.titles(EVALUATIONS)
        funding = declarations.titles(EVALUATION_FUNDING)
        # The project names are the headings below (indexed for search); the table is not.
        summary = HtmlTable(
            headers=[
                sheet_titles["project_name"],
                funding["full_year_budget"],
                funding["executed"],
                funding["execution_rate"],
                sheet_titles["total_score"],
                sheet_titles["grade"],
            ],
            numeric={1, 2, 3, 4},
            name_column=0,
            caption="项目绩效自评汇总",
        )
        for p in facts.projects(entry.parsed):
            summary.add(
                [
                    p.name,
                    amount(p.full_year_budget, p.money_unit),
                    amount(p.executed, p.money_unit),
                    percent(p.execution_rate) if p.execution_rate is not None else "未填",
                    p.total_score,
                    p.grade,
                ]
            )
        out.append(summary.render())
        for number_, sheet in enumerate(sheets, start=1):
            out.append(f"### {text(sheet['project_name'])}\n")
            score = sheet.get("total_score")
            grade = sheet.get("grade")
            out.append(
                f"<p>自评总分：<strong>{text(score)}</strong> 分，"
                f"等级：<strong>{text(grade)}</strong>。</p>\n"
            )
            inner = []
            for key, label in _titled(EVALUATIONS, "annual_targets", "actual_results"):
                if sheet.get(key):
                    inner.append(f"<p><strong>{label}：</strong>{text(sheet[key])}</p>\n")
            if sheet.get("indicators"):
                caption = f"{sheet['project_name']}：绩效指标"
                inner.append(
                    parts.details(
                        f"绩效指标（{len(sheet['indicators'])} 项）",
                        _indicator_table(
                            sheet["indicators"], EVALUATION_INDICATORS, INDICATOR_COLUMNS, caption
                        ),
                        name=f"evaluation-{number_}-indicators",
                        title=f"{entry.title}：{caption}",
                    )
                )
            # The funding table is loaded when the block is opened; the targets and results
            # stay on the page, searched.
            out.append(
                parts.searched_details(
                    "资金、目标与完成情况",
                    _funding_table(sheet),
                    "\n".join(inner),
                    name=f"evaluation-{number_}-funding",
                    title=f"{entry.title}：{sheet['project_name']}：项目资金预算安排及执行",
                )
            )
            analysis = "\n".join(
                f"<p><strong>{text(part['heading'])}</strong></p>\n{paragraphs(part['text'])}"
                for part in sheet.get("analysis") or []
            )
            if analysis:
                # The long self-assessment is read on the page, not searched: it would be
                # the largest part of the search index (the project's name, targets and
                # results above are indexed).
                out.append(
                    parts.details(
                        "自评分析",
                        analysis,
                        name=f"evaluation-{number_}-analysis",
                        title=f"{entry.title}：{sheet['project_name']}：自评分析",
                    )
                )
    targets = annexes.get("performance_targets") or []
    if targets:
        out.append("## 项目绩效目标\n")
        for number_, sheet in enumerate(targets, start=1):
            out.append(f"### {text(sheet['project_name'])}\n")
            unit = sheet.get("money_unit") or declarations.units(TARGET_FUNDING)["annual_yuan"]
            funding = declarations.titles(TARGET_FUNDING)
            table = HtmlTable(
                headers=[
                    funding["source"],
                    f"{funding['period_total_yuan']}（{unit}）",
                    f"{funding['annual_yuan']}（{unit}）",
                ],
                numeric={1, 2},
                name_column=0,
                caption=f"{sheet['project_name']}：项目资金",
            )
            for row in sheet.get("funding") or []:
                table.add(
                    [
                        str(row.get("source") or "").rstrip(":：").removeprefix("其中："),
                        number(row.get("period_total_yuan")),
                        number(row.get("annual_yuan")),
                    ]
                )
            out.append(table.render())
            described = ("overview", "overall_target_period", "overall_target_annual")
            for key, label in _titled(TARGETS, *described):
                if sheet.get(key):
                    out.append(f"<p><strong>{label}：</strong>{text(sheet[key])}</p>\n")
            if sheet.get("indicators"):
                caption = f"{sheet['project_name']}：绩效目标指标"
                out.append(
                    parts.details(
                        f"绩效目标指标（{len(sheet['indicators'])} 项）",
                        _indicator_table(
                            sheet["indicators"], TARGET_INDICATORS, TARGET_COLUMNS, caption
                        ),
                        name=f"target-{number_}-indicators",
                        title=f"{entry.title}：{caption}",
                    )
                )
    return "\n".join(out)


def _glossary_section(entry: DisclosureEntry, parts: Parts) -> str:
    terms = entry.parsed["narrative"].get("glossary") or []
    if not terms:
        return ""
    items = "\n".join(
        f"<dt>{text(t['term'])}</dt>\n<dd>{text(t['definition'])}</dd>" for t in terms
    )
    # Left out of the search index: the glossary page has every term with its sources, so a
    # search for a term leads there once instead of to every disclosure that defines it.
    # Collapsed and loaded when opened, like the tables: the terms are one click away.
    return "## 名词解释\n\n" + parts.details(
        f"本文件的名词解释（{len(terms)} 条）",
        f"<dl>\n{items}\n</dl>",
        name="glossary",
        title=f"{entry.title}：名词解释",
    )


FINDING_UNITS = {"percent": "%", "count": ""}  # a finding's field → the unit of its figures


def _finding_value(value: object, field: object = None) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    unit = FINDING_UNITS.get(str(field))
    return amount(number) if unit is None else f"{number:,}{unit}"


def _as_list(value: object) -> list[object]:
    if isinstance(value, list | tuple):
        return list(value)
    return [] if value is None or value == "" else [value]


def describe_finding(
    finding: dict[str, Any], parsed: dict[str, Any], titles: dict[str, str] | None = None
) -> str:
    """One audit finding in plain words, as safe HTML: message, amounts, where, and the
    Chinese title of its check (``titles``: check id → title) where known."""
    severity = str(finding.get("severity") or "")
    labels = {str(t["kind"]): facts.table_label(parsed, t) for t in parsed["tables"]}
    message = str(finding.get("message_zh") or "")
    numbers = []
    for key, label in (("expected", "应为"), ("actual", "实际"), ("difference", "相差")):
        shown = _finding_value(finding.get(key), finding.get("field"))
        if shown:
            numbers.append(f"{label} {shown}")
    where = []
    tables = [labels.get(str(t), str(t)) for t in _as_list(finding.get("tables"))]
    if tables:
        where.append("涉及" + "、".join(tables))
    lines = [str(n) for n in _as_list(finding.get("rows"))]
    if lines:
        where.append("原文第 " + "、".join(lines) + " 行")
    pages = [str(n) for n in _as_list(finding.get("pages"))]
    if pages:
        where.append("PDF 第 " + "、".join(pages) + " 页")
    text_parts = [message.rstrip("。；; ")]
    if numbers:
        text_parts.append("（" + "，".join(numbers) + "）")
    text_parts.append("。")
    if where:
        text_parts.append("；".join(where) + "。")
    badge = SEVERITY_ZH.get(severity, severity)
    head = f"<strong>{text(badge)}</strong> " if badge else ""
    # The check's id stays in the data (findings.csv); readers get its Chinese title.
    title = (titles or {}).get(str(finding.get("check_id") or ""))
    tail = f'<span class="portal-muted">（核查项：{text(title)}）</span>' if title else ""
    return head + text("".join(text_parts)) + tail


def check_titles(portal: Portal) -> dict[str, str]:
    """The Chinese title of each declared check, by id."""
    return {check.id: check.title_zh for check in portal.checks}


def findings_block(entry: DisclosureEntry, titles: dict[str, str] | None = None) -> str:
    """The audit findings of a disclosure, most serious first, in plain words."""

    def said(severities: tuple[str, ...]) -> list[Markup]:
        return [
            Markup(describe_finding(f, entry.parsed, titles))  # safe: escaped there
            for f in entry.findings_of(*severities)
        ]

    return render(
        "findings.md.j2",
        audited=entry.findings is not None,
        serious=said(("error", "warning")),
        notes=said(("info",)),
    )


def _file_label(label: str) -> str:
    """A file name, escaped, that wraps after ``/`` and ``_`` and before the extension."""
    escaped = text(label).replace("/", "/<wbr>").replace("&#95;", "&#95;<wbr>")
    stem, dot, suffix = escaped.rpartition(".")
    return f"{stem}<wbr>.{suffix}" if dot and stem else escaped


def _downloads_table(entry: DisclosureEntry, files: list[Download], caption: str) -> str:
    """The files with size and SHA-256, as raw HTML (links from the page's URL; the files
    are the ones just published, so there is nothing for MkDocs to check)."""
    table = HtmlTable(headers=["文件", "大小", "SHA-256"], numeric={1}, caption=caption)
    root = url_root(entry.page)
    for download in files:
        label = "原始文本（PDF 提取）" if download is entry.source else download.name
        title = f"<br>{text(download.title)}" if download.title else ""
        table.add_html(
            [
                f'<a href="{attr(download.href(root))}">{_file_label(label)}</a>{title}',
                text(format_size(download.size)),
                f'<code class="sha256">{text(download.sha256)}</code>',
            ]
        )
    return table.render()


DEFAULT_LICENCE_ZH = "政府信息公开，按原样转载"
_CJK = re.compile(r"[\u4e00-\u9fff][^()（）;；]*")


def licence_zh(licence: str | None) -> str:
    """The licence in Chinese: as recorded when it is Chinese, else its Chinese part
    (``Government public information (政府信息公开); …`` → ``政府信息公开，按原样转载``)."""
    if not licence:
        return DEFAULT_LICENCE_ZH
    if not re.search(r"[A-Za-z]", licence):
        return licence
    found = _CJK.findall(licence)
    if found == ["政府信息公开"]:
        return DEFAULT_LICENCE_ZH
    return "，".join(found) if found else DEFAULT_LICENCE_ZH


def _downloads_section(entry: DisclosureEntry, portal: Portal, parts: Parts) -> str:
    out = ["## 下载与引用\n"]
    main = [d for d in entry.downloads if "/" not in d.name]
    per_table = [d for d in entry.downloads if "/" in d.name]
    files = ([entry.source] if entry.source else []) + main
    if not entry.downloads:
        out.append('<p class="portal-muted">本文件的开放数据包尚未生成；可先下载原始文本。</p>\n')
    else:
        out.append(
            "<p>数据包包括说明文件（README）、数据包描述（datapackage.json）、"
            "全部表格的 Excel 工作簿，以及每张表的 CSV 和 Parquet 文件。"
            "下载后可用 SHA-256 校验值核对文件完整性。</p>\n"
        )
    if files:
        out.append(_downloads_table(entry, files, "原始文本与数据包文件"))
    if per_table:
        out.append(
            parts.details(
                f"逐表文件（CSV / Parquet，共 {len(per_table)} 个）",
                _downloads_table(entry, per_table, "逐表文件"),
                name="files",
                title=f"{entry.title}：逐表文件",
                anchor="files",
            )
        )
    out.append(f"<p><strong>许可：</strong>{text(licence_zh(entry.licence))}</p>\n")
    if entry.source_url:
        out.append(f"<p><strong>原文地址：</strong>{text(entry.source_url)}</p>\n")
    citation = (
        f"{entry.unit_name}：《{entry.document.get('title') or entry.title}》，"
        f"开放预算门户整理，数据标识 {entry.disclosure_id}，{current_release().label}，"
        f"{portal.absolute(entry.page)}"
    )
    out.append(f"<p><strong>建议引用：</strong>{text(citation)}</p>\n")
    return "\n".join(out)


def disclosure_page(
    entry: DisclosureEntry, portal: Portal, docs_dir: Path, shared: Path | None = None
) -> str:
    """The Markdown of the disclosure's page (its chart files are written on the way into
    ``docs_dir``; ``shared``: the docs dir it is moved into, see ``Parts.shared``)."""
    parsed = entry.parsed
    unit = next(u for u in portal.units if u.unit_id == entry.unit_id)
    charts = disclosure_charts(entry.disclosure_id, parsed)
    parts = Parts(docs_dir, entry.page, entry.title, shared=shared)
    sentences = story(entry)
    sections = [
        story_section(entry, sentences),
        overview_section(parsed),
        _limitations(entry),
        ("## 图表\n\n" if charts else "")
        + "\n".join(embed_chart(chart, parts) for chart in charts),
        _tables_section(entry, parts),
        explanations_section(parsed),
        _performance_section(entry, parts),
        _glossary_section(entry, parts),
        "## 核查发现\n\n" + findings_block(entry, check_titles(portal)),
        _downloads_section(entry, portal, parts),
        jsonld_script(dataset_jsonld(entry, portal)),
    ]
    body = render(
        "disclosure.md.j2",
        title=entry.title,
        document_title=entry.document.get("title") or entry.title,
        has_source=entry.source is not None,
        unit_name=entry.unit_name,
        unit_link=link(entry.page, unit.page),
        others=[
            {"when": e.when, "link": link(entry.page, e.page)}
            for e in unit.disclosures
            if e is not entry
        ],
        # Each section is Markdown built from escaped parts (text(), md_table, HtmlTable).
        sections=[Markup(section) for section in sections if section],  # safe: see above
    )
    parts.write()
    summary = "".join(sentences)
    head = front_matter(entry.title, summary or f"{entry.title}公开数据")
    return head + body
