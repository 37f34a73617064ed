"""Charts: Altair (Vega-Lite) specs of a disclosure's tables, a unit over time, units compared.

Stage 5 of ``sources → parse → validate → publish → charts → pages``. The pages stage
calls :func:`disclosure_charts`, :func:`unit_over_time`, :func:`units_compared` and
:func:`three_public_by_unit`, writes each chart with :func:`write_chart` (its shape's
template, its slot values, its CSV) and embeds it as ``<div class="vega-chart"
data-spec-template=… data-spec-values=…>``; ``site_src/assets/javascripts/charts.js``
fills the template in and renders it with the self-hosted vega-embed (SVG renderer, no
actions menu).
"""

from builder.charts.disclosure import disclosure_charts
from builder.charts.files import ChartFiles, chart_csv, write_chart
from builder.charts.portal import three_public_by_unit, unit_over_time, units_compared
from builder.charts.spec import Chart, Column, format_amount

__all__ = [
    "Chart",
    "ChartFiles",
    "Column",
    "chart_csv",
    "disclosure_charts",
    "format_amount",
    "three_public_by_unit",
    "unit_over_time",
    "units_compared",
    "write_chart",
]
