"""The site configuration and a strict MkDocs build of the seeds plus a hostile disclosure.

The hostile disclosure carries HTML, script and Markdown link/image syntax in its unit name,
a table cell, narrative text, the glossary, a project name and an audit message; the built
HTML must contain none of it as markup.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config

from builder.pages import write_pages
from builder.pages.site_hooks import link_file
from tests.browser.sitebuild import mkdocs_build, parse_seeds
from tests.conftest import ROOT, html_files, html_text

VENDOR = ROOT / "site_src" / "assets" / "javascripts" / "vendor"
SITE_URL = "http://127.0.0.1:8765/"
HOSTILE = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>'
    "[link](javascript:alert(2))![img](http://evil.example/x.png)"
)
HOSTILE_ID = "999_hostile"
SEED_000 = "000_127416229ccdc025"
FORBIDDEN = ("<script>alert", "<img src=x", 'href="javascript:', 'src="http://evil.example')


def test_mkdocs_configuration() -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "mkdocs.yml"))
    assert config["theme"]["language"] == "zh"
    assert config["theme"]["font"] is False
    assert "navigation.instant" in config["theme"]["features"]
    # No Material search plugin: the portal's own index (builder/pages/search.py) runs as the
    # first hook, before site_hooks.py unwraps the data tables.
    assert "material/search" not in config["plugins"]
    assert "search" not in config["plugins"]
    hooks = [str(path) for path in config["hooks"]]
    assert hooks == [
        str(ROOT / "builder" / "pages" / "search.py"),
        str(ROOT / "builder" / "pages" / "site_hooks.py"),
    ]
    assert config["theme"].dirs[0] == str(ROOT / "builder" / "pages" / "theme")
    scripts = [str(script) for script in config["extra_javascript"]]
    assert scripts == [
        "assets/javascripts/vendor/vega.min.js",
        "assets/javascripts/vendor/vega-lite.min.js",
        "assets/javascripts/vendor/vega-embed.min.js",
        "assets/javascripts/vendor/fflate-gunzip.min.js",
        "assets/javascripts/gunzip.js",
        "assets/javascripts/charts.js",
        "assets/javascripts/parts.js",
        "assets/javascripts/search.js",
        "assets/javascripts/permalinks.js",
    ]
    for script in scripts:
        assert (ROOT / "site_src" / script).is_file(), script
    for package in ("vega", "vega-lite", "vega-embed", "fflate"):
        assert (VENDOR / f"{package}.LICENSE.txt").is_file()
    charts_js = (ROOT / "site_src" / "assets" / "javascripts" / "charts.js").read_text()
    assert "document$.subscribe" in charts_js
    assert 'renderer: "svg"' in charts_js
    assert "actions: false" in charts_js


def _hostile(parsed: dict[str, Any]) -> dict[str, Any]:
    evil = copy.deepcopy(parsed)
    evil["document"]["unit_name"] = HOSTILE
    evil["document"]["title"] = HOSTILE
    table = next(t for t in evil["tables"] if t["kind"] == "expenditure_by_function")
    table["rows"][1]["function_name"] = HOSTILE
    section = evil["narrative"]["explanations"][0]
    section["heading"] = HOSTILE
    section["text"] = f"第一行{HOSTILE}\n1. 第二行 | 表格 | ---\n# 不是标题"
    evil["narrative"]["glossary"][0] = {"term": HOSTILE, "definition": HOSTILE}
    evil["annexes"]["performance_evaluations"][0]["project_name"] = HOSTILE
    return evil


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("strict")
    docs = dest / "docs"
    shutil.copytree(ROOT / "site_src", docs)
    parsed = parse_seeds()
    parsed.append((HOSTILE_ID, _hostile(dict(parsed)["000_127416229ccdc025"])))
    finding = {
        "check_id": HOSTILE,
        "severity": "error",
        "tables": [HOSTILE],
        "rows": [1],
        "expected": "1",
        "actual": HOSTILE,
        "difference": None,
        "message_zh": HOSTILE,
    }
    findings = {key: [] for key, _ in parsed}
    findings[HOSTILE_ID] = [finding]
    write_pages(parsed, findings, dest / "packages", docs, site_url=SITE_URL)
    return mkdocs_build(dest, docs, SITE_URL)


def test_strict_build_has_every_page(site: Path) -> None:
    for path in (
        "index.html",
        "units/index.html",
        "data/index.html",
        "quality/index.html",
        "glossary/index.html",
        "methodology/index.html",
        "dictionary/index.html",
        "data.json",
        f"disclosures/{HOSTILE_ID}/index.html",
    ):
        assert (site / path).is_file(), path


def test_disclosure_text_cannot_inject_markup(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for bad in FORBIDDEN:
            assert bad not in html, (page, bad)
    page = (site / "disclosures" / HOSTILE_ID / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in page  # shown as text
    title = page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title
    assert "&lt;" not in title
    # The search index holds the text as text (JSON strings), never as markup: search.js
    # escapes it where it shows it (tests/browser/test_hostile_source.py searches it).
    glossary = _search_page(site, "glossary/")
    assert any(section[1].startswith("<script>alert") for section in glossary["sections"])


def test_only_local_scripts_and_styles(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home
    for marker in ('<script src="http', '<link href="http', 'rel="stylesheet" href="http'):
        assert marker not in home


def test_data_tables_are_published_whole(site: Path) -> None:
    for page in html_files(site):
        assert "portal-raw" not in html_text(page), page
    # The page and the parts it loads when they are opened (builder.pages.parts).
    page = "\n".join(map(html_text, html_files(site / "disclosures" / SEED_000)))
    assert page.count('<table class="portal-table">') > 10  # tables 01-10, charts, projects
    assert '<td class="num">5,837.92</td>' in page


def _search_page(site: Path, url: str) -> dict[str, Any]:
    """The search index's file of the page at ``url`` (``search/pages/<id>.json.gz``)."""
    for path in (site / "search" / "pages").glob("*.json.gz"):
        page: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        if page["url"] == url:
            return page
    raise AssertionError(f"{url} is not in the search index")


