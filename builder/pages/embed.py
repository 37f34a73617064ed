"""Embedding a chart in a page: the figure, its caption, the CSV link and the data table.

The spec is fetched by ``charts.js`` from ``data-spec-url`` (a static file the browser
caches); the figure caption repeats the title and source; the CSV of the data behind the
chart is a Markdown link (MkDocs checks it exists); the same data is in a collapsed HTML
table under the chart, for readers who cannot see the chart.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from builder.charts import Chart, write_chart
from builder.pages.catalog import link, url_root
from builder.pages.markup import HtmlTable, attr, details, md_link, number, text


def chart_table(chart: Chart) -> str:
    table = HtmlTable(
        headers=[column.heading for column in chart.columns],
        numeric={i for i, column in enumerate(chart.columns) if column.unit},
    )
    for row in chart.rows:
        cells: list[object] = []
        for column in chart.columns:
            value = row.get(column.key)
            cells.append(number(value) if isinstance(value, Decimal | int) else value)
        table.add(cells)
    return table.render()


def embed_chart(chart: Chart, page: str, docs_dir: Path) -> str:
    """Write the chart's files and return the Markdown that shows it on ``page``."""
    spec_path, csv_path = write_chart(chart, docs_dir)
    spec_url = url_root(page) + spec_path.as_posix()
    figure = (
        f'<figure class="portal-chart" id="chart-{attr(chart.chart_id)}">\n'
        f'<div class="vega-chart" data-spec-url="{attr(spec_url)}"></div>\n'
        f"<figcaption>{text(chart.title)}。{text(chart.source)}。</figcaption>\n"
        "</figure>\n"
    )
    csv_link = md_link("下载图表数据（CSV）", link(page, csv_path.as_posix()))
    body = f'<p class="portal-muted">{text(chart.description)}</p>\n' + chart_table(chart)
    return f"{figure}\n{csv_link}\n\n{details('图表数据（表格）', body, search=False)}\n"
