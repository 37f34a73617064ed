"""Writing charts into the site: the Vega-Lite spec and the CSV of the data behind each chart.

Both go to ``<docs>/assets/charts/``: ``<chart id>.vl.json`` (fetched by ``charts.js``
through ``data-spec-url``, cached by the browser like any static file) and
``<chart id>.csv`` (UTF-8 with a BOM so that Excel reads the Chinese; exact amounts).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from builder.charts.spec import Chart, Column

CHARTS_DIR = Path("assets") / "charts"


def chart_csv(chart: Chart) -> str:
    """The data behind a chart as CSV text: Chinese column headings with units, exact values."""
    return rows_csv(chart.columns, chart.rows)


def rows_csv(columns: Sequence[Column], rows: Iterable[Mapping[str, object]]) -> str:
    """Rows as CSV text: the columns' Chinese headings with units, then exact values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.heading for column in columns])
    for row in rows:
        writer.writerow([_cell(row.get(column.key)) for column in columns])
    return out.getvalue()


def write_csv(
    name: str, columns: Sequence[Column], rows: Iterable[Mapping[str, object]], docs_dir: Path
) -> Path:
    """Write ``assets/charts/<name>.csv`` (UTF-8 with a BOM); its path relative to ``docs_dir``."""
    (docs_dir / CHARTS_DIR).mkdir(parents=True, exist_ok=True)
    path = CHARTS_DIR / f"{name}.csv"
    (docs_dir / path).write_text(rows_csv(columns, rows), encoding="utf-8-sig", newline="")
    return path


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def write_chart(chart: Chart, docs_dir: Path) -> tuple[Path, Path]:
    """Write the spec and the CSV of ``chart``; return their paths relative to ``docs_dir``."""
    folder = docs_dir / CHARTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = CHARTS_DIR / f"{chart.chart_id}.vl.json"
    csv_path = CHARTS_DIR / f"{chart.chart_id}.csv"
    (docs_dir / spec_path).write_text(chart.spec_json() + "\n", encoding="utf-8")
    (docs_dir / csv_path).write_text(chart_csv(chart), encoding="utf-8-sig", newline="")
    return spec_path, csv_path
