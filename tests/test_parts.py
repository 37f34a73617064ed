"""Parts of a page loaded on demand (``builder.pages.parts``): where they go, what the page
keeps, and that a part is a page of its own that needs no JavaScript."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from builder.pages.markup import HtmlTable
from builder.pages.parts import BACK_LABEL, OPEN_LABEL, Parts, page_folder

HOSTILE = '<script>alert(1)</script>[x](javascript:y) & "q"'


@pytest.mark.parametrize(
    ("page", "folder"),
    [
        ("disclosures/000_127416229ccdc025.md", "disclosures/000_127416229ccdc025"),
        ("units/index.md", "units"),
        ("units/unit-bc7e39c2ce.md", "units/unit-bc7e39c2ce"),
        ("compare.md", "compare"),
        ("index.md", "."),
    ],
)
def test_a_part_lives_in_its_pages_folder(page: str, folder: str) -> None:
    assert page_folder(page) == PurePosixPath(folder)


def _table() -> str:
    table = HtmlTable(headers=["科目名称", "金额（万元）"], numeric={1}, caption="公开09表")
    table.add(["公务接待费", "0.81"])
    return table.render()  # wrapped for MkDocs in a portal-raw comment


def test_the_page_keeps_the_summary_and_a_link(tmp_path: Path) -> None:
    block = Parts(tmp_path, "disclosures/d1.md").details(
        "查看表格（1 行）",
        _table(),
        name="three_public_costs",
        title="某局 2024年度决算：公开09表",
        anchor="table-three_public_costs",
    )
    assert block == (
        '<details id="table-three_public_costs" data-search-exclude'
        ' data-part="parts/three_public_costs.html">\n'
        "<summary>查看表格（1 行）</summary>\n"
        f'<p class="portal-part"><a href="parts/three_public_costs.html">{OPEN_LABEL}</a></p>\n'
        "</details>\n"
    )
    assert "公务接待费" not in block  # the rows are in the part only
    assert (tmp_path / "disclosures" / "d1" / "parts" / "three_public_costs.html").is_file()


def test_a_part_is_a_page_of_its_own(tmp_path: Path) -> None:
    Parts(tmp_path, "disclosures/d1.md").details(
        "查看表格", _table(), name="three_public_costs", title="某局：公开09表"
    )
    part = (tmp_path / "disclosures" / "d1" / "parts" / "three_public_costs.html").read_text(
        encoding="utf-8"
    )
    assert part.startswith("<!doctype html>\n")
    assert '<meta charset="utf-8">' in part  # Chinese reads right opened on its own
    # Relative links mean what they mean on the page: the base is the page's folder.
    assert '<base href="../">' in part
    assert '<link rel="stylesheet" href="../../assets/stylesheets/portal.css">' in part
    assert f'<a href="./">{BACK_LABEL}</a>' in part
    assert "<title>某局：公开09表</title>" in part
    assert '<td class="num">0.81</td>' in part
    assert "portal-raw" not in part  # the comment MkDocs would have removed is gone


def test_a_part_of_the_home_page(tmp_path: Path) -> None:
    block = Parts(tmp_path, "index.md").details("图表数据", "<p>一</p>", name="chart-a", title="甲")
    assert 'data-part="parts/chart-a.html"' in block
    part = (tmp_path / "parts" / "chart-a.html").read_text(encoding="utf-8")
    assert '<base href="./">' not in part  # the part's folder is one below the page's
    assert '<base href="../">' in part
    assert '<link rel="stylesheet" href="assets/stylesheets/portal.css">' in part


def test_summary_and_title_are_escaped(tmp_path: Path) -> None:
    block = Parts(tmp_path, "disclosures/d1.md").details(
        HOSTILE, "<p>正文</p>", name="x", title=HOSTILE
    )
    part = (tmp_path / "disclosures" / "d1" / "parts" / "x.html").read_text(encoding="utf-8")
    for html in (block, part):
        assert "<script>" not in html
        assert "](javascript:" not in html
        assert not re.search(r"<title>[^<]*<script", html)
