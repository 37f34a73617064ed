"""A label is declared once and read by every stage: change it in the loaded declaration
and the page, the chart, the package README and the data dictionary all say the new one.

The declarations are read once per process (``builder.declarations``); here the loaded
ones are changed in place (undone after the test) and seed 001 (a final account with its
三公 table, two tables printed empty and four self-evaluations) is built without MkDocs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder import declarations
from builder.pipeline import build, docs_dir_for
from tests.chart_parts import page_charts
from tests.conftest import SEEDS, copy_seeds

SEED = SEEDS[1]  # 001: a final account
# (declaration, field, value, the label a test gives it, the declared label it replaces)
CHANGED = (
    ("three_public_costs", "phase", "budget", "预算额（改）", "预算数"),
    ("three_public_costs", "phase", "final", "决算额（改）", "决算数"),
    ("basic_expenditure_by_economic", "expense_group", "personnel", "人员费（改）", "人员经费"),
    ("tables", "status", "empty", "空表（改）", "本表无数据"),
    ("tables", "status", "parsed", "已读（改）", "已解析"),
)
TITLES = (("performance_evaluations", "total_score", "自评总分（改）", "总分"),)


def _field(name: str, field_name: str) -> dict[str, Any]:
    for field in declarations.declared(name)["fields"]:
        if field["name"] == field_name:
            found: dict[str, Any] = field
            return found
    raise AssertionError(f"{name} declares no {field_name}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(package, docs) of seed 001 built with the labels of CHANGED and TITLES."""
    with pytest.MonkeyPatch.context() as patch:
        for name, field_name, value, label, before in CHANGED:
            labels = _field(name, field_name)["x-labels"]
            assert labels[value] == before  # the declaration as committed
            patch.setitem(labels, value, label)
        for name, field_name, title, before in TITLES:
            field = _field(name, field_name)
            assert field["title"] == before
            patch.setitem(field, "title", title)
        declarations.value_labels.cache_clear()
        base = tmp_path_factory.mktemp("labels")
        sources = copy_seeds(base / "sources", [SEED])
        build(sources, base / "packages", base / "site", jobs=1, mkdocs=False)
        yield base / "packages" / SEED.stem, docs_dir_for(base / "site")
    declarations.value_labels.cache_clear()
    # undone: the other tests see the declarations as committed
    assert declarations.labels("three_public_costs", "phase")["final"] == "决算数"


def test_the_page_says_the_declared_labels(built: tuple[Path, Path]) -> None:
    _package, docs = built
    page = (docs / "disclosures" / f"{SEED.stem}.md").read_text(encoding="utf-8")
    assert "空表（改）（原文注明）" in page  # the status of table 07, printed empty
    assert "本表无数据（原文注明）" not in page  # (the findings quote the printed 本表无数据)
    assert "“三公”经费决算额（改）" in page  # the story's headline figures
    assert "“三公”经费全年预算额（改）" in page
    assert "<th>自评总分（改）</th>" in page  # the self-evaluations' summary table
    assert "<th>总分</th>" not in page


def test_the_templates_say_the_declared_labels(built: tuple[Path, Path]) -> None:
    _package, docs = built
    unit = next((docs / "units").glob("unit-*.md")).read_text(encoding="utf-8")
    assert "列有全年预算额（改）和决算额（改）" in unit
    compare = (docs / "compare.md").read_text(encoding="utf-8")
    assert "人员费（改）占基本支出的比例" in compare
    assert "人员经费" not in compare


def test_the_charts_say_the_declared_labels(built: tuple[Path, Path]) -> None:
    _package, docs = built
    charts = page_charts(docs, docs / "disclosures" / f"{SEED.stem}.md")
    three = json.dumps(charts[f"{SEED.stem}-three-public-costs"], ensure_ascii=False)
    assert "全年预算额（改）" in three
    assert "决算额（改）" in three
    assert "预算数" not in three
    assert "决算数" not in three
    basic = json.dumps(charts[f"{SEED.stem}-basic-by-economic"], ensure_ascii=False)
    assert "人员费（改）" in basic
    assert "人员经费" not in basic


def test_the_readme_and_the_dictionary_say_the_declared_labels(built: tuple[Path, Path]) -> None:
    package, docs = built
    readme = (package / "README.md").read_text(encoding="utf-8")
    assert "空表（改） empty" in readme
    assert "已读（改） parsed" in readme
    assert "本表无数据 empty" not in readme  # (the findings quote the printed 本表无数据)
    dictionary = (docs / "dictionary.md").read_text(encoding="utf-8")
    assert "<code>budget</code>＝预算额（改）；<code>final</code>＝决算额（改）" in dictionary
    assert "<code>personnel</code>＝人员费（改）" in dictionary
    assert "| 自评总分（改） |" in dictionary


def test_every_level_field_declares_the_levels_the_code_reads() -> None:
    """The levels are declared in 13 tables; the code reads them from one
    (``declarations.levels``): any table declaring others would drift from it."""
    assert declarations.levels() == ("合计", "类", "款", "项")
    found = {
        name: tuple(field["constraints"]["enum"])
        for name in declarations.names()
        for field in declarations.declared(name).get("fields", [])
        if field["name"] == "level"
    }
    assert len(found) == 13
    assert all(
        levels in {declarations.levels(), declarations.levels()[:3]} for levels in found.values()
    ), found
