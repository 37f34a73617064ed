"""Chart objects and the Altair bar-chart recipes every portal chart is built from.

A :class:`Chart` keeps the data behind the chart twice: as exact rows (Decimals, for the
CSV download and the HTML table under the chart) and as a Vega-Lite spec whose values are
floats (for display only). Every chart has a Chinese title, a source line, axis titles
with units, tooltips, a per-mark Chinese ``description`` (the SVG ``aria-label``) and a
top-level ``description`` that states the values in words.

Altair writes every spec, but once per chart *shape* (:class:`BarShape`), not once per
chart: :func:`draw_bar_chart` is the recipe, run with a sentinel in each part that varies
(:class:`BarContent`); the result is cached as a template and filled in per chart
(``template.py``), about a hundred times faster than building each chart through Altair.
``tests/test_chart_templates.py`` checks that the two give the same spec.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import KeysView
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from typing import Any

from builder import declarations
from builder.charts import kept
from builder.charts.template import Template, sentinel

# System fonts first; Noto CJK is what Linux (and the browser tests) fall back to.
FONT = (
    'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
)
AMOUNT_FORMAT = ",.2f"
AXIS_FORMAT = ",.2~f"  # ticks without trailing zeros: 2,000 and 0.5
BAR_STEP = 30  # two lines of a wrapped label
GROUPED_STEP = 16  # per bar of a group: Vega-Lite applies the step to the offset bands
LABEL_ROOM = 1.35
TITLE_LINE = 18  # characters of a chart title line at 15 px in a 390 px phone view
LABEL_LIMIT = 180
# A category label (a unit or project name) longer than fits one line is wrapped into two
# halves instead of being cut: ``山西转型综合改革示范区新材料产业招商服务中心`` reads whole
# on a phone. Two lines of 13 px fit one bar step.
WRAP = 14
TICKS = "ceil(width / 90)"
_HALF = "ceil(length(datum.label) / 2)"
WRAP_LABEL = (
    f"length(datum.label) > {WRAP} ? [substring(datum.label, 0, {_HALF}), "
    f"substring(datum.label, {_HALF})] : datum.label"
)
# Bar colours with at least 3:1 contrast against the white page (WCAG 1.4.11), in the order
# groups appear (预算数 before 决算数): blue 5.3:1, dark orange 4.9:1, green 5.1:1, purple 7.6:1
# (tests/test_charts.py computes them).
PALETTE = ("#3a6ea5", "#b35806", "#2e7d32", "#6a3d9a")
LABEL_COLOR = "#222222"  # value labels: 16:1, whatever the colour of their bar

Value = str | int | Decimal | None
Row = dict[str, Value]
UNIT = declarations.PUBLISHED_MONEY_UNIT
CENTS = Decimal("0.01")


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
    drawing: BarSpec

    @property
    def spec(self) -> dict[str, Any]:
        """The chart's whole Vega-Lite spec."""
        return self.drawing.spec

    def spec_json(self) -> str:
        """The spec as compact, deterministic JSON (UTF-8 text, keys sorted)."""
        return compact_json(self.spec)


def compact_json(data: object) -> str:
    """``data`` as compact, deterministic JSON (UTF-8 text, keys sorted)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_amount(value: Decimal | None) -> str:
    """``Decimal('6382.69')`` → ``6,382.69``: thousands separators and two decimals, as the
    bars' labels (``3621.803`` reads ``3,621.80``; the chart's CSV keeps every digit)."""
    if value is None:
        return ""
    return f"{value.quantize(CENTS, ROUND_HALF_UP):,}"


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
        .configure_range(category=list(PALETTE))
        .configure_mark(color=PALETTE[0])
    )


@dataclass(frozen=True)
class BarShape:
    """What the structure of a bar chart's spec depends on: one cached template per shape."""

    category_field: str
    amount_field: str
    group_field: str | None
    sort_by_amount: bool  # longest bar first; else categories in the order of the data
    side_by_side: bool  # grouped bars next to each other, not told apart by colour alone
    nice_domain: bool  # Vega-Lite may round the end of the amount axis up


@dataclass(frozen=True)
class BarContent:
    """Everything of a bar chart that varies from chart to chart.

    In a template each field holds the :func:`~builder.charts.template.sentinel` named
    after it (``None`` stays ``None``); in a chart, the real texts and data.
    """

    values: list[dict[str, Any]] | str
    title: str | list[str]
    subtitle: str | list[str]
    description: str
    category_title: str
    amount_title: str
    amount_format: str
    domain: list[float] | str
    group_title: str | None = None
    group_order: list[str] | str | None = None  # the groups in the order the data gives them


