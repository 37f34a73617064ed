"""Chart objects and the Altair bar-chart recipes every portal chart is built from.

A :class:`Chart` keeps the data behind the chart twice: as exact rows (Decimals, for the
CSV download and the HTML table under the chart) and as a Vega-Lite spec whose values are
floats (for display only). Every chart has a Chinese title, a source line, axis titles
with units, tooltips, a per-mark Chinese ``description`` (the SVG ``aria-label``) and a
top-level ``description`` that states the values in words.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import altair as alt

# System fonts first; Noto CJK is what Linux (and the browser tests) fall back to.
FONT = (
    'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
)
AMOUNT_FORMAT = ",.2f"
AXIS_FORMAT = ",.2~f"  # ticks without trailing zeros: 2,000 and 0.5
BAR_STEP = 26
GROUPED_STEP = 16  # per bar of a group: Vega-Lite applies the step to the offset bands
LABEL_ROOM = 1.35
TITLE_LINE = 18  # characters of a chart title line at 15 px in a 390 px phone view
LABEL_LIMIT = 180

Value = str | int | Decimal | None
Row = dict[str, Value]
UNIT = "万元"


@dataclass(frozen=True)
class Column:
    """A column of the data behind a chart: key, Chinese title, unit (or empty)."""

    key: str
    title: str
    unit: str = ""

    @property
    def heading(self) -> str:
        return f"{self.title}（{self.unit}）" if self.unit else self.title


@dataclass(frozen=True)
class Chart:
    """One chart: its id (a file stem), texts, the exact data and the Vega-Lite spec."""

    chart_id: str
    title: str
    description: str
    source: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Value], ...]
    spec: dict[str, Any]

    def spec_json(self) -> str:
        """The spec as compact, deterministic JSON (UTF-8 text, keys sorted)."""
        return json.dumps(self.spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_amount(value: Decimal | None) -> str:
    """``Decimal('6382.69')`` → ``6,382.69``: thousands separators, digits as published."""
    if value is None:
        return ""
    return f"{value:,}"


def to_display(value: Value) -> float | int | str | None:
    """A value as the chart shows it: Decimals become floats here and nowhere else."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _config(chart: Any) -> Any:
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=LABEL_LIMIT)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom", direction="vertical")
        .configure_title(fontSize=15, subtitleFontSize=11, anchor="start", subtitleColor="#555")
        .configure_view(stroke=None)
    )


