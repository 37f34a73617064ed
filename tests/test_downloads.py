"""Downloads as a data user meets them: bundles fetched from the served site, the database
opened with sqlite3 and DuckDB, the partitioned Parquet read by DuckDB, the example queries.

The bundled disclosures (both publishers) are built once with ``python -m builder build``
into a temporary folder and served over HTTP on the loopback address. Expected values are read
from the portal package's CSV files, never from the code under test.
"""

from __future__ import annotations

import atexit
import csv
import functools
import hashlib
import html
import io
import json
import re
import shutil
import sqlite3
import tempfile
import threading
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import duckdb_extension_sqlite_scanner
import openpyxl
import pytest
import yaml
from frictionless import validate

from builder.publish import database as database_module
from builder.publish.bundles import bundle_bytes
from builder.publish.database import write_database
from builder.release import current_release
from tests.conftest import BUNDLED, ROOT, copy_seeds, run_builder, with_parts

RELEASES = yaml.safe_load((ROOT / "datasets" / "releases.yaml").read_text(encoding="utf-8"))
VERSION, DATE = RELEASES[0]["version"], RELEASES[0]["date"].isoformat()
QUERIES = {
    q["id"]: q
    for q in yaml.safe_load(
        (ROOT / "builder" / "pages" / "queries.yaml").read_text(encoding="utf-8")
    )
}


