"""Charts: what each seed's charts show, exact data behind floats, texts and determinism."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from builder.charts import (
    Chart,
    chart_csv,
    disclosure_charts,
    facts,
    three_public_by_unit,
    unit_over_time,
    units_compared,
    write_chart,
)
from builder.charts.files import read_values
from builder.parse import parse_file
from tests.conftest import SEEDS

PARSED = {path.stem: parse_file(path) for path in SEEDS}
FINAL_000 = "000_127416229ccdc025"
BUDGET_002 = "002_6a7fbe393d7e6d53"
NO_03_004 = "004_c9b7d00ba9827a50"
ALL_KINDS = (
    "spending-by-function",
    "function-execution",
    "spending-by-type",
    "income-by-source",
    "basic-by-economic",
    "three-public-costs",
    "project-execution",
    "performance",
)
BUDGET_KINDS = (
    "spending-by-function",
    "spending-by-type",
    "income-by-source",
    "basic-by-economic",
    "three-public-costs",
)


def _charts(disclosure_id: str) -> dict[str, Chart]:
    charts = disclosure_charts(disclosure_id, PARSED[disclosure_id])
    return {chart.chart_id.removeprefix(f"{disclosure_id}-"): chart for chart in charts}


def _values(chart: Chart) -> list[dict[str, Any]]:
    spec = chart.spec
    values: list[dict[str, Any]] = spec["datasets"][spec["data"]["name"]]
    return values


def test_final_accounts_get_every_chart() -> None:
    assert tuple(_charts(FINAL_000)) == ALL_KINDS


def test_budget_has_no_performance_evaluation_chart() -> None:
    # Seed 002 is a budget: its annexes are performance targets, not self-evaluations.
    assert tuple(_charts(BUDGET_002)) == BUDGET_KINDS


def test_spending_by_function_is_exact_behind_the_floats() -> None:
    chart = _charts(FINAL_000)["spending-by-function"]
    assert chart.rows[0] == {"category": "一般公共服务支出", "amount": Decimal("5837.92")}
    assert [v["amount"] for v in _values(chart)] == [5837.92, 345.71, 97.31]
    assert _values(chart)[0]["label"] == "一般公共服务支出：5,837.92 万元"
    assert chart.source == "数据来源：公开03表 支出决算表"


def test_missing_table_03_falls_back_and_says_so() -> None:
    charts = _charts(NO_03_004)
    assert charts["spending-by-function"].source == "数据来源：公开01表 收入支出决算总表"
    by_type = charts["spending-by-type"]
    assert by_type.source == "数据来源：公开05表 一般公共预算财政拨款支出决算表"
    assert "一般公共预算财政拨款" in by_type.title


def test_three_public_costs_compare_full_year_budget_and_final_with_rates() -> None:
    chart = _charts(FINAL_000)["three-public-costs"]
    assert [row["category"] for row in chart.rows] == [
        "合计",
        "因公出国（境）费",
        "公务用车运行维护费",  # 公务用车购置费 is blank in both phases: not drawn
        "公务接待费",
    ]
    receptions = chart.rows[-1]
    assert receptions["adjusted"] == Decimal("1.87")
    assert receptions["actual"] == Decimal("1.87")
    assert receptions["rate"] == Decimal("100.00")
    assert receptions["rate_source"] == "按表中数字计算"
    assert [c.heading for c in chart.columns][1:4] == [
        "全年预算数（万元）",
        "决算数（万元）",
        "完成全年预算（%）",
    ]
    assert "全年预算数为调整后的预算" in chart.source


def test_function_execution_is_read_from_the_explanations_as_printed() -> None:
    chart = _charts(FINAL_000)["function-execution"]
    general = next(row for row in chart.rows if row["category"] == "一般公共服务支出")
    # seed 000, line 474: 年初预算6,349.01万元，支出决算5,408.80万元，完成年初预算的85.19%
    assert (general["initial"], general["actual"], general["rate"]) == (
        Decimal("6349.01"),
        Decimal("5408.80"),
        Decimal("85.19"),
    )
    assert general["rate_source"] == "原文"
    assert chart.rows[0]["category"] == "合计"
    assert chart.rows[0]["initial"] == Decimal("6721.42")
    # seed 003 prints 完成年初预算42.31% (no 的) after a code in brackets
    science = next(
        row
        for row in _charts("003_664a31573f3e6641")["function-execution"].rows
        if row["category"] == "科学技术支出"
    )
    assert (science["initial"], science["actual"], science["rate"]) == (
        Decimal("14000"),
        Decimal("5923.37"),
        Decimal("42.31"),
    )


def test_project_execution_shows_initial_full_year_and_executed() -> None:
    chart = _charts("003_664a31573f3e6641")["project-execution"]
    row = next(row for row in chart.rows if row["category"] == "招商业务费")
    assert (row["initial"], row["adjusted"], row["actual"], row["rate"]) == (
        Decimal("81"),
        Decimal("92.635"),
        Decimal("60.009"),
        Decimal("64.78"),
    )


def _contrast(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)  # against white


def test_chart_colours_have_enough_contrast() -> None:
    """Marks at least 3:1 and text at least 4.5:1 against the white page (WCAG 2.1)."""
    for disclosure_id, parsed in PARSED.items():
        for chart in disclosure_charts(disclosure_id, parsed):
            config = chart.spec["config"]
            for colour in [*config["range"]["category"], config["mark"]["color"]]:
                assert _contrast(colour) >= 3, (chart.chart_id, colour)
            labels = chart.spec["layer"][1]["encoding"]["color"]["value"]
            assert _contrast(labels) >= 4.5, (chart.chart_id, labels)
    assert _contrast("#f58518") < 3


def test_performance_chart_shows_rates_and_scores() -> None:
    chart = _charts(FINAL_000)["performance"]
    expo = next(row for row in chart.rows if row["category"] == "中国(太原)国际能源产业博览会")
    assert expo["execution_rate"] == Decimal("41.26")
    assert expo["total_score"] == Decimal("59.06")
    assert expo["grade"] == "差"


@pytest.mark.parametrize("disclosure_id", sorted(PARSED))
def test_every_chart_is_described_in_chinese(disclosure_id: str) -> None:
    year = str(PARSED[disclosure_id]["document"]["year"])
    for chart in disclosure_charts(disclosure_id, PARSED[disclosure_id]):
        spec = chart.spec
        assert chart.title.startswith(PARSED[disclosure_id]["document"]["unit_name"])
        assert year in chart.title
        assert spec["description"] == chart.description
        assert chart.description.startswith("条形图：")
        layer = spec["layer"][0]
        assert layer["encoding"]["tooltip"], chart.chart_id
        assert layer["encoding"]["description"] == {"field": "label", "type": "nominal"}
        x_title = layer["encoding"]["x"]["title"]
        assert "万元" in x_title or "%" in x_title, (chart.chart_id, x_title)
        drawn = spec["title"]["text"]  # one line, or lines that fit a phone
        assert "".join(drawn if isinstance(drawn, list) else [drawn]).startswith(f"{year}年度")
        for value in _values(chart):
            assert isinstance(value["amount"], float)


@pytest.mark.parametrize("disclosure_id", sorted(PARSED))
def test_amount_charts_sum_to_their_exact_rows(disclosure_id: str) -> None:
    for chart in disclosure_charts(disclosure_id, PARSED[disclosure_id]):
        if not chart.chart_id.endswith("performance"):
            amounts = [c.key for c in chart.columns if c.unit == "万元"]
            exact = sum(
                (row[key] for row in chart.rows for key in amounts if row.get(key) is not None),
                Decimal(0),
            )
            shown = sum(v["amount"] for v in _values(chart))
            assert shown == pytest.approx(float(exact)), chart.chart_id


def test_specs_are_deterministic() -> None:
    first = [c.spec_json() for c in disclosure_charts(FINAL_000, PARSED[FINAL_000])]
    second = [c.spec_json() for c in disclosure_charts(FINAL_000, PARSED[FINAL_000])]
    assert first == second
    assert all(json.loads(text)["$schema"].startswith("https://vega.github.io") for text in first)


def test_chart_files(tmp_path: Path) -> None:
    chart = _charts(FINAL_000)["spending-by-type"]
    files = write_chart(chart, tmp_path)
    assert files.values.as_posix() == f"assets/charts/{FINAL_000}-spending-by-type.values.json.gz"
    assert files.template.parent.as_posix() == "assets/charts/templates"
    values = read_values(tmp_path / files.values)
    assert values["title"] == chart.spec["title"]["text"]
    raw = (tmp_path / files.csv).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese headings
    assert chart_csv(chart).splitlines() == [
        "支出类型,金额（万元）",
        "基本支出,1451.33",
        "项目支出,4332.09",
        "经营支出,497.51",
    ]


def test_unit_over_time_pairs_budget_and_final() -> None:
    pairs = [(key, PARSED[key]) for key in (FINAL_000, BUDGET_002)]
    chart = unit_over_time("unit-bc7e39c2ce", "山西省投资促进局", pairs)
    assert chart is not None
    assert [(row["category"], row["group"], row["amount"]) for row in chart.rows] == [
        ("2023年度预算", "本年收入合计", Decimal("5256.96")),
        ("2023年度预算", "本年支出合计", Decimal("6559.72")),
        ("2024年度决算", "本年收入合计", Decimal("6382.69")),
        ("2024年度决算", "本年支出合计", Decimal("6280.94")),
    ]


def test_units_compared_only_within_one_year_of_final_accounts() -> None:
    pairs = list(PARSED.items())
    compared = units_compared(pairs, 2024)
    assert compared is not None
    # 000, 001 and 004 are 2024 final accounts; 003 is 2023, 002 a budget.
    assert [row["category"] for row in compared.rows] == [
        "山西省投资促进局",
        "山西省政府驻广州办事处",
        "山西省民营经济发展局",
    ]
    assert "2024年度" in compared.title
    earlier = units_compared(pairs, 2023)
    assert earlier is not None
    assert [row["amount"] for row in earlier.rows] == [Decimal("5987.71")]
    three = three_public_by_unit(pairs, 2024)
    assert three is not None
    assert {row["group"] for row in three.rows} == {"全年预算数", "决算数"}


def test_facts_keep_decimals() -> None:
    assert facts.total_expenditure(PARSED[FINAL_000]) == Decimal("6280.94")
    assert facts.three_public_totals(PARSED[BUDGET_002]) == {"budget": Decimal("89.60")}


def test_every_chart_kind_is_valid_vega_lite() -> None:
    """The build skips Altair's validation for speed; this is where the specs are checked."""
    import jsonschema  # noqa: PLC0415
    from altair.vegalite.v6.schema.core import load_schema  # noqa: PLC0415

    from builder.charts.disclosure import disclosure_charts  # noqa: PLC0415
    from builder.parse import parse_file  # noqa: PLC0415
    from tests.conftest import SEEDS  # noqa: PLC0415

    validator = jsonschema.Draft7Validator(load_schema())
    kinds: set[str] = set()
    for path in SEEDS:
        for chart in disclosure_charts(path.stem, parse_file(path)):
            errors = list(validator.iter_errors(chart.spec))
            assert errors == [], (chart.chart_id, errors[:1])
            kinds.add(chart.chart_id.removeprefix(path.stem + "-"))
    assert len(kinds) >= 5


def test_spending_of_year_is_the_balance_spending() -> None:
    """``spending_of_year`` computes only the spending (the portal pages ask for it of every
    disclosure): the same as ``balance``'s, for every seed and with the total taken out."""
    for parsed in PARSED.values():
        found = facts.balance(parsed)
        assert facts.spending_of_year(parsed) == (found.spending if found else None)
        without = copy.deepcopy(parsed)
        for table in without["tables"]:
            table["rows"] = [r for r in table["rows"] if r.get("item_key") != "total_expenditure"]
        found = facts.balance(without)
        assert facts.spending_of_year(without) == (found.spending if found else None)
