"""Chart templates: every spec filled in from a cached template is the spec Altair builds.

``bar_chart`` runs Altair once per chart shape, with sentinels, and fills the result in
per chart (``builder/charts/template.py``). Each test here records what ``bar_chart``
rendered and compares it, as JSON text (so key order and int/float too), with
``draw_bar_chart`` run directly through Altair on the same shape and content.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from altair.vegalite.v6.api import _dataset_name

from builder.charts import (
    Chart,
    disclosure_charts,
    kept,
    three_public_by_unit,
    unit_over_time,
    units_compared,
)
from builder.charts import spec as chart_spec
from builder.charts.compare import comparison_charts, unit_figures
from builder.charts.spec import BarContent, BarShape, bar_chart, draw_bar_chart
from builder.charts.template import Template, sentinel
from builder.parse import parse_file
from tests.conftest import ROOT, SEEDS

Rendered = tuple[BarShape, BarContent, dict[str, Any]]
PARSED = {path.stem: parse_file(path) for path in SEEDS}
FINALS_2024 = ("000_127416229ccdc025", "001_417cec5d1b5bc998", "004_c9b7d00ba9827a50")
CATEGORY = ("category", "支出功能分类（类）")
AMOUNT = ("amount", "金额（万元）")
GROUP = ("group", "口径")


@contextmanager
def recording() -> Iterator[list[Rendered]]:
    """Record the shape, content and templated spec of every chart rendered inside."""
    rendered: list[Rendered] = []
    original = chart_spec.render_bar_chart

    def record(shape: BarShape, content: BarContent) -> dict[str, Any]:
        spec = original(shape, content)
        rendered.append((shape, content, spec))
        return spec

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chart_spec, "render_bar_chart", record)
        yield rendered


def _as_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False)


def _assert_same_as_altair(rendered: Rendered) -> None:
    shape, content, templated = rendered
    direct = draw_bar_chart(shape, content)
    assert templated == direct
    assert _as_json(templated) == _as_json(direct)  # key order, 1 vs 1.0


def _seed_charts() -> dict[str, Rendered]:
    by_unit: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for disclosure_id, parsed in PARSED.items():
        by_unit.setdefault(parsed["document"]["unit_name"], []).append((disclosure_id, parsed))
    pairs = list(PARSED.items())
    with recording() as rendered:
        charts: list[Chart | None] = [
            c for key, parsed in pairs for c in disclosure_charts(key, parsed)
        ]
        for index, (unit_name, disclosures) in enumerate(sorted(by_unit.items())):
            charts.append(unit_over_time(f"unit-{index}", unit_name, disclosures))
        charts += [units_compared(pairs, 2024), three_public_by_unit(pairs, 2024)]
        figures = [unit_figures(key, parsed) for key, parsed in pairs if key in FINALS_2024]
        charts += comparison_charts(2024, figures)
        drawn = [chart for chart in charts if chart is not None]
        for chart in drawn:
            assert chart.spec is chart.spec  # filled in once, when first asked for
    assert len(drawn) == len(charts) == len(rendered)
    return {chart.chart_id: one for chart, one in zip(drawn, rendered, strict=True)}


SEED_CHARTS = _seed_charts()


@pytest.mark.parametrize("chart_id", sorted(SEED_CHARTS))
def test_seed_chart_is_what_altair_builds(chart_id: str) -> None:
    _assert_same_as_altair(SEED_CHARTS[chart_id])


def test_seed_charts_cover_every_shape() -> None:
    shapes = {shape for shape, _, _ in SEED_CHARTS.values()}
    assert {shape.group_field is None for shape in shapes} == {True, False}
    assert {shape.side_by_side for shape in shapes} == {True, False}
    assert {shape.nice_domain for shape in shapes} == {True, False}
    assert {shape.sort_by_amount for shape in shapes} == {True, False}


def test_altair_runs_once_per_shape_not_per_chart() -> None:
    misses = chart_spec._bar_template.cache_info().misses
    again = _seed_charts()
    assert chart_spec._bar_template.cache_info().misses == misses
    assert {k: _as_json(r[2]) for k, r in again.items()} == {
        k: _as_json(r[2]) for k, r in SEED_CHARTS.items()
    }


def _value(category: str, amount: float | None, label: str = "", **more: str) -> dict[str, Any]:
    return {"category": category, "amount": amount, **more, "label": label or category}


TRICKY = 'a "quoted" \\ back\\slash, {braces} and ' + sentinel("title") + "\ue000\ue001"
EDGE_CASES: dict[str, dict[str, Any]] = {
    "empty": {"values": []},
    "empty grouped": {"values": [], "group": GROUP},
    "one value": {"values": [_value("一般公共服务支出", 5837.92)]},
    "one value of zero": {"values": [_value("经营支出", 0.0)]},
    "an amount missing": {"values": [_value("基本支出", None), _value("项目支出", 3.5)]},
    "values Altair calls empty": {"values": [{}]},
    "in data order": {
        "values": [_value("乙", 1.0), _value("甲", 2.0)],
        "sort_by_amount": False,
    },
    "one group per category": {
        "values": [_value("甲", 1.0, group="预算数"), _value("乙", 2.0, group="决算数")],
        "group": GROUP,
    },
    "several groups per category": {
        "values": [
            _value(category, amount, group=group)
            for category in ("甲", "乙")
            for group, amount in (("预算数", 1.25), ("决算数", 2.0))
        ],
        "group": GROUP,
    },
    "title in lines": {
        "values": [_value("甲", 1.0)],
        "title": ["2024年度决算", "“三公”经费：预算数与决算数"],
        "subtitle": "一行副标题",
    },
    "fixed domain": {
        "values": [_value("项目", 41.26, group="预算执行率（%）")],
        "group": ("group", "指标"),
        "amount_format": ",.2~f",
        "amount_domain": (0.0, 115.0),
    },
    "quotes, backslashes and sentinels": {
        "values": [
            _value(TRICKY, 1.0, label=TRICKY, group=sentinel("group_order")),
            _value(sentinel("values"), 2.0, group=TRICKY),
        ],
        "title": TRICKY,
        "subtitle": [TRICKY, sentinel("subtitle")],
        "description": TRICKY + sentinel("description"),
        "category": ("category", TRICKY),
        "amount": ("amount", sentinel("category_title")),
        "group": ("group", sentinel("group_title") + TRICKY),
    },
}


def _edge_chart(**arguments: Any) -> Rendered:
    texts = {"title": "标题", "subtitle": ["单位", "数据来源"], "description": "条形图：说明。"}
    with recording() as rendered:
        drawing = bar_chart(**{"category": CATEGORY, "amount": AMOUNT, **texts, **arguments})
        assert drawing.spec is drawing.spec  # filled in once, when first asked for
    (one,) = rendered
    return one


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_case_is_what_altair_builds(case: str) -> None:
    _assert_same_as_altair(_edge_chart(**EDGE_CASES[case]))


def test_values_altair_calls_empty_keep_its_dataset_name() -> None:
    _, _, spec = _edge_chart(values=[{}])
    assert spec["data"] == {"name": "empty"}


def test_a_changed_spec_leaves_the_template_alone() -> None:
    first = _edge_chart(**EDGE_CASES["several groups per category"])
    first[2]["layer"][0]["encoding"]["x"]["scale"]["domain"].append(99.0)
    first[2]["config"]["view"].clear()
    _assert_same_as_altair(_edge_chart(**EDGE_CASES["several groups per category"]))


def test_a_template_must_hold_every_marker() -> None:
    with pytest.raises(ValueError, match="missing"):
        Template({"title": sentinel("title")}, frozenset({sentinel("title"), "data-0"}))
    with pytest.raises(ValueError, match="unknown sentinel"):
        Template({"title": f"图：{sentinel('title')}"}, frozenset())


def test_a_template_is_filled_with_exactly_its_markers() -> None:
    template = Template(
        {"text": sentinel("title"), "axis": f"纵轴：{sentinel('title')}", "data-0": [1]},
        frozenset({sentinel("title"), "data-0"}),
    )
    filled = template.fill({sentinel("title"): "甲", "data-0": "data-1"})
    assert filled == {"text": "甲", "axis": "纵轴：甲", "data-1": [1]}
    with pytest.raises(ValueError, match="exactly"):
        template.fill({sentinel("title"): "甲"})
    with pytest.raises(TypeError, match="inside a string"):
        template.fill({sentinel("title"): ["甲"], "data-0": "data-1"})


def test_sentinel_names_are_checked() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        sentinel("Title")


SHAPE = BarShape("category", "amount", None, True, False, True)


@pytest.fixture
def kept_in(tmp_path: Path) -> Iterator[Path]:
    """Templates kept in ``tmp_path/chart-templates`` (``tmp_path`` stands for the build
    cache), and none remembered in this process before or after."""
    folder = tmp_path / kept.FOLDER
    kept.keep_templates_in(folder)
    chart_spec._bar_template.cache_clear()
    chart_spec.template_json.cache_clear()
    yield folder
    kept.keep_templates_in(None)
    chart_spec._bar_template.cache_clear()
    chart_spec.template_json.cache_clear()


def test_a_kept_template_is_used_only_by_the_same_code(
    kept_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = chart_spec.template_json(SHAPE)
    monkeypatch.setattr(kept, "code_key", lambda: "code-a")
    chart_spec.template_json.cache_clear()
    chart_spec._bar_template.cache_clear()
    assert chart_spec.template_json(SHAPE) == drawn  # drawn again, and kept under code-a
    (file,) = (kept_in / "code-a").iterdir()
    stored = json.loads(file.read_text(encoding="utf-8"))
    stored["spec"]["usermeta"] = "kept"  # what a template drawn by this code would hold
    file.write_text(json.dumps(stored), encoding="utf-8")
    chart_spec.template_json.cache_clear()
    chart_spec._bar_template.cache_clear()
    assert json.loads(chart_spec.template_json(SHAPE))["usermeta"] == "kept"

    monkeypatch.setattr(kept, "code_key", lambda: "code-b")  # the code changed: not used
    chart_spec.template_json.cache_clear()
    chart_spec._bar_template.cache_clear()
    assert chart_spec.template_json(SHAPE) == drawn
    assert [p.name for p in kept_in.iterdir()] == ["code-b"]  # the other code's removed


def test_a_damaged_kept_template_is_drawn_again(kept_in: Path) -> None:
    drawn = chart_spec.template_json(SHAPE)
    (file,) = next(kept_in.iterdir()).iterdir()
    for damaged in ("{", '{"shape": "another", "spec": {}, "markers": {}}', "[]"):
        file.write_text(damaged, encoding="utf-8")
        chart_spec.template_json.cache_clear()
        chart_spec._bar_template.cache_clear()
        assert chart_spec.template_json(SHAPE) == drawn


def test_kept_templates_spare_importing_altair(kept_in: Path) -> None:
    chart_spec.template_json(SHAPE)  # kept now
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from builder.charts import kept, spec\n"
        f"kept.keep_templates_in(Path({str(kept_in)!r}))\n"
        f"assert spec.template_json(spec.{SHAPE!r}) == {chart_spec.template_json(SHAPE)!r}\n"
        "spec.bar_chart(values=[{'category': '甲', 'amount': 1.0, 'label': '甲'}], title='t',"
        " subtitle='s', description='d', category=('category', 'c'), amount=('amount', 'a'))\n"
        "assert 'altair' not in sys.modules, 'altair imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "values", [[{}], [], "\ue000values\ue001", [{"b": 1, "a": Decimal("2.5"), "c": None}]]
)
def test_dataset_name_is_altairs(values: Any) -> None:
    assert chart_spec.dataset_name(values) == _dataset_name(values)