def draw_bar_chart(shape: BarShape, content: BarContent) -> dict[str, Any]:
    """The bar-chart recipe: the Vega-Lite spec built directly through Altair.

    Slow (tens of milliseconds); :func:`bar_chart` runs it once per shape, with sentinels,
    and fills the result in per chart. Tests compare the two.
    """
    import altair as alt  # noqa: PLC0415 - only where a template is drawn (builder.charts.kept)

    cat_field, amt_field, group_field = shape.category_field, shape.amount_field, shape.group_field
    tooltip = [alt.Tooltip(f"{cat_field}:N", title=content.category_title)]
    if group_field is not None:
        tooltip.append(alt.Tooltip(f"{group_field}:N", title=content.group_title))
    tooltip.append(
        alt.Tooltip(f"{amt_field}:Q", title=content.amount_title, format=content.amount_format)
    )
    encoding: dict[str, Any] = {
        "y": alt.Y(
            f"{cat_field}:N",
            title=None,
            sort="-x" if shape.sort_by_amount else None,
            axis=alt.Axis(
                description=f"纵轴：{content.category_title}",
                labelLimit=LABEL_LIMIT,
                labelExpr=WRAP_LABEL,
                labelLineHeight=13,
            ),
        ),
        "x": alt.X(
            f"{amt_field}:Q",
            title=content.amount_title,
            scale=alt.Scale(domain=content.domain, nice=shape.nice_domain),
            axis=alt.Axis(
                format=AXIS_FORMAT,
                description=f"横轴：{content.amount_title}",
                # One tick per 90 px of plot: at 390 px the labels of 万元 amounts
                # (2,000 … 8,000) touched with a fixed four; a label closer than the
                # separation to the next is dropped rather than drawn over it.
                tickCount=alt.ExprRef(TICKS),
                labelOverlap="greedy",
                labelSeparation=8,
            ),
        ),
        "tooltip": tooltip,
        "description": alt.Description("label:N"),
    }
    if group_field is not None:
        if shape.side_by_side:
            encoding["yOffset"] = alt.YOffset(f"{group_field}:N", sort=content.group_order)
        encoding["color"] = alt.Color(
            f"{group_field}:N",
            title=content.group_title,
            sort=content.group_order,
            legend=alt.Legend(description=f"图例：{content.group_title}"),
        )
    base = alt.Chart({"values": content.values}).encode(**encoding)
    bars = base.mark_bar()
    text = base.mark_text(align="left", dx=3, fontSize=11, aria=False).encode(
        text=alt.Text(f"{amt_field}:Q", format=content.amount_format),
        color=alt.value(LABEL_COLOR),  # not the bar's colour: dark text on white
    )
    layered = alt.layer(bars, text).properties(
        title=alt.TitleParams(content.title, subtitle=content.subtitle),
        description=content.description,
        width="container",
        height=alt.Step(GROUPED_STEP if shape.side_by_side else BAR_STEP),
    )
    # Altair's own schema validation costs about 30 ms per chart, most of the pages stage;
    # the tests validate every kind of chart against the Vega-Lite schema instead.
    spec: dict[str, Any] = _config(layered).to_dict(validate=False)
    return spec


def _slots(content: BarContent) -> dict[str, Any]:
    """The content's parts by slot name; a chart's dataset name is a slot too."""
    slots = {f.name: getattr(content, f.name) for f in fields(content)}
    # Altair names the inline dataset after a hash of its values (``datasets`` and ``data``);
    # its own function says which (its annotation is narrower than the JSON it hashes).
    slots["dataset_name"] = dataset_name(content.values)
    return {name: value for name, value in slots.items() if value is not None}


def dataset_name(values: object) -> str:
    """The name Altair gives an inline dataset (``altair.vegalite.v6.api._dataset_name``,
    the same steps: tests compare the two), without importing Altair."""
    if values == [{}]:
        return "empty"
    values_json = json.dumps(values, sort_keys=True, default=str)
    return "data-" + hashlib.sha256(values_json.encode()).hexdigest()[:32]


def _sentinel_content(shape: BarShape) -> BarContent:
    """The content of a template: in each slot the shape has, the sentinel named after it."""
    grouped = shape.group_field is not None
    return BarContent(
        **{
            f.name: sentinel(f.name)
            for f in fields(BarContent)
            if grouped or f.name not in {"group_title", "group_order"}
        }
    )


@cache
def _bar_template(shape: BarShape) -> tuple[Template, dict[str, str]]:
    """The spec of ``shape`` built once through Altair, and the marker of each slot in it.

    A slot's marker is its sentinel, except the dataset name: there the marker is the name
    Altair derived from the sentinel in place of the values.
    """
    stored = kept.load(shape)
    if stored is None:
        from altair.utils.schemapi import debug_mode  # noqa: PLC0415 - see draw_bar_chart

        content = _sentinel_content(shape)
        markers: dict[str, str] = _slots(content)
        # Altair checks each object's arguments as it is made (a string is no domain list);
        # sentinels stand where lists belong, so that check is off for this one build.
        with debug_mode(False):
            stored = draw_bar_chart(shape, content), markers
        kept.save(shape, *stored)
    spec, markers = stored
    return Template(spec, frozenset(markers.values())), markers


