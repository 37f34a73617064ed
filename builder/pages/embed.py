"""Embedding a chart in a page: the figure, its caption, the CSV link and the data table.

The spec is put together by ``charts.js`` from the template of the chart's shape
(``data-spec-template``, one file shared by every chart of that shape, which the browser
caches) and the chart's own slot values (``data-spec-values``); the figure caption
repeats the title and source; the CSV of the data behind the chart is linked under it
(written beside the values, by the same call); the same data is in a collapsed HTML
table under the chart, for readers who cannot see the chart, loaded when opened
(``builder.pages.parts``; ``#chart-<id>-data`` opens it).
"""

from __future__ import annotations

from decimal import Decimal

from builder.charts import Chart, write_chart
from builder.charts.files import ChartFiles
from builder.pages.catalog import url_root
from builder.pages.markup import HtmlTable, attr, number, text
from builder.pages.parts import Parts


def chart_table(chart: Chart) -> str:
    table = HtmlTable(
        caption=f"{chart.title}：数据",
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


def embed_chart(chart: Chart, parts: Parts) -> str:
    """Write the chart's files and return the Markdown that shows it on the page of ``parts``
    (its data table one of them).

    Under the figure, on one line (``p.portal-chart-share``, out of the search index): the
    chart's stable link (its id is the same in every build) and the CSV of the data behind
    it. The line is HTML as MkDocs wrote it from a Markdown paragraph with an attribute list
    (the CSV's address relative to the page's URL, as ``data-spec-values``), so it is sealed
    with the figure and passes through Markdown untouched: a Markdown paragraph cost 0.2 ms
    a chart to render (inline patterns, attr_list, MkDocs' link rewriting). ``charts.js``
    adds between them, once the chart is drawn, the buttons that save its picture as PNG or
    SVG and its Vega-Lite definition (the spec it put together: a whole spec file per chart
    on the site would repeat its shape's template every time); they did nothing before, and
    nothing without JavaScript, and cost 4.4 KB a disclosure page written into it.
    """
    page = parts.page
    files = write_chart(chart, parts.docs_dir, parts.shared)
    body = f'<p class="portal-muted">{text(chart.description)}</p>\n' + chart_table(chart)
    data = parts.details(
        "图表数据（表格）",
        body,
        name=f"chart-{chart.chart_id}",
        title=f"{chart.title}：数据",
        anchor=f"chart-{chart.chart_id}-data",
    )
    return chart_markdown(chart, files, url_root(page), data)


def chart_markdown(chart: Chart, files: ChartFiles, root: str, data: str) -> str:
    """The figure of ``chart`` (its files linked from ``root``, the page's way to the docs
    root), its share line and ``data`` (safe HTML). Every value escaped here, as a Jinja
    template would (``text``, ``attr`` in attributes): one f-string, where rendering the
    template cost 45 µs a chart, eight a disclosure."""
    anchor = attr(f"chart-{chart.chart_id}")
    return (
        f'<figure class="portal-chart" id="{anchor}">\n'
        f'<div class="vega-chart" data-spec-template="{attr(root + files.template.as_posix())}"'
        f' data-spec-values="{attr(root + files.values.as_posix())}"'
        f' data-chart-name="{attr(chart.chart_id)}"></div>\n'
        f"<figcaption>{text(chart.title)}。{text(chart.source)}。</figcaption>\n"
        "</figure>\n\n"
        f'<p class="portal-chart-share" data-search-exclude=""><a href="#{anchor}">本图链接</a>'
        f' <a href="{attr(root + files.csv.as_posix())}">图表数据（CSV）</a></p>\n\n'
        f"{data}\n"
    )