@cache
def built() -> Path:
    """The bundled disclosures built once (packages, pages and site)."""
    root = Path(tempfile.mkdtemp(prefix="obp-downloads-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    sources = copy_seeds(root / "sources", BUNDLED)
    result = run_builder("build", "--sources", sources, "--output", root / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "out"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    handler = functools.partial(Quiet, directory=str(built() / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        data: bytes = response.read()
    return data


def portal_csv(name: str) -> list[dict[str, str]]:
    """A resource of the portal package as read with the encoding its descriptor declares."""
    package = built() / "packages" / "portal"
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    with (package / resource["path"]).open(encoding=resource["encoding"], newline="") as handle:
        return list(csv.DictReader(handle))


def amount(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def same_amount(found: Any, expected: Decimal | None) -> bool:
    """A database amount (a float in SQLite, a decimal in DuckDB's Parquet) equals the CSV's."""
    if found is None or expected is None:
        return found is None and expected is None
    return Decimal(str(found)) == expected


# --------------------------------------------------------------------------- bundles


@cache
def bundle_links(site: str) -> dict[str, tuple[str, str]]:
    """The zip files the download page links to: URL → (size shown, sha256 shown)."""
    page = fetch(site + "data/").decode("utf-8")
    links = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        href = re.search(r'href="([^"]+\.zip)"', row)
        sha = re.search(r'class="sha256">([0-9a-f]{64})<', row)
        if href and sha:
            links[urllib.request.urljoin(site + "data/", html.unescape(href.group(1)))] = (
                href.group(1),
                sha.group(1),
            )
    return links


def test_the_download_page_lists_every_bundle(site_url: str) -> None:
    names = sorted(url.rsplit("/", 1)[1] for url in bundle_links(site_url))
    ids = sorted(path.stem for path in BUNDLED)
    assert names == sorted(
        [f"{i}.zip" for i in ids] + ["portal.2023.zip", "portal.2024.zip", "portal.zip"]
    )


def test_each_bundle_downloads_unzips_validates_and_cites_its_version(
    site_url: str, tmp_path: Path
) -> None:
    for url, (_, sha256) in bundle_links(site_url).items():
        data = fetch(url)
        assert hashlib.sha256(data).hexdigest() == sha256, f"{url}: the sha256 shown differs"
        name = url.rsplit("/", 1)[1].removesuffix(".zip")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.namelist()
            assert entries == sorted(entries)
            assert all(e.startswith(f"{name}/") for e in entries), "one top folder"
            assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            archive.extractall(tmp_path)
        package = tmp_path / name
        report = validate(str(package / "datapackage.json"))
        assert report.valid, (name, report.flatten(["rowNumber", "fieldName", "note"]))
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        assert (descriptor["version"], descriptor["created"]) == (VERSION, f"{DATE}T00:00:00Z")
        for resource in descriptor["resources"]:
            with (package / resource["path"]).open(encoding=resource["encoding"]) as handle:
                header = next(csv.reader(handle))
            assert header == [f["name"] for f in resource["schema"]["fields"]], resource["path"]
        readme = (package / "README.md").read_text(encoding="utf-8")
        assert f"data version {VERSION} ({DATE})" in readme.split("## 引用 How to cite")[1]
        assert "## 这是什么" in readme
        workbooks = list(package.glob("*.xlsx"))
        if not name.startswith("portal"):
            assert len(workbooks) == 1, name
        for workbook in workbooks:
            sheets = openpyxl.load_workbook(workbook, read_only=True).sheetnames
            assert sheets[0] == "说明"


def test_a_csv_opens_in_excel_as_utf8_and_its_descriptor_says_so() -> None:
    package = built() / "packages" / "portal"
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (package / resource["path"]).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), resource["path"]  # what Excel looks for
        assert resource["encoding"] == "utf-8-sig"


def test_bundles_are_byte_identical_from_the_same_package() -> None:
    folder = built() / "packages" / "portal"
    assert bundle_bytes(folder, "portal") == bundle_bytes(folder, "portal")
    assert (
        bundle_bytes(folder, "portal") == (built() / "site-docs/downloads/portal.zip").read_bytes()
    )


def test_every_file_is_listed_with_its_chinese_title() -> None:
    # The page and its parts (the per-table files are loaded when their block is opened).
    page = with_parts(built() / "site-docs" / "disclosures" / f"{BUNDLED[0].stem}.md")
    assert "三公" in page
    assert re.search(r"summary<wbr>\.csv</a><br>收入支出决算总表（CSV）", page)
    assert re.search(r'README\.txt">README<wbr>\.md</a><br>说明（README）', page)
    assert re.search(r"\.zip</a><br>本文件全部数据压缩包", page)


def test_the_readme_is_served_as_text() -> None:
    downloads = built() / "site" / "downloads" / BUNDLED[0].stem
    assert (downloads / "README.txt").is_file()
    assert not (downloads / "README.md.txt").exists()


# --------------------------------------------------------------------------- database


def database() -> Path:
    return built() / "site" / "downloads" / "portal.sqlite"


def duckdb_with_sqlite() -> duckdb.DuckDBPyConnection:
    """DuckDB with its sqlite extension, loaded from the dev dependency (no network)."""
    folder = Path(duckdb_extension_sqlite_scanner.__file__).parent
    extension = next(folder.rglob("sqlite_scanner.duckdb_extension"))
    connection = duckdb.connect()
    connection.execute(f"LOAD '{extension}'")
    connection.execute(f"ATTACH '{database()}' AS portal (TYPE sqlite, READ_ONLY)")
    connection.execute("USE portal")
    return connection


def run_both(sql: str) -> list[list[tuple[Any, ...]]]:
    """The rows of ``sql`` from sqlite3 and from DuckDB, on the same file."""
    lite = sqlite3.connect(f"{database().as_uri()}?mode=ro", uri=True)
    try:
        first = lite.execute(sql).fetchall()
    finally:
        lite.close()
    second = duckdb_with_sqlite().execute(sql).fetchall()
    return [first, [tuple(row) for row in second]]


def receptions_2024() -> list[tuple[str, Decimal | None]]:
    rows = portal_csv("three_public_costs")
    return sorted(
        (r["publisher_name"], amount(r["official_receptions_10k_yuan"]))
        for r in rows
        if r["fiscal_year"] == "2024" and r["phase"] == "final"
    )


def test_example_receptions_of_every_unit_in_2024() -> None:
    expected = receptions_2024()
    assert len(expected) >= 3
    for found in run_both(QUERIES["receptions-2024"]["sql"]):
        assert [name for name, _ in found] == [name for name, _ in expected]
        assert all(same_amount(f, e) for (_, f), (_, e) in zip(found, expected, strict=True))


def test_example_findings_by_disclosure() -> None:
    counts: Counter[tuple[str, int, str, str]] = Counter()
    for row in portal_csv("findings"):
        key = (row["publisher_name"], int(row["fiscal_year"]), row["disclosure_kind_zh"])
        counts[(*key, "error" if row["severity"] == "error" else "other")] += 1
    keys = sorted({key[:3] for key in counts})
    expected = [(*k, counts[(*k, "error")], counts[(*k, "other")]) for k in keys]
    for found in run_both(QUERIES["findings-by-disclosure"]["sql"]):
        assert [tuple(int(v) if isinstance(v, Decimal) else v for v in r) for r in found] == (
            expected
        )


def test_example_view_joins_the_disclosure_title() -> None:
    titles = {r["disclosure_id"]: r["title"] for r in portal_csv("disclosures")}
    expected = sorted(
        (r["publisher_name"], int(r["fiscal_year"]), r["phase"], titles[r["disclosure_id"]])
        for r in portal_csv("three_public_costs")
        if r["disclosure_kind"] == "final"
    )
    for found in run_both(QUERIES["receptions-with-source"]["sql"]):
        assert [(n, y, p, t) for n, y, p, _, t in found] == expected


def test_every_table_of_the_portal_is_in_the_database() -> None:
    descriptor = json.loads(
        (built() / "packages" / "portal" / "datapackage.json").read_text(encoding="utf-8")
    )
    lite = sqlite3.connect(f"{database().as_uri()}?mode=ro", uri=True)
    for resource in descriptor["resources"]:
        count = lite.execute(f'SELECT count(*) FROM "{resource["name"]}"').fetchone()[0]
        assert count == len(portal_csv(resource["name"])), resource["name"]
    release = dict(lite.execute("SELECT key, value FROM release"))
    assert (release["version"], release["date"]) == (VERSION, DATE)


def test_the_database_filled_a_few_rows_at_a_time_is_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables are filled in batches (the Python values of a whole portal table were
    the build's memory peak at 10,000 disclosures): any batch size gives the build's bytes."""
    package = built() / "packages" / "portal"
    rows = [len(portal_csv(name)) for name in ("income_expenditure_summary", "findings")]
    assert min(rows) > 3, "tables of several batches"
    monkeypatch.setattr(database_module, "BATCH_ROWS", 3)
    write_database(package, tmp_path / "portal.sqlite", current_release())
    assert (tmp_path / "portal.sqlite").read_bytes() == database().read_bytes()


def test_the_query_page_shows_the_results() -> None:
    page = (built() / "site-docs" / "query.md").read_text(encoding="utf-8")
    for name, value in receptions_2024():
        shown = "–" if value is None else format(value, "f")
        assert f"| {name} | {shown} |" in page


# --------------------------------------------------------------------------- partitioned


def test_duckdb_reads_the_partitioned_parquet_as_the_portal_csv() -> None:
    root = built() / "site" / "downloads" / "portal.parquet"
    resources = sorted(p.name for p in root.iterdir())
    assert "three_public_costs" in resources
    connection = duckdb.connect()
    for name in resources:
        glob = (root / name / "*" / "*.parquet").as_posix()
        relation = connection.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
        columns = relation.columns
        found = sorted(
            tuple("" if v is None else str(v) for v in row) for row in relation.fetchall()
        )
        expected = sorted(tuple(row[c] for c in columns) for row in portal_csv(name))
        assert [tuple(canon(v) for v in row) for row in found] == [
            tuple(canon(v) for v in row) for row in expected
        ], name


def canon(value: str) -> str:
    """A cell as text with numbers compared by value (Parquet decimals are scaled: 1.440)."""
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        return str(Decimal(value).normalize())
    return {"True": "true", "False": "false"}.get(value, value)


def test_the_parquet_example_runs_on_the_partitioned_dataset() -> None:
    sql = QUERIES["parquet-receptions-2024"]["parquet"]
    connection = duckdb.connect()
    connection.execute(f"SET file_search_path = '{built() / 'site' / 'downloads'}'")
    found = connection.execute(sql).fetchall()
    expected = receptions_2024()
    assert [n for n, _ in found] == [n for n, _ in expected]
    assert all(same_amount(f, e) for (_, f), (_, e) in zip(found, expected, strict=True))


def test_every_page_shows_the_data_version_in_its_footer() -> None:
    label = f"数据版本 {VERSION}（{DATE}）"
    for page in ("index.html", "query/index.html", f"disclosures/{BUNDLED[0].stem}/index.html"):
        html_text = (built() / "site" / page).read_text(encoding="utf-8")
        footer = html_text.split('class="md-copyright"', 1)[1]
        assert label in footer, page
    releases = (built() / "site" / "releases" / "index.html").read_text(encoding="utf-8")
    assert RELEASES[0]["known_issues"][0] in releases