@dataclass(frozen=True)
class BarSpec:
    """A bar chart's Vega-Lite spec, and the two parts the site ships it in.

    The template of the chart's shape (:func:`template_json`, the same file for every
    chart of that shape) and this chart's slot values (:meth:`slot_values`); ``charts.js``
    puts the values into the template's slots, as :meth:`Template.fill
    <builder.charts.template.Template.fill>` does here.

    The whole spec (:attr:`spec`) is filled in only when asked for: the site ships the two
    parts, so a build never needs it (filling it in took 0.6 ms a disclosure's eight charts,
    a copy of every node of the template); the tests check it against Altair.
    """

    shape: BarShape
    content: BarContent

    @cached_property
    def spec(self) -> dict[str, Any]:
        """The chart's whole Vega-Lite spec, filled in from the template of its shape."""
        return render_bar_chart(self.shape, self.content)

    @cached_property
    def _slot_values(self) -> dict[str, Any]:
        return _slots(self.content)  # the dataset name hashes the values' JSON: once

    def slot_values(self) -> dict[str, Any]:
        """What goes into each slot of the template, by slot name (not to be changed)."""
        return self._slot_values

    def template_json(self) -> str:
        """The template of the chart's shape, as shipped (see :func:`template_json`)."""
        return template_json(self.shape)

    def described(self, description: str) -> BarSpec:
        """The same chart with another top-level ``description`` (the slot of that name)."""
        return BarSpec(self.shape, replace(self.content, description=description))


@cache
def template_json(shape: BarShape) -> str:
    """The template of ``shape`` as the site ships it: compact JSON with, in every slot,
    the :func:`~builder.charts.template.sentinel` named after it (the dataset name too,
    which the cached template holds under the name Altair derived from its sentinel)."""
    template, markers = _bar_template(shape)
    return compact_json(template.fill({marker: sentinel(name) for name, marker in markers.items()}))


def render_bar_chart(shape: BarShape, content: BarContent) -> dict[str, Any]:
    """What :func:`draw_bar_chart` returns, filled in from the cached template of ``shape``."""
    template, markers = _bar_template(shape)
    real = _slots(content)
    _check_parts(shape, real.keys(), markers.keys())
    return template.fill({marker: real[name] for name, marker in markers.items()})


def _check_parts(shape: BarShape, parts: KeysView[str], slots: KeysView[str]) -> None:
    if parts != slots:
        msg = f"a {shape} chart needs the parts {sorted(slots)}, not {sorted(parts)}"
        raise ValueError(msg)


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
) -> BarSpec:
    """A horizontal bar chart (one bar per category, grouped bars when ``group`` is given).

    ``category``, ``amount`` and ``group`` are ``(field, axis title)`` pairs; the values must
    carry a ``label`` field, the Chinese text a screen reader reads for each bar.
    """
    cat_field, cat_title = category
    amt_field, amt_title = amount
    largest = max(
        (float(v[amt_field]) for v in values if v.get(amt_field) is not None), default=0.0
    )
    # Room to the right of the longest bar for its value label.
    domain = list(amount_domain) if amount_domain else [0.0, largest * LABEL_ROOM or 1.0]
    side_by_side = False
    order: list[str] | None = None
    if group is not None:
        # Groups in the order the data gives them (预算数 before 决算数), not alphabetical.
        order = list(dict.fromkeys(str(v[group[0]]) for v in values))
        # Bars side by side only where a category has several groups; else colour alone.
        per_category = Counter(str(v[cat_field]) for v in values)
        side_by_side = any(count > 1 for count in per_category.values())
    shape = BarShape(
        category_field=cat_field,
        amount_field=amt_field,
        group_field=group[0] if group is not None else None,
        sort_by_amount=sort_by_amount and group is None,
        side_by_side=side_by_side,
        nice_domain=amount_domain is None,
    )
    content = BarContent(
        values=values,
        title=title,
        subtitle=subtitle,
        description=description,
        category_title=cat_title,
        amount_title=amt_title,
        amount_format=amount_format,
        domain=domain,
        group_title=group[1] if group is not None else None,
        group_order=order,
    )
    drawing = BarSpec(shape, content)
    # The template drawn or loaded now, and the parts checked against its slots, as when
    # the whole spec was filled in here.
    _check_parts(shape, drawing.slot_values().keys(), _bar_template(shape)[1].keys())
    return drawing


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
