"""The comparison page (``compare.md``): units side by side, category by category, per year.

Only final accounts of one year are compared (``builder.charts.compare``); the table of
each year is downloadable as CSV beside its charts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from builder.charts import facts
from builder.charts.compare import columns as comparison_columns
from builder.charts.compare import comparison_charts, unit_figures
from builder.charts.files import write_csv
from builder.pages.catalog import Portal, link
from builder.pages.embed import embed_chart
from builder.pages.home import final_years, of_year
from builder.pages.markup import front_matter, md_link, md_table, number, text
from builder.pages.parts import Parts
from builder.pages.templating import render

COMPARE = "compare.md"
TITLE = "单位比较"


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


def compare_page(portal: Portal, docs_dir: Path) -> str:
    parts = Parts(docs_dir, COMPARE, TITLE)
    years = []
    all_columns = comparison_columns()
    for year in final_years(portal):
        entries = sorted(of_year(portal, year, "final"), key=lambda e: e.unit_name)
        figures = [unit_figures(e.disclosure_id, e.parsed) for e in entries]
        tables = []
        for caption, keys in _parts():
            columns = [c for c in all_columns if c.key in keys]
            rows = [
                [md_link(entry.unit_name, link(COMPARE, entry.page))]
                + [_cell(f.row.get(column.key)) for column in columns]
                for entry, f in zip(entries, figures, strict=True)
            ]
            tables.append(
                md_table(
                    ["单位", *(column.heading for column in columns)],
                    rows,
                    ["left"] + ["right"] * len(columns),
                    caption=f"{year}年度决算：{caption}",
                )
            )
        table = "\n".join(tables)
        csv_path = write_csv(f"compare-{year}", all_columns, [f.row for f in figures], docs_dir)
        csv_link = md_link(f"下载{year}年度比较数据（CSV）", link(COMPARE, csv_path.as_posix()))
        charts = [
            Markup(embed_chart(chart, parts))  # safe: escaped by embed_chart
            for chart in comparison_charts(year, figures)
        ]
        years.append(
            {
                "year": year,
                "table": Markup(table),  # safe: md_table cells are escaped
                "csv": Markup(csv_link),  # safe: md_link escapes its label
                "charts": charts,
            }
        )
    ((_, receptions),) = facts.three_public_items("official_receptions")
    personnel = facts.group_label("personnel")
    parts.write()
    head = front_matter(
        TITLE, f"同一年度各单位决算分类比较：{receptions}、机关运行经费、{personnel}占比"
    )
    return head + render("compare.md.j2", years=years)
