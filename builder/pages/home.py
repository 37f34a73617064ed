"""The home page (``index.md``) and the list of all disclosures (``disclosures/index.md``).

The home page says what the portal is and gives headline figures that never add up
different years or different kinds of document: each headline names the year and the
documents it sums (the latest year of final accounts). The 按年度 tables sum final
accounts and budgets apart, year by year; a budget is set beside final accounts only for
the same unit and year. The rankings and charts compare units within one year.

The page shows what fits a first view at any number of disclosures: the sums of the latest
:data:`HOME_YEARS` years and the top of the latest year's ranking, with every year's sums,
the full ranking and the table of every unit's documents loaded when opened
(``builder.pages.parts``); the rankings of other years are on their comparison pages
(``builder.pages.compare``), linked by year. The list of disclosures is cut into pages
(``builder.pages.paging``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from builder.charts import facts, three_public_by_unit, units_compared
from builder.pages.catalog import DisclosureEntry, Portal, link
from builder.pages.embed import embed_chart
from builder.pages.markup import UNIT_10K as UNIT
from builder.pages.markup import (
    HtmlTable,
    amount,
    front_matter,
    md_link,
    md_table,
    number,
    percent,
    share,
    text,
)
from builder.pages.paging import PAGE_ROWS, Listing
from builder.pages.parts import Parts, page_href
from builder.pages.templating import render

HOME = "index.md"
SITE_TITLE = "开放预算门户"
UNITS = "units/index.md"
TOP_RANKED = 10  # units of a year's ranking shown on the page; the rest when opened
HOME_YEARS = 10  # years of the 按年度 tables shown on the page; every year when opened
DISCLOSURES = "disclosures/index.md"
COMPARE = "compare.md"
DISCLOSURES_PER_PAGE = PAGE_ROWS  # rows of the list of disclosures on one page


@dataclass(frozen=True)
class Figure:
    value: str
    what: str


def _sum(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def of_year(portal: Portal, year: int, kind: str) -> list[DisclosureEntry]:
    """The disclosures of one year and kind (``final`` / ``budget``)."""
    return [e for e in portal.disclosures if e.year == year and e.kind == kind]


def final_years(portal: Portal) -> list[int]:
    """The years with final accounts, latest first."""
    return sorted({e.year for e in portal.disclosures if e.kind == "final"}, reverse=True)


def _headline(portal: Portal) -> list[Figure]:
    figures = [
        Figure(f"{len(portal.units)} 个", "单位"),
        Figure(
            f"{len(portal.disclosures)} 份",
            "公开文件（" + "、".join(map(str, portal.years)) + "年度）",
        ),
    ]
    years = final_years(portal)
    if years:
        year = years[0]
        finals = of_year(portal, year, "final")
        spending = _sum([e.spending for e in finals])
        final = facts.phase_label(facts.FINAL)
        three = _sum([facts.three_public_totals(e.parsed).get(facts.FINAL) for e in finals])
        figures.append(
            Figure(amount(spending), f"{year}年度 {len(finals)} 份决算的本年支出合计之和")
        )
        figures.append(
            Figure(amount(three), f"{year}年度 {len(finals)} 份决算的“三公”经费{final}之和")
        )
    return figures


def _by_year(portal: Portal, parts: Parts) -> str:
    """The sums of each year, final accounts and budgets apart: the latest
    :data:`HOME_YEARS` on the page, every year when the block under them is opened."""
    out = []
    for kind, phase, title in (
        ("final", facts.FINAL, "决算（{unit}，同一年度的决算相加）"),
        ("budget", facts.BUDGET, "预算（{unit}，同一年度的预算相加）"),
    ):
        rows = []
        for year in sorted(portal.years, reverse=True):
            found = of_year(portal, year, kind)
            if found:
                rows.append(
                    [
                        text(f"{year}年度"),
                        text(f"{len(found)} 份"),
                        text(sum_of([e.spending for e in found])),
                        text(
                            sum_of([facts.three_public_totals(e.parsed).get(phase) for e in found])
                        ),
                    ]
                )
        if not rows:
            continue
        headers = ["年度", "份数", "本年支出合计之和", f"“三公”经费{facts.phase_label(phase)}之和"]
        caption = title.format(unit=UNIT)
        out.append(
            md_table(
                headers, rows[:HOME_YEARS], ["left", "right", "right", "right"], caption=caption
            )
        )
        if len(rows) > HOME_YEARS:
            full = HtmlTable(headers=headers, numeric={1, 2, 3}, name_column=0, caption=caption)
            for row in rows:
                full.add_html(row)
            out.append(
                parts.details(
                    f"查看全部 {len(rows)} 个年度",
                    full.render(),
                    name=f"years-{kind}",
                    title=f"按年度：{caption}",
                    anchor=f"years-{kind}",
                )
            )
    return "\n".join(out)


def sum_of(values: list[Decimal | None]) -> str:
    """A sum we computed, with two decimals like every figure (``15,621.11``)."""
    return amount(_sum(values), "")


def _pairs(portal: Portal) -> str:
    """Budget beside final accounts, only for the same unit and year."""
    rows = []
    for unit in portal.units:
        for year in sorted({e.year for e in unit.disclosures}):
            kinds = {e.kind: e for e in unit.disclosures if e.year == year}
            if set(kinds) != {"budget", "final"}:
                continue
            planned = kinds["budget"].spending
            spent = kinds["final"].spending
            rate = share(spent, planned) if planned is not None and spent is not None else None
            rows.append(
                [
                    md_link(unit.unit_name, link(HOME, unit.page)),
                    text(f"{year}年度"),
                    text(number(planned)),
                    text(number(spent)),
                    text(percent(rate)),
                ]
            )
    if not rows:
        return ""
    return md_table(
        [
            "单位",
            "年度",
            f"预算本年支出合计（{UNIT}）",
            f"决算本年支出合计（{UNIT}）",
            "决算为预算的",
        ],
        rows,
        ["left", "left", "right", "right", "right"],
        caption="同一单位同一年度：预算与决算的本年支出合计",
    )


def compare_year_page(year: int) -> str:
    """The docs path of one year's comparison (``builder.pages.compare``), where the year's
    ranking is: ``compare/2024.md``."""
    return f"compare/{year}.md"


def ranking(portal: Portal, year: int, parts: Parts) -> str:
    """The units of ``year`` by spending: the first :data:`TOP_RANKED` on the page of
    ``parts``, every one when the block under them is opened."""
    here = parts.page
    ranked = sorted(
        (
            (spending, entry)
            for entry in of_year(portal, year, "final")
            if (spending := entry.spending) is not None
        ),
        key=lambda pair: pair[0],
        reverse=True,
    )
    headers = ["排名", "单位", "本年支出合计", f"“三公”经费{facts.phase_label(facts.FINAL)}"]
    caption = f"{year}年度决算（{UNIT}，从高到低）"
    rows = []
    full = HtmlTable(headers=headers, numeric={0, 2, 3}, name_column=1, caption=caption)
    for rank, (spending, entry) in enumerate(ranked, start=1):
        three = text(number(facts.three_public_totals(entry.parsed).get(facts.FINAL)) or "未列出")
        rows.append(
            [
                text(rank),
                md_link(entry.unit_name, link(here, entry.page)),  # to that year's final
                text(number(spending)),
                three,
            ]
        )
        href = page_href(here, entry.page)
        full.add_html(
            [
                text(rank),
                f'<a href="{href}">{text(entry.unit_name)}</a>',
                text(number(spending)),
                three,
            ]
        )
    shown = md_table(
        headers, rows[:TOP_RANKED], ["right", "left", "right", "right"], caption=caption
    )
    if len(rows) <= TOP_RANKED:
        return shown
    return shown + parts.details(
        f"查看全部 {len(rows)} 个单位的排名",
        full.render(),
        name=f"ranking-{year}",
        title=f"{year}年度决算：支出最多的单位（全部 {len(rows)} 个）",
        anchor=f"ranking-{year}",
    )


def _entry_points(portal: Portal, parts: Parts) -> str:
    """Every unit's documents by year, loaded when opened (a row per unit: the page would
    grow with the portal), after a link to the list of units."""
    caption = "各单位各年度的公开文件"
    table = HtmlTable(
        headers=["单位", *[f"{y}年度" for y in portal.years]], name_column=0, caption=caption
    )
    for unit in portal.units:
        cells = [f'<a href="{page_href(HOME, unit.page)}">{text(unit.unit_name)}</a>']
        for year in portal.years:
            found = [e for e in unit.disclosures if e.year == year]
            cells.append(
                "，".join(
                    f'<a href="{page_href(HOME, e.page)}">{text(e.kind_zh)}</a>' for e in found
                )
                or "—"
            )
        table.add_html(cells)
    units = md_link(f"全部 {len(portal.units)} 个单位", link(HOME, UNITS))
    # Left out of search, as the table was (the units page is what a search finds).
    lead = f'按单位查看：{units}。\n{{: data-search-exclude="" }}\n\n'
    return lead + parts.details(
        f"{caption}（{len(portal.units)} 个单位）",
        table.render(),
        name="units-by-year",
        title=caption,
        anchor="units-by-year",
    )


def home_page(portal: Portal, docs_dir: Path) -> str:
    parts = Parts(docs_dir, HOME, SITE_TITLE)
    charts = []
    years = final_years(portal)
    if years:
        pairs = [(e.disclosure_id, e.parsed) for e in of_year(portal, years[0], "final")]
        for chart in (units_compared(pairs, years[0]), three_public_by_unit(pairs, years[0])):
            if chart is not None:
                charts.append(Markup(embed_chart(chart, parts)))  # safe: escaped
    body = render(
        "home.md.j2",
        figures=_headline(portal),
        by_year=Markup(_by_year(portal, parts)),  # safe: md_table cells are escaped
        pairs=Markup(_pairs(portal)),
        rankings=[{"year": y, "table": Markup(ranking(portal, y, parts))} for y in years[:1]],
        other_rankings=[
            {"year": y, "link": link(HOME, compare_year_page(y)) + "#ranking"} for y in years[1:]
        ],
        charts=charts,
        entry_points=Markup(_entry_points(portal, parts)),
        links={
            name: link(HOME, target)
            for name, target in (
                ("compare", COMPARE),
                ("disclosures", DISCLOSURES),
                ("data", "data.md"),
                ("quality", "quality.md"),
                ("glossary", "glossary.md"),
                ("methodology", "methodology.md"),
            )
        },
    )
    parts.write()
    head = front_matter(SITE_TITLE, "山西省等地部门预算和决算公开数据：表格、图表、下载、核查")
    return head + body


def disclosures_index(portal: Portal) -> dict[str, str]:
    """The list of every disclosure, latest year first, a page per :data:`DISCLOSURES_PER_PAGE`
    (``builder.pages.paging``): docs path → Markdown."""

    def cells(entry: DisclosureEntry, page: str) -> list[str]:
        return [
            text(entry.year),
            md_link(entry.unit_name, link(page, entry.unit_page)),
            md_link(f"{entry.document.get('scope') or ''}{entry.kind_zh}", link(page, entry.page)),
            text(number(entry.spending)),
            text(entry.audit_summary),
        ]

    listing = Listing(
        DISCLOSURES,
        sorted(portal.disclosures, key=lambda e: (-e.year, e.unit_name, e.kind)),
        lambda entry: f"{entry.year}年度",
        cells,
        ["年度", "单位", "公开文件", f"本年支出合计（{UNIT}）", "核查发现"],
        ["left", "left", "left", "right", "center"],
        caption="全部公开文件",
        per_page=DISCLOSURES_PER_PAGE,
    )
    intro = f"共 {len(portal.disclosures)} 份公开文件，按年度排列。金额单位：{UNIT}。"
    return listing.pages("公开文件", "本门户收录的全部预算和决算公开文件", intro)
