"""Long lists cut into pages (``builder.pages.paging``): every row on exactly one page, a
pager naming each page by its first and last rows, and the portal's lists so cut when they
are longer than a page (the page sizes set small here, so the seeds fill several pages).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

import pytest

from builder.pages import compare, data, glossary, home, unit, write_pages
from builder.pages.catalog import link, unit_id
from builder.pages.markup import md_link, text
from builder.pages.paging import Listing
from builder.parse import parse_file
from tests.conftest import BUNDLED

PAGE = "disclosures/index.md"
ITEMS = [("甲", 2024), ("乙", 2024), ("丙", 2023), ("丁", 2023), ("戊", 2022), ("己", 2021)]
SITE_URL = "https://example.org/portal/"


def _listing(per_page: int) -> Listing[tuple[str, int]]:
    return Listing(
        PAGE,
        ITEMS,
        lambda item: f"{item[1]}年度",
        lambda item, page: [text(item[0]), md_link("页面", f"{page}#{item[0]}")],
        ["名称", "页面"],
        ["left", "left"],
        caption="全部",
        per_page=per_page,
    )


def test_a_listing_puts_every_row_on_exactly_one_page() -> None:
    listing = _listing(4)
    assert listing.count == 2
    assert [listing.path(n) for n in (1, 2)] == [PAGE, "disclosures/pages/2.md"]
    first, second = listing.rows_table(1), listing.rows_table(2)
    # each row's links are made for the page it is on
    for name in ("甲", "乙", "丙", "丁"):
        assert f"| {name} | [页面](disclosures/index.md#{name}) |" in first
        assert name not in second
    for name in ("戊", "己"):
        assert f"| {name} | [页面](disclosures/pages/2.md#{name}) |" in second
    assert '<p class="portal-caption">全部（第 2 页）</p>' in second


def test_the_pager_names_each_page_by_its_first_and_last_rows() -> None:
    pager = _listing(4).pager(2)
    # from disclosures/pages/2/ back to the first page and on: links for raw HTML
    assert '<a href="../../../disclosures/">第 1 页：2024年度 – 2023年度</a>' in pager
    assert '<strong aria-current="page">第 2 页：2022年度 – 2021年度</strong>' in pager
    assert "<p>全部：共 6 行，2 页。第 2 / 2 页 " in pager
    assert '<a href="../../../disclosures/" rel="prev">上一页</a></p>' in pager
    assert 'rel="next"' not in pager
    assert '<a href="../disclosures/pages/2/" rel="next">下一页</a>' in _listing(4).pager(1)
    assert _listing(6).pager(1) == ""  # one page: no pager
    assert _listing(6).other_pages("公开文件") == {}


def test_further_pages_are_whole_pages_left_out_of_search() -> None:
    pages = _listing(2).other_pages("公开文件", "按年度排列。")
    assert list(pages) == ["disclosures/pages/2.md", "disclosures/pages/3.md"]
    third = pages["disclosures/pages/3.md"]
    assert third.startswith('---\ntitle: "公开文件（第 3 页）"\n')
    assert 'search: {"exclude": true}' in third
    assert "# 公开文件（第 3 页）" in third
    assert '<p><a href="../../../disclosures/">返回公开文件</a>。按年度排列。</p>' in third
    assert "| 戊 |" in third
    assert "| 己 |" in third


def page_every(patch: pytest.MonkeyPatch, rows: int) -> None:
    """Every paged list ``rows`` rows a page, and the glossary one source inline (it links
    to the page of the rest)."""
    for module, name in (
        (home, "DISCLOSURES_PER_PAGE"),
        (unit, "UNITS_PER_PAGE"),
        (data, "PACKAGES_PER_PAGE"),
        (glossary, "SOURCES_PER_PAGE"),
        (compare, "UNITS_PER_PAGE"),
    ):
        patch.setattr(module, name, rows)
    patch.setattr(glossary, "INLINE_SOURCES", 1)


@pytest.fixture(scope="module")
def paged_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' pages with every list two rows a page."""
    base = tmp_path_factory.mktemp("paged")
    (base / "packages").mkdir()
    docs = base / "docs"
    parsed = [(path.stem, parse_file(path)) for path in BUNDLED]
    with pytest.MonkeyPatch.context() as patch:
        page_every(patch, 2)
        write_pages(parsed, {}, base / "packages", docs, site_url=SITE_URL)
    return docs