def test_search_indexes_text_not_table_rows(site: Path) -> None:
    page = _search_page(site, f"disclosures/{SEED_000}/")
    texts = " ".join(section[2] for section in page["sections"])
    headings = " ".join(section[1] for section in page["sections"])
    source = ROOT / "datasets" / "sources" / f"{SEED_000}.txt"
    assert hashlib.sha256(source.read_bytes()).hexdigest() not in texts  # downloads table
    assert "<td" not in texts
    assert "5,729.88" not in texts  # a table cell (款 20113; 类 201 is in the summary)
    assert "公开03表 支出决算表" in headings  # each table's heading is still found
    assert "招商引资专项经费" in headings  # project headings
    assert "公务接待费" in texts  # narrative
    assert "¶" not in headings  # no permalink marks


def test_search_leaves_out_english_and_field_names(site: Path) -> None:
    page = _search_page(site, "dictionary/")
    texts = " ".join(section[2] for section in page["sections"])
    assert "row_number" not in texts  # field names are <code>
    assert "Order of the row" not in texts  # no English description
    assert "“三公”经费" in " ".join(section[1] for section in page["sections"])


def test_search_index_comes_in_small_pieces(site: Path) -> None:
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    pages = list((site / "search" / "pages").glob("*.json.gz"))
    shards = list((site / "search" / "terms").glob("*.json.gz"))
    # every page but those whose front matter leaves them out (the glossary's sources)
    docs = site.parent / "docs"
    excluded = [
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if 'search: {"exclude": true}' in p.read_text(encoding="utf-8")
    ]
    assert excluded == ["glossary/sources.md"]
    assert meta["pages"] == len(pages) == len(list(site.rglob("index.html"))) - len(excluded)
    assert meta["shards"] == len(shards) > 1
    assert list((site / "search").rglob("*.json")) == [site / "search" / "meta.json"]
    # Stored gzipped, each a third or less of its JSON; the JSON under 32 KB a shard.
    raw = [gzip.decompress(path.read_bytes()) for path in shards]
    assert max(len(data) for data in raw) < 32 * 1024
    assert sum(path.stat().st_size for path in shards) < sum(len(data) for data in raw) / 2
    assert "\\u" not in gzip.decompress(pages[0].read_bytes()).decode("utf-8")  # UTF-8


def test_static_files_are_hard_links_to_the_docs(site: Path) -> None:
    docs = site.parent / "docs"
    for path in (f"sources/{SEED_000}.txt", "assets/stylesheets/portal.css"):
        assert os.path.samefile(site / path, docs / path), path


def test_link_file_replaces_a_stale_copy(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("new\n", encoding="utf-8")
    target = tmp_path / "site" / "downloads" / "a.csv"
    target.parent.mkdir(parents=True)
    target.write_text("stale\n", encoding="utf-8")
    assert link_file(str(source), str(target))
    assert os.path.samefile(source, target)
    assert link_file(str(source), str(target))  # already the same file: nothing to do