def bar_chart(  # noqa: PLR0913 - every argument is one visible part of the chart
    *,
    values: list[dict[str, Any]],
    title: str | list[str],
    subtitle: str | list[str],
    description: str,
    category: tuple[str, str],
    amount: tuple[str, str],
    group: tuple[str, str] | None = None,
    amount_format: str = AMOUNT_FORMAT,
    sort_by_amount: bool = True,
    amount_domain: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A horizontal bar chart (one bar per category, grouped bars when ``group`` is given).

    ``category``, ``amount`` and ``group`` are ``(field, axis title)`` pairs; the values must
    carry a ``label`` field, the Chinese text a screen reader reads for each bar.
    """
    cat_field, cat_title = category
    amt_field, amt_title = amount
    sort: Any = "-x" if sort_by_amount and group is None else None
    largest = max(
        (float(v[amt_field]) for v in values if v.get(amt_field) is not None), default=0.0
    )
    # Room to the right of the longest bar for its value label.
    domain = list(amount_domain) if amount_domain else [0.0, largest * LABEL_ROOM or 1.0]
    tooltip = [alt.Tooltip(f"{cat_field}:N", title=cat_title)]
    if group is not None:
        tooltip.append(alt.Tooltip(f"{group[0]}:N", title=group[1]))
    tooltip.append(alt.Tooltip(f"{amt_field}:Q", title=amt_title, format=amount_format))
    encoding: dict[str, Any] = {
        "y": alt.Y(
            f"{cat_field}:N",
            title=None,
            sort=sort,
            axis=alt.Axis(description=f"纵轴：{cat_title}", labelLimit=LABEL_LIMIT),
        ),
        "x": alt.X(
            f"{amt_field}:Q",
            title=amt_title,
            scale=alt.Scale(domain=domain, nice=amount_domain is None),
            axis=alt.Axis(format=AXIS_FORMAT, description=f"横轴：{amt_title}", tickCount=4),
        ),
        "tooltip": tooltip,
        "description": alt.Description("label:N"),
    }
    side_by_side = False
    if group is not None:
        # Groups in the order the data gives them (预算数 before 决算数), not alphabetical.
        order = list(dict.fromkeys(str(v[group[0]]) for v in values))
        # Bars side by side only where a category has several groups; else colour alone.
        per_category = Counter(str(v[cat_field]) for v in values)
        side_by_side = any(count > 1 for count in per_category.values())
        if side_by_side:
            encoding["yOffset"] = alt.YOffset(f"{group[0]}:N", sort=order)
        encoding["color"] = alt.Color(
            f"{group[0]}:N",
            title=group[1],
            sort=order,
            legend=alt.Legend(description=f"图例：{group[1]}"),
        )
    base = alt.Chart({"values": values}).encode(**encoding)
    bars = base.mark_bar()
    text = base.mark_text(align="left", dx=3, fontSize=11, color="#333", aria=False).encode(
        text=alt.Text(f"{amt_field}:Q", format=amount_format)
    )
    layered = alt.layer(bars, text).properties(
        title=alt.TitleParams(title, subtitle=subtitle),
        description=description,
        width="container",
        height=alt.Step(GROUPED_STEP if side_by_side else BAR_STEP),
    )
    # Altair's own schema validation costs about 30 ms per chart, most of the pages stage;
    # the tests validate every kind of chart against the Vega-Lite schema instead.
    spec: dict[str, Any] = _config(layered).to_dict(validate=False)
    return spec


def title_lines(*parts: str) -> str | list[str]:
    """One title line, or one line per part when together they would not fit a phone."""
    joined = "".join(parts)
    return joined if len(joined) <= TITLE_LINE else list(parts)


@dataclass(frozen=True)
class Frame:
    """The texts around an amount chart: ids, titles, source, axis and group names."""

    chart_id: str
    title: str  # the full title: figure caption and start of the description
    heading: str | list[str]  # the title drawn on the chart, in lines that fit a phone
    subtitle: tuple[str, ...]
    source: str  # the source line of the caption
    category_title: str
    group_title: str | None = None
    sort_by_amount: bool = True


def amount_chart(frame: Frame, entries: list[tuple[str, str | None, Decimal]]) -> Chart:
    """A bar chart of ``(category, group, amount in 万元)`` entries, with its exact data."""
    grouped = frame.group_title is not None
    values: list[dict[str, Any]] = []
    rows: list[Row] = []
    said: list[str] = []
    for category, group, amount in entries:
        name = f"{category}（{group}）" if grouped else category
        spoken = f"{format_amount(amount)} {UNIT}"
        value: dict[str, Any] = {"category": category, "amount": to_display(amount)}
        if grouped:
            value["group"] = group
        value["label"] = f"{name}：{spoken}"
        values.append(value)
        row: Row = {"category": category}
        if grouped:
            row["group"] = group
        row["amount"] = amount
        rows.append(row)
        said.append(f"{name} {spoken}")
    description = f"条形图：{frame.title}。{'；'.join(said)}。"
    columns = [Column("category", frame.category_title)]
    if frame.group_title is not None:
        columns.append(Column("group", frame.group_title))
    columns.append(Column("amount", "金额", UNIT))
    spec = bar_chart(
        values=values,
        title=frame.heading,
        subtitle=list(frame.subtitle),
        description=description,
        category=("category", frame.category_title),
        amount=("amount", f"金额（{UNIT}）"),
        group=("group", frame.group_title) if frame.group_title is not None else None,
        sort_by_amount=frame.sort_by_amount and not grouped,
    )
    return Chart(
        frame.chart_id, frame.title, description, frame.source, tuple(columns), tuple(rows), spec
    )