def _pages(docs: Path, first: str, folder: str) -> str:
    """The first page of a list and its further pages, in order."""
    more = sorted((docs / folder).glob("*.md"), key=lambda p: int(p.stem))
    return "".join(p.read_text(encoding="utf-8") for p in [docs / first, *more])


def test_every_disclosure_unit_and_package_is_on_one_page(paged_docs: Path) -> None:
    ids = [path.stem for path in BUNDLED]
    disclosures = _pages(paged_docs, "disclosures/index.md", "disclosures/pages")
    packages = _pages(paged_docs, "data.md", "data/pages")
    assert len(list((paged_docs / "disclosures" / "pages").glob("*.md"))) == len(ids) // 2
    for disclosure_id in ids:
        assert len(re.findall(rf"\]\((?:\.\./)*{disclosure_id}\.md\)", disclosures)) == 1
        assert len(re.findall(rf"\]\((?:\.\./)*disclosures/{disclosure_id}\.md\)", packages)) == 1
    units = _pages(paged_docs, "units/index.md", "units/pages")
    names = {parse_file(path)["document"]["unit_name"] for path in BUNDLED}
    for name in names:  # each unit once, with a link to its page
        assert len(re.findall(rf"\]\((?:\.\./)*{unit_id(name)}\.md\)", units)) == 1
    for disclosure_id in ids:  # and its documents
        assert len(re.findall(rf"\]\((?:\.\./)*disclosures/{disclosure_id}\.md\)", units)) == 1


def _glossary_pairs(parsed: list[tuple[str, dict[str, Any]]]) -> set[tuple[str, str]]:
    return {
        (" ".join(str(item["term"]).split()), disclosure_id)
        for disclosure_id, document in parsed
        for item in document["narrative"].get("glossary") or []
    }


def test_every_source_of_every_glossary_term_is_listed(paged_docs: Path) -> None:
    parsed = [(path.stem, parse_file(path)) for path in BUNDLED]
    sources = _pages(paged_docs, "glossary/sources.md", "glossary/sources/pages")
    listed = set()
    for row in re.findall(
        r"^\| (.+?) \| .+? \| \[.+?\]\((?:\.\./)*disclosures/(.+?)\.md\) \|$", sources, re.M
    ):
        listed.add((re.sub(r"<span id=\"[^\"]+\"></span>", "", row[0]), row[1]))
    assert listed == _glossary_pairs(parsed)
    assert len(listed) > 2 * 2  # several pages of sources


def test_the_glossary_links_a_wording_to_the_page_of_its_sources(paged_docs: Path) -> None:
    page = (paged_docs / "glossary.md").read_text(encoding="utf-8")
    links = re.findall(r"\[全部 (\d+) 份公开文件\]\(([^)#]+)#(w\d+-\d+)\)", page)
    assert any(target != "glossary/sources.md" for _, target, _ in links), links
    for _count, target, anchor in links:
        assert f'<span id="{anchor}"></span>' in (paged_docs / target).read_text(encoding="utf-8")


def test_each_year_of_the_comparison_has_its_own_pages(paged_docs: Path) -> None:
    index = (paged_docs / "compare.md").read_text(encoding="utf-8")
    assert "[2024年度决算：" in index
    year = (paged_docs / "compare" / "2024.md").read_text(encoding="utf-8")
    assert "## 支出最多的单位 { #ranking }" in year
    assert "2024年度决算：支出、“三公”经费与机关运行经费（第 1 页）" in year


def test_link_is_relpath_without_the_working_folder() -> None:
    """``link`` computes the relative path itself (``relpath`` asked ``os.getcwd`` each call):
    the same answer as ``posixpath.relpath`` for docs paths, odd ones included."""
    paths = [
        "index.md",
        "data.md",
        "disclosures/index.md",
        "disclosures/pages/2.md",
        "disclosures/d1/x.zip",
        "units/u1.md",
        "glossary/sources/pages/3.md",
        "./x.md",
        "a/../b.md",
        "a/./b/c.md",
        "a//b.md",
        "../up.md",
        "/abs/x.md",
        "a/b/",
    ]
    for start in paths:
        for target in paths:
            expected = posixpath.relpath(target, posixpath.dirname(start) or ".")
            assert link.__wrapped__(start, target) == expected, (start, target)
