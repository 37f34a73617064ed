"""A table of no standard kind is published as printed: package resource, files, page.

Seed 000 with a table of the publisher's own inserted before its 支出决算表 (as in
``tests/test_recognise.py``), built with ``python -m builder build`` like a user builds it,
beside a copy (another unit and year) whose own table holds hostile cells. The five seeds
have no such table; their golden files are unchanged.
"""

from __future__ import annotations

import atexit
import io
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest

from builder.pages.parts import read_parts
from builder.pages.tables import render_printed_table
from builder.pipeline import build
from builder.publish.other_tables import column_titles, other_table_rows, other_table_schema
from tests.conftest import SOURCES, page_parts, run_builder

OWN_ID = "000_with_own_table"
HOSTILE_ID = "900_hostile_own_table"
OWN_TITLE = "本单位政府采购执行情况表"
OWN_TABLE = [
    OWN_TITLE,
    "金额单位：万元",
    "采购类别\t预算金额\t实际金额",
    "货物\t12.50\t11.00",
    "服务\t3.00\t2.75",
]
# Tags the text reader keeps (it strips ordinary ones such as <b>), a Markdown link, and a
# note that would close an HTML comment.
SCRIPT_CELL = "<script/x>alert(1)</script/x>"
IMAGE_CELL = "<img/src=x/onerror=alert(2)>"
LINK_HEADER = "[链接](javascript:alert(3))"
HOSTILE_TABLE = [
    OWN_TITLE,
    "金额单位：万元",
    f"采购类别\t{LINK_HEADER}\t实际金额",
    f"{SCRIPT_CELL}\t12.50\t{IMAGE_CELL}",
    "服务\t3.00\t2.75",
    "注：说明-->结束",
]
OWN_CSV = (
    "row_number,source_line,source_page,column_1,column_2,column_3\n"
    "1,168,,货物,12.50,11.00\n"
    "2,169,,服务,3.00,2.75\n"
)
AS_PRINTED_NOTE = "此表不属于标准公开表格，按原样发布"
# A second table, without header rows, in 元, printed before 公开05表.
HEADERLESS_TABLE = ["本单位会议费支出明细表", "单位：元", "会议一\t2,000.00", "会议二\t500.00"]
HEADERLESS_ANCHOR = "\n一般公共预算财政拨款支出决算表\n\n公开05表\n"
HEADERLESS_CSV = (
    "row_number,source_line,source_page,column_1,column_2\n"
    '1,262,,会议一,"2,000.00"\n'
    "2,263,,会议二,500.00\n"
)


def with_table(lines: list[str], *, renamed: bool = False) -> str:
    """Seed 000 with ``lines`` inserted before its 支出决算表 (公开03表)."""
    text = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
    if renamed:
        text = text.replace("山西省投资促进局", "山西省测试促进局").replace("2024", "2025")
    inserted = "\n".join(lines)
    anchor = "\n支出决算表\n\n公开03表\n"
    changed = text.replace(anchor, f"\n{inserted}{anchor}", 1)
    assert changed != text, "the seed no longer has 支出决算表 followed by 公开03表"
    return changed


