"""Parts of a page loaded on demand (``builder.pages.parts``): where they go, what the page
keeps, and that a part is a page of its own that needs no JavaScript."""

from __future__ import annotations

import gzip
import re
from pathlib import Path, PurePosixPath

import pytest

from builder.pages.markup import HtmlTable
from builder.pages.parts import (
    BACK_LABEL,
    OPEN_LABEL,
    TITLE_SUFFIX,
    Parts,
    page_folder,
    read_parts,
)

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
    parts = Parts(tmp_path, "disclosures/d1.md", "某局 2024年度决算")
    block = parts.details(
        "查看表格（1 行）",
        _table(),
        name="three_public_costs",
        title="某局 2024年度决算：公开09表",
        anchor="table-three_public_costs",
    )
    assert block == (
        '<details id="table-three_public_costs" data-search-exclude'
        ' data-part="three_public_costs">\n'
        "<summary>查看表格（1 行）</summary>\n"
        f'<p class="portal-part"><a href="parts.html.gz" download>{OPEN_LABEL}</a></p>\n'
        "</details>\n"
    )
    assert "公务接待费" not in block  # the rows are in the part only
    assert not (tmp_path / "disclosures" / "d1" / "parts.html.gz").exists()  # until written
    parts.write()
    written = (tmp_path / "disclosures" / "d1" / "parts.html.gz").read_bytes()
    assert written[:2] == b"\x1f\x8b"  # gzip, which parts.js decodes (gunzip.js)
    assert "公务接待费" in gzip.decompress(written).decode("utf-8")


def test_the_parts_file_has_the_same_bytes_for_the_same_parts(tmp_path: Path) -> None:
    written = []
    for folder in ("a", "b"):
        parts = Parts(tmp_path / folder, "disclosures/d1.md", "某局")
        parts.details("查看表格", _table(), name="three_public_costs", title="某局：公开09表")
        parts.write()
        written.append((tmp_path / folder / "disclosures" / "d1" / "parts.html.gz").read_bytes())
    assert written[0] == written[1]
    assert written[0][4:8] == b"\0\0\0\0"  # no time in the gzip header (RFC 1952 MTIME)


def test_every_part_of_a_page_is_one_page_of_its_own(tmp_path: Path) -> None:
    parts = Parts(tmp_path, "disclosures/d1.md", "某局 2024年度决算")
    parts.details(
        "查看表格", _table(), name="three_public_costs", title="某局 2024年度决算：公开09表"
    )
    parts.details("逐表文件", "<p>文件</p>", name="files", title="某局：逐表文件")
    parts.write()
    [written] = (tmp_path / "disclosures" / "d1").iterdir()  # one file for both parts
    part = read_parts(written.parent)
    assert part is not None
    assert part.startswith("<!doctype html>\n")
    assert '<meta charset="utf-8">' in part  # Chinese reads right opened on its own
    # The file is in the page's folder: relative links mean what they mean on the page.
    assert "<base" not in part
    assert '<link rel="stylesheet" href="../../assets/stylesheets/portal.css">' in part
    assert f'<a href="./">{BACK_LABEL}</a>' in part
    assert f"<title>某局 2024年度决算{TITLE_SUFFIX}</title>" in part
    # The page's title once above the parts; a part's title says what it is under it.
    assert '<main class="md-typeset">\n<h1>某局 2024年度决算</h1>\n<section' in part
    assert (
        '<section id="three_public_costs" data-portal-part>\n<h2>公开09表</h2>\n'
        '<div class="portal-table-wrap" data-search-exclude>\n<table class="portal-table">'
    ) in part
    assert '<td class="num">0.81</td>' in part
    assert '<section id="files" data-portal-part>\n<h2>某局：逐表文件</h2>\n<p>文件</p>\n' in part
    assert part.index('id="three_public_costs"') < part.index('id="files"')  # page order
    assert "portal-raw" not in part  # the comment MkDocs would have removed is gone


def test_a_page_without_parts_has_no_parts_file(tmp_path: Path) -> None:
    Parts(tmp_path, "units/unit-1.md", "某局").write()
    assert not any(tmp_path.rglob("*"))


def test_two_parts_of_one_page_cannot_share_a_name(tmp_path: Path) -> None:
    parts = Parts(tmp_path, "disclosures/d1.md", "某局")
    parts.details("一", "<p>一</p>", name="files", title="一")
    with pytest.raises(ValueError, match="two parts named 'files'"):
        parts.details("二", "<p>二</p>", name="files", title="二")


def test_a_part_of_the_home_page(tmp_path: Path) -> None:
    parts = Parts(tmp_path, "index.md", "开放预算门户")
    block = parts.details("图表数据", "<p>一</p>", name="chart-a", title="甲")
    parts.write()
    assert 'data-part="chart-a"' in block
    part = read_parts(tmp_path)
    assert part is not None
    assert '<link rel="stylesheet" href="assets/stylesheets/portal.css">' in part


def test_summary_and_title_are_escaped(tmp_path: Path) -> None:
    parts = Parts(tmp_path, "disclosures/d1.md", HOSTILE)
    block = parts.details(HOSTILE, "<p>正文</p>", name="x", title=HOSTILE)
    parts.write()
    part = read_parts(tmp_path / "disclosures" / "d1")
    assert part is not None
    for html in (block, part):
        assert "<script>" not in html
        assert "](javascript:" not in html
        assert not re.search(r"<title>[^<]*<script", html)


def test_a_part_loaded_into_a_searched_block(tmp_path: Path) -> None:
    parts = Parts(tmp_path, "disclosures/d1.md", "某局 2024年度决算")
    block = parts.searched_details(
        "资金、目标与完成情况",
        _table(),
        "<p><strong>年度目标：</strong>完成招商任务。</p>\n",
        name="evaluation-1-funding",
        title="某局 2024年度决算：招商经费：项目资金",
    )
    assert block == (
        '<details data-part="evaluation-1-funding">\n<summary>资金、目标与完成情况</summary>\n'
        f'<p class="portal-part" data-search-exclude><a href="parts.html.gz" download>'
        f"{OPEN_LABEL}</a></p>\n"
        "<p><strong>年度目标：</strong>完成招商任务。</p>\n</details>\n"
    )
    assert "公务接待费" not in block  # the table is in the part only
    with pytest.raises(ValueError, match="two parts named 'evaluation-1-funding'"):
        parts.details("二", "<p>二</p>", name="evaluation-1-funding", title="二")
    parts.write()
    part = read_parts(tmp_path / "disclosures" / "d1")
    assert part is not None
    assert (
        '<section id="evaluation-1-funding" data-portal-part>\n<h2>招商经费：项目资金</h2>' in part
    )
    assert '<td class="num">0.81</td>' in part
