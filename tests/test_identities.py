"""Derived identities: one function each (``builder.identities``), and every id a page names
is the id the data packages publish.

The build here writes the packages and the Markdown pages of the bundled disclosures (no
MkDocs); the ids on the pages are then compared with the published ``units`` and
``disclosures`` resources, read as CSV.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

from builder.identities import (
    absolute_url,
    disclosure_page,
    normalise_unit_name,
    site_path,
    unit_id,
    unit_page,
)
from builder.pipeline import build, docs_dir_for
from tests.conftest import BUNDLED, CASES, copy_seeds

UNIT_LINK = re.compile(r"units/(unit-[0-9a-f]+)")
DISCLOSURE_LINK = re.compile(r"disclosures/([a-z0-9_-]+)(?:/|\.md)")
DOWNLOAD_LINK = re.compile(r"downloads/([a-z0-9_-]+)/")
SITE_URL = "https://example.org/portal"  # a site below a path, given without its last /
ABSOLUTE = re.compile(r"https?://[^\s\"'<>）)\]]+")


def test_unit_id_of_a_seed_unit() -> None:
    # the published id of 山西省投资促进局 (tests/cases/portal/expected/package/csv/units.csv)
    assert unit_id("山西省投资促进局") == "unit-bc7e39c2ce"
    # the same name printed with spaces or full-width forms is the same unit
    assert unit_id("山西省 投资促进局") == unit_id("山西省投资促进局")
    assert normalise_unit_name("ＡＢＣ 局") == "ABC局"


def test_page_paths() -> None:
    assert unit_page("unit-bc7e39c2ce") == "units/unit-bc7e39c2ce.md"
    assert disclosure_page("sh-putuo-czj-2024-final") == "disclosures/sh-putuo-czj-2024-final.md"


def test_absolute_urls() -> None:
    root = "https://example.org/portal/"
    assert absolute_url("https://example.org/portal", "data.md") == root + "data/"
    assert absolute_url(root, "index.md") == root
    assert absolute_url(root, "disclosures/index.md") == root + "disclosures/"
    assert absolute_url(root, "units/unit-bc7e39c2ce.md") == root + "units/unit-bc7e39c2ce/"
    assert absolute_url(root, "downloads/x/csv/t.csv") == root + "downloads/x/csv/t.csv"


def published(packages: Path, resource: str) -> list[dict[str, str]]:
    with (packages / "portal" / "csv" / f"{resource}.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(packages, docs) of the bundled disclosures."""
    base = tmp_path_factory.mktemp("ids")
    sources = copy_seeds(base / "sources", BUNDLED)
    packages, site = base / "packages", base / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", SITE_URL)
        build(sources, packages, site, jobs=1, mkdocs=False)
    return packages, docs_dir_for(site)


def test_every_unit_id_on_a_page_is_published(built: tuple[Path, Path]) -> None:
    packages, docs = built
    units = {row["unit_id"]: row["unit_name"] for row in published(packages, "units")}
    # the ids the disclosures resource gives each disclosure's unit are the units' ids
    disclosures = published(packages, "disclosures")
    assert {row["unit_id"] for row in disclosures} == set(units)
    # the unit pages are named by the published ids, one page per published unit
    pages = {path.stem for path in (docs / "units").glob("unit-*.md")}
    assert pages == set(units)
    linked: set[str] = set()
    for page in docs.rglob("*.md"):
        linked |= set(UNIT_LINK.findall(page.read_text(encoding="utf-8")))
    assert linked == set(units)
    # and each unit's page names the unit the units resource names
    for uid, name in units.items():
        assert name in (docs / "units" / f"{uid}.md").read_text(encoding="utf-8")


def test_every_disclosure_id_on_a_page_is_published(built: tuple[Path, Path]) -> None:
    packages, docs = built
    ids = {row["disclosure_id"] for row in published(packages, "disclosures")}
    assert ids == {path.stem for path in BUNDLED}
    assert {p.stem for p in (docs / "disclosures").glob("*.md")} - {"index"} == ids
    years = {"portal.2023", "portal.2024"}  # the portal package of each year
    bundles = {f"{name}.zip" for name in (*ids, "portal", *years)}
    database = {"portal.sqlite", "portal.parquet"}
    quality = "quality"  # the data behind the quality page (a reserved id)
    assert {p.name for p in (docs / "downloads").iterdir()} == {
        *ids,
        "portal",
        quality,
        *bundles,
        *database,
    }
    assert {p.name for p in packages.iterdir() if not p.name.startswith(".")} == {
        *ids,
        "portal",
        *years,
    }
    linked: set[str] = set()
    downloads: set[str] = set()
    for page in docs.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        linked |= set(DISCLOSURE_LINK.findall(text))
        downloads |= set(DOWNLOAD_LINK.findall(text))
    assert linked - {"index"} == ids
    assert downloads <= {*ids, "portal", quality}


def test_the_bundled_units_are_the_golden_ones(built: tuple[Path, Path]) -> None:
    packages, _docs = built
    golden = CASES / "portal" / "expected" / "package" / "csv" / "units.csv"
    with golden.open(encoding="utf-8-sig") as handle:
        seed_units = {row["unit_id"]: row["unit_name"] for row in csv.DictReader(handle)}
    units = {row["unit_id"]: row["unit_name"] for row in published(packages, "units")}
    assert seed_units.items() <= units.items()


def test_every_absolute_url_is_the_identity_of_a_published_file(built: tuple[Path, Path]) -> None:
    """Every absolute URL of the site (pages, data.json, JSON-LD, citations) is
    ``absolute_url`` of a file the site has: a page at its served path (``a/b/``, never
    ``a/b.md``), any other file at its own."""
    _packages, docs = built
    files = [p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()]
    served = {absolute_url(SITE_URL, path) for path in files}
    found: dict[str, str] = {}
    for page in docs.rglob("*"):
        if page.suffix in {".md", ".json", ".html"}:
            text = html.unescape(page.read_text(encoding="utf-8"))
            for url in ABSOLUTE.findall(text):
                if url.startswith("https://example.org/"):
                    found[url.split("#")[0]] = page.relative_to(docs).as_posix()
    wrong = {url: page for url, page in found.items() if url not in served}
    assert not wrong, f"absolute URLs of no file of the site: {wrong}"
    # every disclosure page and package file is named that way somewhere (data.json)
    pages = {absolute_url(SITE_URL, disclosure_page(p.stem)) for p in BUNDLED}
    assert pages <= found.keys()
    assert len(found) > 300
    assert site_path("disclosures/index.md") == "disclosures/"
