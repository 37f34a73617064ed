"""Property tests of the hierarchy checks on random classification trees (hypothesis).

A random table 05 (合计, 类, 款, 项 by code; total, basic and project columns) whose every
parent is the sum of its children passes ``hierarchy-sum`` and ``hierarchy-orphan``; a row
whose parent is dropped is reported as an orphan, and a changed amount is reported on its
row. A seed with a 类 and a 款 row deleted reports the rows left without their parent.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.parse import parse_file
from builder.validate import Finding, audit
from tests.conftest import SOURCES
from tests.test_audit import Tables

KIND = "general_budget_expenditure"
CHECKS = ("hierarchy-sum", "hierarchy-orphan")
COLUMNS = 3  # total, basic, project
Leaf = tuple[Decimal, Decimal]  # basic, project
Tree = dict[str, dict[str, dict[str, Leaf]]]  # 类 → 款 → 项 → amounts

CENTS = st.integers(min_value=0, max_value=10**8).map(lambda n: Decimal(n).scaleb(-2))
LEAVES = st.tuples(CENTS, CENTS)
ITEMS = st.dictionaries(
    st.integers(1, 99).map(lambda n: f"{n:02d}"), LEAVES, min_size=1, max_size=4
)
SECTIONS = st.dictionaries(
    st.integers(1, 99).map(lambda n: f"{n:02d}"), ITEMS, min_size=1, max_size=3
)
TREES = st.dictionaries(st.integers(201, 235).map(str), SECTIONS, min_size=1, max_size=3)


def amounts(leaves: list[Leaf]) -> tuple[str, ...]:
    basic = sum((leaf[0] for leaf in leaves), Decimal("0.00"))
    project = sum((leaf[1] for leaf in leaves), Decimal("0.00"))
    return str(basic + project), str(basic), str(project)


def table_rows(tree: Tree) -> list[tuple[str, ...]]:
    """Rows of table 05 in printed order: 合计, then each 类 with its 款 and 项."""
    every = [
        leaf for sections in tree.values() for items in sections.values() for leaf in items.values()
    ]
    rows = [("合计", "合计", *amounts(every))]
    for class_code, sections in sorted(tree.items()):
        leaves = [leaf for items in sections.values() for leaf in items.values()]
        rows.append((class_code, f"类{class_code}", *amounts(leaves)))
        for section, items in sorted(sections.items()):
            rows.append((class_code + section, f"款{section}", *amounts(list(items.values()))))
            for item, leaf in sorted(items.items()):
                code = class_code + section + item
                rows.append((code, f"项{item}", *amounts([leaf])))
    return rows


def document(rows: list[tuple[str, ...]]) -> dict[str, Any]:
    tables = Tables()
    tables.classified(KIND, *rows)
    return tables.document("final")


def hierarchy_findings(doc: dict[str, Any]) -> list[Finding]:
    return [f for f in audit(doc, "random") if f.check_id in CHECKS]


def table_05(doc: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = doc["tables"][0]["rows"]
    return rows


@settings(max_examples=60, deadline=None)
@given(TREES)
def test_parents_that_are_the_sum_of_their_children_pass(tree: Tree) -> None:
    assert hierarchy_findings(document(table_rows(tree))) == []


@settings(max_examples=60, deadline=None)
@given(TREES, st.data())
def test_a_row_whose_parent_is_dropped_is_an_orphan(tree: Tree, data: st.DataObject) -> None:
    rows = table_rows(tree)
    parents = [row for row in rows if row[0] != "合计" and len(row[0]) < 7]
    dropped = data.draw(st.sampled_from(parents))
    doc = document([row for row in rows if row is not dropped])
    children = [r for r in table_05(doc) if r.get("parent_code") == dropped[0]]
    orphans = [f for f in hierarchy_findings(doc) if f.check_id == "hierarchy-orphan"]
    assert sorted(line for f in orphans for line in f.rows) == sorted(
        r["source_line"] for r in children
    )
    assert all(f"{dropped[0]} 不在表中" in f.message_zh for f in orphans)


@settings(max_examples=60, deadline=None)
@given(TREES, st.data())
def test_a_changed_amount_is_found_on_its_row(tree: Tree, data: st.DataObject) -> None:
    doc = document(table_rows(tree))
    rows = table_05(doc)
    row = data.draw(st.sampled_from(rows))
    field = data.draw(
        st.sampled_from(
            [
                "total_expenditure_10k_yuan",
                "basic_expenditure_10k_yuan",
                "project_expenditure_10k_yuan",
            ]
        )
    )
    change = data.draw(st.sampled_from([Decimal("1.00"), Decimal("-0.50"), Decimal("123.45")]))
    row[field] = (row[field] or Decimal(0)) + change
    found = [f for f in hierarchy_findings(doc) if f.field == field]
    assert found
    assert all(f.check_id == "hierarchy-sum" for f in found)
    assert any(row["source_line"] in f.rows for f in found)


def test_items_whose_class_and_section_are_not_printed_are_orphans(tmp_path: Path) -> None:
    lines = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8").split("\n")
    assert lines[146].startswith("208\t社会保障和就业支出\t345.71")  # table 02, line 147
    assert lines[147].startswith("20805\t行政事业单位养老支出\t295.14")
    path = tmp_path / "orphans.txt"
    path.write_text("\n".join(lines[:146] + lines[148:]), encoding="utf-8")
    found = [f for f in audit(parse_file(path), "orphans") if f.check_id == "hierarchy-orphan"]
    assert [(f.tables, f.rows) for f in found] == [
        (("income_by_function",), (147,)),  # 2080502: 20805 not printed
        (("income_by_function",), (148,)),  # 2080505
        (("income_by_function",), (149,)),  # 2080506
        (("income_by_function",), (150,)),  # 20899: 208 not printed
    ]
    assert found[3].message_en == (
        "Table 02 20899 其他社会保障和就业支出 (款): its parent 208 is not in the table, so its"
        " amounts add up to no printed total and cannot be checked."
    )
