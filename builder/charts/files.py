"""Writing charts into the site: the Vega-Lite spec in two parts, and the CSV of the data.

Under ``<docs>/assets/charts/``:

- ``templates/<sha256 of the template, 16 hex digits>.json``: the template of the chart's
  shape (``BarSpec.template_json``), written once and shared by every chart of that shape
  (a few files for the whole portal, which the browser fetches once and caches);
- ``<chart id>.values.json.gz``: what goes into each slot of the template for this chart,
  gzipped (a third of its JSON: the values, labels and description repeat their words;
  BENCHMARKS.md "artifact-half"); ``gunzip.js`` decodes it in the browser;
- ``<chart id>.csv``: the data behind the chart (UTF-8 with a BOM so that Excel reads the
  Chinese; exact amounts).

``charts.js`` fetches the two JSON files (``data-spec-template`` and ``data-spec-values``)
and fills the template in, as ``Template.fill`` does in Python: the spec it draws is the
chart's ``spec``, which ``tests/test_chart_files.py`` checks for every chart. A whole spec
per chart would repeat its template (about 1.5 KB) for every chart of every disclosure.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from builder.cache import file_hash
from builder.charts.spec import Chart, Column, compact_json
from builder.written import note, write_noted

CHARTS_DIR = Path("assets") / "charts"
TEMPLATES_DIR = CHARTS_DIR / "templates"


@dataclass(frozen=True)
class ChartFiles:
    """The files of one chart, relative to the docs dir."""

    template: Path
    values: Path
    csv: Path


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


def read_values(path: Path) -> Any:
    """A chart's slot values as written by :func:`write_chart` (gunzipped, parsed)."""
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


@cache  # a few templates, each the same string object (``spec.template_json``)
def template_path(template: str) -> Path:
    """Where the template with this JSON text is written (named by its content)."""
    digest = hashlib.sha256(template.encode("utf-8")).hexdigest()[:16]
    return TEMPLATES_DIR / f"{digest}.json"


def write_chart(chart: Chart, docs_dir: Path, shared: Path | None = None) -> ChartFiles:
    """Write the template (unless it is there), the slot values and the CSV of ``chart``.

    ``shared``: the docs dir that ``docs_dir`` (a staging folder) is moved into. A template
    there with the right bytes is linked rather than written again: a file made is an inode
    allocated, which cost up to 0.2 ms of CPU here while other builds deleted files (ext4
    skips the inodes deleted recently), and its copy was deleted again when moved, as the
    docs dir has it (``builder.pages.outputs.move_into``).
    """
    template = chart.drawing.template_json()
    files = ChartFiles(
        template=template_path(template),
        values=CHARTS_DIR / f"{chart.chart_id}.values.json.gz",
        csv=CHARTS_DIR / f"{chart.chart_id}.csv",
    )
    target = docs_dir / files.template
    if not target.is_file():  # else its folder, and the charts', are there
        (docs_dir / TEMPLATES_DIR).mkdir(parents=True, exist_ok=True)
        data = (template + "\n").encode("utf-8")
        if shared is None or not _linked(shared / files.template, target, data):
            write_noted(target, data)
    values = compact_json(chart.drawing.slot_values()) + "\n"
    # The same values give the same bytes: no time or name in the gzip header.
    write_noted(docs_dir / files.values, gzip.compress(values.encode("utf-8"), 9, mtime=0))
    write_noted(docs_dir / files.csv, chart_csv(chart).encode("utf-8-sig"))
    return files


def _linked(source: Path, target: Path, data: bytes) -> bool:
    """Whether ``target`` was made a hard link to ``source``, which holds ``data`` (checked
    by its sha256: a file edited there is not linked, so that it is replaced)."""
    sha256 = hashlib.sha256(data).hexdigest()
    if file_hash(source) != sha256:
        return False
    try:
        os.link(source, target)
    except OSError:  # gone meanwhile, or another file system
        return False
    note(target, sha256)
    return True