@cache
def built() -> Path:
    """Both disclosures built once (packages, pages and site) into a temporary folder."""
    root = Path(tempfile.mkdtemp(prefix="obp-other-tables-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    sources = root / "sources"
    sources.mkdir()
    (sources / f"{OWN_ID}.txt").write_text(with_table(OWN_TABLE), encoding="utf-8")
    hostile = with_table(HOSTILE_TABLE, renamed=True)
    (sources / f"{HOSTILE_ID}.txt").write_text(hostile, encoding="utf-8")
    result = run_builder("build", "--sources", sources, "--output", root / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "out"


def descriptor(package: str) -> dict[str, Any]:
    path = built() / "packages" / package / "datapackage.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def resource(package: str, name: str) -> dict[str, Any]:
    return next(r for r in descriptor(package)["resources"] if r["name"] == name)


def parts_of(disclosure: str) -> dict[str, str]:
    return page_parts(built() / "site-docs" / "disclosures" / f"{disclosure}.md")


def page_markdown(disclosure: str) -> str:
    return (built() / "site-docs" / "disclosures" / f"{disclosure}.md").read_text(encoding="utf-8")


def page_html(disclosure: str) -> str:
    """The page's HTML and that of its parts loaded when opened (``builder.pages.parts``)."""
    folder = built() / "site" / "disclosures" / disclosure
    return "\n".join(
        [(folder / "index.html").read_text(encoding="utf-8"), read_parts(folder) or ""]
    )


# --------------------------------------------------------------------------- the package


def test_the_table_is_a_resource_with_its_printed_header() -> None:
    found = resource(OWN_ID, "other_table_1")
    assert found["title"] == OWN_TITLE
    assert "不属于标准公开表格，按原样发布" in found["description"]
    assert "matches no standard table kind" in found["description"]
    assert found["x-status"] == "as_printed"
    assert found["x-source"]["start_line"] == 165
    assert found["x-source"]["header_rows"] == [["采购类别", "预算金额", "实际金额"]]
    fields = found["schema"]["fields"]
    assert [(f["name"], f["type"], f.get("title")) for f in fields] == [
        ("row_number", "integer", "行号"),
        ("source_line", "integer", "源文件行号"),
        ("source_page", "integer", "源文件页码"),
        ("column_1", "string", "采购类别"),
        ("column_2", "string", "预算金额"),
        ("column_3", "string", "实际金额"),
    ]
    assert found["schema"]["primaryKey"] == ["row_number"]


def test_its_csv_holds_the_cells_as_printed() -> None:
    csv = built() / "packages" / OWN_ID / "csv" / "other_table_1.csv"
    assert csv.read_bytes() == OWN_CSV.encode("utf-8-sig")  # with the BOM Excel needs


def test_its_parquet_and_workbook_sheet_hold_the_same_text() -> None:
    package = built() / "packages" / OWN_ID
    table = pq.read_table(package / "parquet" / "other_table_1.parquet")
    assert table.to_pylist() == [
        {
            "row_number": 1,
            "source_line": 168,
            "source_page": None,
            "column_1": "货物",
            "column_2": "12.50",
            "column_3": "11.00",
        },
        {
            "row_number": 2,
            "source_line": 169,
            "source_page": None,
            "column_1": "服务",
            "column_2": "3.00",
            "column_3": "2.75",
        },
    ]
    workbook = openpyxl.load_workbook(io.BytesIO((package / f"{OWN_ID}.xlsx").read_bytes()))
    sheet = [[cell.value for cell in row] for row in workbook[OWN_TITLE].iter_rows()]
    assert sheet == [
        ["行号", "源文件行号", "源文件页码", "采购类别", "预算金额", "实际金额"],
        [1, 168, None, "货物", "12.50", "11.00"],
        [2, 169, None, "服务", "3.00", "2.75"],
    ]


def test_it_is_listed_after_the_standard_tables() -> None:
    entries = descriptor(OWN_ID)["x-tables"]
    assert [e["table_number"] for e in entries[:-1]] == [f"{n:02d}" for n in range(1, 11)]
    assert entries[-1] == {
        "position": 11,
        "table_number": None,
        "kind": "other_table_1",
        "title": OWN_TITLE,
        "status": "as_printed",
        "published": True,
        "row_count": 2,
        "printed_title": OWN_TITLE,
        "printed_number": None,
        "start_line": 165,
        "end_line": 169,
    }
    readme = (built() / "packages" / OWN_ID / "README.md").read_text(encoding="utf-8")
    assert f"| – | {OWN_TITLE} | `other_table_1` | 按原样 as printed" in readme


def test_the_portal_lists_it_but_combines_no_printed_table() -> None:
    tables = (built() / "packages" / "portal" / "csv" / "tables.csv").read_text(
        encoding="utf-8-sig"
    )
    context = "unit-bc7e39c2ce,山西省投资促进局,2024,final,决算,单位"  # on every portal row
    line = (
        f"{OWN_ID},{context},11,,other_table_1,{OWN_TITLE},as_printed,true,2,{OWN_TITLE},,165,169\n"
    )
    assert line in tables
    names = [r["name"] for r in descriptor("portal")["resources"]]
    assert not [name for name in names if name.startswith("other_table")]


def test_the_packages_validate() -> None:
    result = run_builder("validate", "--output", built())
    assert result.returncode == 0, result.stdout
    assert f"ok   {OWN_ID}: 16 resources" in result.stdout


def test_a_changed_printed_table_schema_fails_validation(tmp_path: Path) -> None:
    shutil.copytree(built() / "packages", tmp_path / "packages")
    path = tmp_path / "packages" / OWN_ID / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = next(r for r in data["resources"] if r["name"] == "other_table_1")
    changed["schema"]["fields"][3]["type"] = "any"  # still valid Table Schema, but not declared
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    result = run_builder("validate", "--output", tmp_path)
    assert result.returncode == 1
    assert "other_table_1: schema differs from its declaration file" in result.stdout


def test_two_tables_are_numbered_in_document_order_and_build_byte_identical(
    tmp_path: Path,
) -> None:
    text = with_table(OWN_TABLE)
    inserted = "\n".join(HEADERLESS_TABLE)
    text = text.replace(HEADERLESS_ANCHOR, f"\n{inserted}{HEADERLESS_ANCHOR}", 1)
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / f"{OWN_ID}.txt").write_text(text, encoding="utf-8")
    # Two clean builds, each with its own cache folder (beside its packages).
    first, second = tmp_path / "first" / "packages", tmp_path / "second" / "packages"
    build(sources, first, site=None, clean=True)
    build(sources, second, site=None, clean=True)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    changed = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert changed == []
    package = first / OWN_ID
    assert (package / "csv" / "other_table_1.csv").read_bytes() == OWN_CSV.encode("utf-8-sig")
    assert (package / "csv" / "other_table_2.csv").read_bytes() == HEADERLESS_CSV.encode(
        "utf-8-sig"
    )
    data = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    headerless = next(r for r in data["resources"] if r["name"] == "other_table_2")
    assert headerless["title"] == "本单位会议费支出明细表"
    assert headerless["description"].endswith("原文金额单位 Printed money unit: 元.")
    columns = headerless["schema"]["fields"][3:]
    assert [(f["name"], f.get("title")) for f in columns] == [
        ("column_1", None),
        ("column_2", None),
    ]
    statuses = [(e["position"], e["kind"], e["status"]) for e in data["x-tables"][10:]]
    assert statuses == [(11, "other_table_1", "as_printed"), (12, "other_table_2", "as_printed")]


# --------------------------------------------------------------------------- the page


def test_the_page_shows_it_as_printed_after_the_standard_tables() -> None:
    page = page_markdown(OWN_ID)
    heading = f"### {OWN_TITLE}\n"
    assert heading in page
    last_standard = page.index("### 公开10表 部门决算公开相关信息统计表\n")
    assert last_standard < page.index(heading) < page.index("## 情况说明")
    section = page[page.index(heading) : page.index("## 情况说明")]
    assert AS_PRINTED_NOTE in section
    # The rows are loaded when the block is opened (builder.pages.parts).
    assert 'data-part="other_table_1"' in section
    part = parts_of(OWN_ID)["other_table_1.html"]
    assert "<th>采购类别</th><th>预算金额</th><th>实际金额</th>" in part
    assert "<tr><td>货物</td><td>12.50</td><td>11.00</td></tr>" in part
    assert "<tr><td>服务</td><td>3.00</td><td>2.75</td></tr>" in part
    assert f"downloads/{OWN_ID}/csv/other_table_1.csv" in section
    assert f"downloads/{OWN_ID}/parquet/other_table_1.parquet" in section
    html = page_html(OWN_ID)
    assert "<tr><td>货物</td><td>12.50</td><td>11.00</td></tr>" in html
    assert AS_PRINTED_NOTE in html


def test_hostile_cells_are_inert_on_the_page() -> None:
    html = page_html(HOSTILE_ID)
    assert "&lt;script/x&gt;alert&#40;1&#41;&lt;/script/x&gt;" in html
    assert "&lt;img/src=x/onerror=alert&#40;2&#41;&gt;" in html
    assert "&#91;链接&#93;&#40;javascript:alert&#40;3&#41;&#41;" in html
    assert '<p class="portal-muted">注：说明--&gt;结束</p>' in html  # the note, closing nothing
    for live in ("<script/x>", "<img/src", 'href="javascript:', "alert(1)", "alert(2)"):
        assert live not in html, live
    # The data keeps what was printed.
    csv = (built() / "packages" / HOSTILE_ID / "csv" / "other_table_1.csv").read_text("utf-8")
    assert f"1,168,,{SCRIPT_CELL},12.50,{IMAGE_CELL}\n" in csv


def test_a_printed_table_is_rendered_escaped() -> None:
    table = {
        "header": [["<b>项目</b>", "金额"], []],
        "rows": [{"cells": ["<script>alert(1)</script>", "1.00"], "source_line": 3}],
    }
    html = render_printed_table(table, "<i>表</i>")
    assert "<caption>&lt;i&gt;表&lt;/i&gt;</caption>" in html
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<td>&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;</td><td>1.00</td>" in html
    assert "<thead><tr><th>&lt;b&gt;项目&lt;/b&gt;</th><th>金额</th></tr></thead>" in html


# --------------------------------------------------------------------------- the schema rules


def test_column_titles_join_the_header_rows_above_each_column() -> None:
    header = [["项目", "本年支出", ""], ["", "小计", "基本支出"]]
    assert column_titles(header, 4, " / ") == ["项目", "本年支出 / 小计", "基本支出", None]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["货物", "12.50", "11.00"], ["货物", "12.50", "11.00"]),
        (["合计", "15.50"], ["合计", "15.50", None]),  # a short row: the missing cell is empty
        (["", "—", "1, 000. 00"], [None, "—", "1, 000. 00"]),  # printed text, not parsed
    ],
)
def test_rows_keep_the_printed_cells(cells: list[str], expected: list[str | None]) -> None:
    schema = other_table_schema(["采购类别", "预算金额", "实际金额"])
    table = {"rows": [{"cells": cells, "source_line": 7, "source_page": 2}]}
    [row] = other_table_rows(table, schema)
    assert row == {
        "row_number": 1,
        "source_line": 7,
        "source_page": 2,
        **dict(zip(["column_1", "column_2", "column_3"], expected, strict=True)),
    }
    assert [f["title"] for f in schema["fields"][3:]] == ["采购类别", "预算金额", "实际金额"]
