"""Chart files: each spec shipped as its shape's shared template and its own slot values.

For every chart of the bundled disclosures (the five seeds and the two Shanghai texts), of
their units and of the comparison, the template and values written by ``write_chart``, put
together as ``charts.js`` does (``tests/chart_parts.fill_template``), are exactly the spec
the chart has (``Chart.spec``, which ``tests/test_chart_templates.py`` checks against Altair
and ``tests/test_golden_site.py`` against the golden specs of the seeds).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from builder.charts import (
    Chart,
    disclosure_charts,
    three_public_by_unit,
    unit_over_time,
    units_compared,
    write_chart,
)
from builder.charts.compare import comparison_charts, unit_figures
from builder.charts.files import read_values
from builder.charts.spec import bar_chart
from builder.charts.template import sentinel
from builder.pages.outputs import Outputs, Produced
from builder.parse import parse_file
from tests.chart_parts import fill_template
from tests.conftest import BUNDLED

PARSED = {path.stem: parse_file(path) for path in BUNDLED}


def _bundled_charts() -> list[Chart]:
    pairs = list(PARSED.items())
    charts: list[Chart | None] = [
        c for key, parsed in pairs for c in disclosure_charts(key, parsed)
    ]
    by_unit: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, parsed in pairs:
        by_unit.setdefault(parsed["document"]["unit_name"], []).append((key, parsed))
    for index, (unit_name, disclosures) in enumerate(sorted(by_unit.items())):
        charts.append(unit_over_time(f"unit-{index}", unit_name, disclosures))
    charts += [units_compared(pairs, 2024), three_public_by_unit(pairs, 2024)]
    charts += comparison_charts(2024, [unit_figures(key, parsed) for key, parsed in pairs])
    return [chart for chart in charts if chart is not None]


CHARTS = _bundled_charts()


def _as_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    docs = tmp_path_factory.mktemp("charts")
    return docs, {chart.chart_id: write_chart(chart, docs) for chart in CHARTS}


def test_every_bundled_chart_is_its_template_filled_with_its_values(
    written: tuple[Path, dict[str, Any]],
) -> None:
    docs, files = written
    assert len(CHARTS) == 59  # the seven disclosures, their units, the comparison
    for chart in CHARTS:
        template = json.loads((docs / files[chart.chart_id].template).read_text(encoding="utf-8"))
        values = read_values(docs / files[chart.chart_id].values)
        drawn = fill_template(template, values)
        assert drawn == chart.spec, chart.chart_id
        assert _as_json(drawn) == _as_json(chart.spec), chart.chart_id  # 1 vs 1.0 too


def test_a_few_templates_serve_every_chart(written: tuple[Path, dict[str, Any]]) -> None:
    docs, files = written
    templates = Counter(f.template for f in files.values())
    assert sorted(p.relative_to(docs) for p in docs.rglob("templates/*.json")) == sorted(templates)
    assert len(templates) <= 8  # one per shape of bar chart
    assert max(templates.values()) > 20  # the most common shape is shared
    # No chart text or amount is in a template: every one of them is a slot value.
    for path in templates:
        text = (docs / path).read_text(encoding="utf-8")
        assert "万元" not in text
        assert sentinel("values") in text
        assert sentinel("dataset_name") in text


def test_the_values_weigh_less_than_the_spec(written: tuple[Path, dict[str, Any]]) -> None:
    docs, files = written
    shipped = sum((docs / f.values).stat().st_size for f in files.values())
    whole = sum(len((chart.spec_json() + "\n").encode("utf-8")) for chart in CHARTS)
    assert shipped < whole / 4  # measured gzipped: 36,167 bytes of 264,453 (0.14)


def test_values_are_put_in_as_given_never_searched_for_slots(tmp_path: Path) -> None:
    tricky = 'a "quoted" \\ back\\slash and ' + sentinel("title") + "\ue000\ue001"
    drawing = bar_chart(
        values=[{"category": tricky, "amount": 1.0, "label": sentinel("values")}],
        title=tricky,
        subtitle=[sentinel("subtitle"), tricky],
        description=tricky + sentinel("description"),
        category=("category", tricky),
        amount=("amount", sentinel("category_title")),
    )
    chart = Chart("tricky", "标题", "说明", "来源", (), (), drawing)
    files = write_chart(chart, tmp_path)
    template = json.loads((tmp_path / files.template).read_text(encoding="utf-8"))
    values = read_values(tmp_path / files.values)
    assert fill_template(template, values) == chart.spec
    assert chart.spec["title"]["text"] == tricky


def test_a_shared_template_stays_while_an_owner_writes_it(tmp_path: Path) -> None:
    shared, own = "assets/charts/templates/0123456789abcdef.json", "assets/charts/a.values.json.gz"
    for path in (shared, own):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}\n", encoding="utf-8")
    outputs = Outputs(tmp_path)
    outputs.record("disclosure a", "1", Produced({shared: "x", own: "y"}))
    outputs.record("disclosure b", "1", Produced({shared: "x"}))
    outputs.record("disclosure b", "2", Produced({}))  # b no longer draws that shape
    assert (tmp_path / shared).is_file()
    outputs.seen = {"disclosure b"}  # a is gone from the sources
    outputs.finish()
    assert not (tmp_path / own).exists()
    assert not (tmp_path / shared).exists()  # nobody writes it any more
