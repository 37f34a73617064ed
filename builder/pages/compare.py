"""The comparison page (``compare.md``): units side by side, category by category, per year.

Only final accounts of one year are compared (``builder.charts.compare``); the table of
each year is downloadable as CSV beside its charts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from builder.charts import facts
from builder.charts.compare import UnitFigures, comparison_charts, unit_figures
from builder.charts.compare import columns as comparison_columns
from builder.charts.files import write_csv
from builder.pages.catalog import DisclosureEntry, Portal, link
from builder.pages.embed import embed_chart
from builder.pages.home import compare_year_page, final_years, of_year, ranking
from builder.pages.markup import front_matter, md_link, number, text
from builder.pages.paging import Listing
from builder.pages.parts import Parts
from builder.pages.templating import render

COMPARE = "compare.md"
TITLE = "单位比较"
UNITS_PER_PAGE = 400  # units of a year on one page (each in both parts of the table)


def _parts() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The year's table in two parts that fit a page (the CSV has every column)."""
    personnel, public = facts.group_label("personnel"), facts.group_label("public")
    return (
        ("支出、“三公”经费与机关运行经费", ("spending", "three_public", "receptions", "office")),
        (f"基本支出中的{personnel}与{public}", ("personnel", "public", "personnel_share")),
    )


def _cell(value: object) -> str:
    if isinstance(value, Decimal):
        return text(number(value))
    return text(value)


def _listings(year: int, entries: list[tuple[DisclosureEntry, UnitFigures]]) -> list[Listing[Any]]:
    """The year's table, in its parts (:func:`_parts`), each cut into pages alike."""
    all_columns = comparison_columns()
    listings: list[Listing[Any]] = []
    for caption, keys in _parts():
        columns = [c for c in all_columns if c.key in keys]

        def cells(
            pair: tuple[DisclosureEntry, UnitFigures], page: str, columns: list[Any] = columns
        ) -> list[str]:
            entry, figures = pair
            return [md_link(entry.unit_name, link(page, entry.page))] + [
                _cell(figures.row.get(column.key)) for column in columns
            ]

        listings.append(
            Listing(
                compare_year_page(year),
                entries,
                lambda pair: pair[0].unit_name,
                cells,
                ["单位", *(column.heading for column in columns)],
                ["left"] + ["right"] * len(columns),
                caption=f"{year}年度决算：{caption}",
                per_page=UNITS_PER_PAGE,
            )
        )
    return listings


def _year_pages(year: int, portal: Portal, docs_dir: Path) -> tuple[dict[str, str], str]:
    """One year's comparison: its first page (the table's first units, the CSV of every unit
    and the charts) and the further pages of its table; and the CSV's docs path."""
    page = compare_year_page(year)
    parts = Parts(docs_dir, page, f"{year}年度{TITLE}")
    found = sorted(of_year(portal, year, "final"), key=lambda e: e.unit_name)
    figures = [unit_figures(e.disclosure_id, e.parsed) for e in found]
    listings = _listings(year, list(zip(found, figures, strict=True)))
    rows = [f.row for f in figures]
    csv_path = write_csv(f"compare-{year}", comparison_columns(), rows, docs_dir)
    charts = [
        Markup(embed_chart(chart, parts))  # safe: escaped by embed_chart
        for chart in comparison_charts(year, figures)
    ]
    ranked = ranking(portal, year, parts)
    parts.write()
    pages = {}
    for page_number in range(1, listings[0].count + 1):
        here = listings[0].path(page_number)
        suffix = "" if page_number == 1 else f"（第 {page_number} 页）"
        head = front_matter(
            f"{year}年度{TITLE}{suffix}",
            f"{year}年度各单位决算分类比较",
            **({} if page_number == 1 else {"search": {"exclude": True}}),
        )
        pages[here] = head + render(
            "compare_year.md.j2",
            year=year,
            suffix=suffix,
            back=link(here, COMPARE),
            count=len(found),
            # safe: md_table cells are escaped, the pager's labels too
            pager=Markup(listings[0].pager(page_number)),
            tables=[Markup(listing.rows_table(page_number)) for listing in listings],
            csv=Markup(md_link(f"下载{year}年度比较数据（CSV）", link(here, csv_path.as_posix()))),
            charts=charts if page_number == 1 else [],
            ranking=Markup(ranked) if page_number == 1 else "",  # safe: escaped by ranking
        )
    return pages, csv_path.as_posix()


def compare_pages(portal: Portal, docs_dir: Path) -> dict[str, str]:
    """The comparison page (a line per year) and each year's pages: docs path → Markdown."""
    pages: dict[str, str] = {}
    years = []
    for year in final_years(portal):
        written, csv_path = _year_pages(year, portal, docs_dir)
        pages.update(written)
        years.append(
            {
                "year": year,
                "count": len(of_year(portal, year, "final")),
                "link": link(COMPARE, compare_year_page(year)),
                "csv": link(COMPARE, csv_path),
            }
        )
    ((_, receptions),) = facts.three_public_items("official_receptions")
    personnel = facts.group_label("personnel")
    head = front_matter(
        TITLE, f"同一年度各单位决算分类比较：{receptions}、机关运行经费、{personnel}占比"
    )
    return {COMPARE: head + render("compare.md.j2", years=years), **pages}
